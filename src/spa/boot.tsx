import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/app.tsx';
import { loadPacsExtension } from './app/pacs-columns.ts';
import { atMost, prefetchFirstScreen, readPageFirstPage, readPageMe } from './app/prefetch.ts';
import { createQueryClient } from './app/provider.tsx';
import { pagePacsEnabled } from './features/pacs/api/seed-pacs.ts';
import type { EarlyKeys } from './lib/shortcuts/early-keys.ts';
import { pageShortcuts, pressEarlyKeys } from './lib/shortcuts/shortcut-registry.ts';

// The app proper, started by the entry (main.tsx) once the page has been painted.

/** How long the first render waits for the worklist's first page (on a LAN it takes a few ms). */
const FIRST_DATA_WAIT_MS = 150;
/**
 * How long it waits for the PACS columns' code when the page says a PACS is connected: the server's
 * rows show those columns' cells, and a first render without the code would show them empty (the
 * columns keep their places either way) until it arrives; the rows' context from the page goes into
 * the cache with that code.
 */
const PACS_COLUMNS_WAIT_MS = 1_000;

/** Renders the app; the keys pressed before it (held by the entry) are pressed again once its shortcuts are in. */
export async function startApp(earlyKeys: EarlyKeys): Promise<void> {
  const container = document.getElementById('root');
  if (!container) throw new Error('index.html must contain <div id="root">');

  // The first screen's requests go out now (the first studies may be in the page already); the first
  // render waits briefly for the first studies.
  const queryClient = createQueryClient();
  const page = { location: window.location, me: readPageMe(document), firstPage: readPageFirstPage(document) };
  const pacs = page.firstPage?.pacs;
  const pacsExtension = pagePacsEnabled(pacs) ? loadPacsExtension() : undefined;
  await atMost(prefetchFirstScreen(queryClient, page), FIRST_DATA_WAIT_MS);
  if (pacsExtension)
    await atMost(
      pacsExtension.then((module) => module.seedPacsContexts(queryClient, pacs)),
      PACS_COLUMNS_WAIT_MS,
    );

  pressEarlyKeys(pageShortcuts(), earlyKeys);
  createRoot(container).render(
    <StrictMode>
      <App queryClient={queryClient} />
    </StrictMode>,
  );
}
