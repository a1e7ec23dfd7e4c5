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
    queryClient.setQueryData(options.queryKey, { pages: [inline.page], pageParams: [undefined] });
    return Promise.resolve();
  }
  return queryClient.prefetchInfiniteQuery(options);
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
  const expected = new Set(shownGroupFilters(viewer, search).map((filters) => hashKey(studyKeys.list(filters))));
  for (const inline of more) {
    const key = studyKeys.list(inline.filters);
    if (expected.has(hashKey(key)) && queryClient.getQueryData(key) === undefined)
      queryClient.setQueryData(key, { pages: [inline.page], pageParams: [undefined] });
  }
}
