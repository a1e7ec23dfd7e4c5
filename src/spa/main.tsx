import { holdEarlyKeys } from './lib/shortcuts/early-keys.ts';
import './styles.css';

// The entry point stays this small so that the browser paints the page before the app's code runs.
// With the built renderer the page already holds the worklist's first rows (decision record 041):
// scripts of type module run as soon as the HTML is parsed, and evaluating the app (React first)
// would keep that first paint waiting for it. So the entry lets one frame be painted, then imports
// the app, whose files the page preloads from its head (`preloadBoot` in vite.config.ts) so the
// wait costs no request. Without server rows there is nothing to show yet, and no reason to wait.
// Keys pressed meanwhile are held, and pressed again once the app's shortcuts are in place.
const earlyKeys = holdEarlyKeys(document);

const root = document.getElementById('root');
if (root?.firstElementChild) {
  await new Promise<void>((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}
const { startApp } = await import('./boot.tsx');
await startApp(earlyKeys);
