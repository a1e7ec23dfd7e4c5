import { hashKey } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { renderToString } from 'react-dom/server';
import { UNSAFE_createMemoryHistory } from 'react-router';
import { isStudyListPage } from '../../contract/answer-shapes.ts';
import type { FirstScreenInput } from '../../contract/first-screen.ts';
import { firstGroupFilters } from '../../contract/worklist-filters.ts';
import { createQueryClient, AppProvider } from '../app/provider.tsx';
import { showsWorklist } from '../app/prefetch.ts';
import { AppRoutes } from '../app/router.tsx';
import { seedPagePacsStatus } from '../features/pacs/api/seed-pacs.ts';
import { prefetchFirstGroup, seedLaterGroups } from '../features/worklist/api/prefetch-worklist.ts';
import type { InlineFirstPage } from '../features/worklist/api/prefetch-worklist.ts';
import { studyGroupQueryOptions } from '../features/worklist/api/get-studies.ts';
import { studyKeys } from '../features/worklist/api/study-keys.ts';
import { authKeys } from '../lib/auth/auth-keys.ts';
import { AppRouter } from '../lib/navigation/app-router.tsx';
import { guardHistory } from '../lib/navigation/guarded-history.ts';
import { providePacsColumns } from '../app/pacs-columns.ts';
import { PACS_COLUMNS, seedPacsContexts } from '../app/pacs-worklist-extension.ts';

// The server's bundle holds the PACS columns' code: they render whenever the page's data says a PACS is connected.
providePacsColumns(PACS_COLUMNS);

/**
 * The worklist's first screen as HTML, rendered on the server with the app's own routes, layout,
 * grid and rows, from the same data the app starts from in the browser: the signed-in person (the
 * page's `rw-me`) and the groups' first pages and the PACS's part (the page's `rw-first-page`), in a
 * query cache filled exactly as src/spa/boot.tsx fills it. The browser shows these rows before any script has
 * run; the app's first render (createRoot, into the same `<div id="root">`) then replaces them with
 * the same rows. Undefined when the address shows no worklist or the data is not the page the app
 * would ask for there: the page then goes out without rows, as it would without this renderer.
 *
 * Nothing here asks the network: queries the first screen has no data for (counts, people, the
 * sign-in settings) render as they do in the browser's first render, before their answers.
 */
export function renderFirstScreen({ me, url, filters, page, more, pacs }: FirstScreenInput): string | undefined {
  const address = new URL(url, 'http://localhost');
  if (!showsWorklist(address.pathname) || !isStudyListPage(page)) return undefined;
  const viewer = { role: me.role, userId: me.userId };
  const expected = firstGroupFilters(viewer, address.search);
  if (!expected || hashKey(studyGroupQueryOptions(expected).queryKey) !== hashKey(studyKeys.list(filters))) {
    return undefined;
  }
  const queryClient = createQueryClient();
  queryClient.setQueryData(authKeys.me(), me);
  void prefetchFirstGroup(queryClient, viewer, address.search, { filters, page });
  const later = (more ?? []).filter((group): group is InlineFirstPage => isStudyListPage(group.page));
  seedLaterGroups(queryClient, viewer, address.search, later);
  seedPagePacsStatus(queryClient, pacs);
  seedPacsContexts(queryClient, pacs);
  const history = guardHistory(
    UNSAFE_createMemoryHistory({ initialEntries: [`${address.pathname}${address.search}`], v5Compat: true }),
  );
  try {
    return renderToString(
      <StrictMode>
        <AppProvider client={queryClient}>
          <AppRouter history={history}>
            <AppRoutes />
          </AppRouter>
        </AppProvider>
      </StrictMode>,
    );
  } finally {
    queryClient.clear();
  }
}
