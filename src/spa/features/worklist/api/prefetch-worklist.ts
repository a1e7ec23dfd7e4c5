import type { QueryClient } from '@tanstack/react-query';
import { hashKey } from '@tanstack/react-query';
import type { StudyListPage } from '../../../../contract/avara-types.ts';
import { firstGroupFilters, shownGroupFilters } from '../../../../contract/worklist-filters.ts';
import type { StudyListFilters, Viewer } from '../../../../contract/worklist-filters.ts';
import { studyGroupQueryOptions } from './get-studies.ts';
import { studyKeys } from './study-keys.ts';

/** The first page of a group as the server put it in the page, with the filters it was asked with. */
export interface InlineFirstPage {
  filters: StudyListFilters;
  page: StudyListPage;
}

/**
 * Starts loading the first page of the worklist's most urgent shown group (STAT, unless the URL hides
 * it) for this person and address, under the same key the worklist asks for: mounted later, it finds
 * the page, or the request already in flight, instead of sending its own. A page the server already
 * sent (`inline`) is used instead of asking, but only when it was asked with exactly these filters:
 * otherwise (another role, another address, filters read differently) it is ignored and the group
 * is fetched as usual.
 */
export function prefetchFirstGroup(
  queryClient: QueryClient,
  viewer: Viewer,
  search: string,
  inline?: InlineFirstPage,
): Promise<void> {
  const filters = firstGroupFilters(viewer, search);
  if (!filters) return Promise.resolve();
  const options = studyGroupQueryOptions(filters);
  if (inline && hashKey(studyKeys.list(inline.filters)) === hashKey(options.queryKey)) {
    seedGroupFirstPage(queryClient, filters, inline.page);
    return Promise.resolve();
  }
  return queryClient.prefetchInfiniteQuery(options);
}

/**
 * Puts a group's first page into the cache exactly as the group's own first fetch would have: one
 * page under the group's key, asked with the query's initial page parameter (no cursor). The page
 * keeps its `hasMore` and `cursor`, so the group's next page is asked with that cursor when the
 * list scrolls on (`getNextPageParam`), as for a page the browser fetched.
 */
export function seedGroupFirstPage(queryClient: QueryClient, filters: StudyListFilters, page: StudyListPage): void {
  const options = studyGroupQueryOptions(filters);
  queryClient.setQueryData(options.queryKey, { pages: [page], pageParams: [options.initialPageParam] });
}

/**
 * Puts the later groups' first pages the server sent (`more`) into the cache, each only under the
 * key of a group this person sees at this address and only when asked with exactly its filters;
 * others are ignored (the app asks for those groups as usual).
 */
export function seedLaterGroups(
  queryClient: QueryClient,
  viewer: Viewer,
  search: string,
  more: readonly InlineFirstPage[],
): void {
  if (more.length === 0) return;
  const expected = new Map(
    shownGroupFilters(viewer, search).map((filters) => [hashKey(studyKeys.list(filters)), filters]),
  );
  for (const inline of more) {
    const filters = expected.get(hashKey(studyKeys.list(inline.filters)));
    if (filters && queryClient.getQueryData(studyKeys.list(filters)) === undefined)
      seedGroupFirstPage(queryClient, filters, inline.page);
  }
}
