// The confirm panel is shared by every feature now; the drawer's modules keep importing it from here.
export { ConfirmPanel } from '../../../components/confirm-panel.tsx';
