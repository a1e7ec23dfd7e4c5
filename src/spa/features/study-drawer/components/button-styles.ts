// The button styles are shared by every feature now; the drawer's modules keep importing them from here.
export { BUTTON, INPUT } from '../../../components/button-styles.ts';
