import { infiniteQueryOptions, queryOptions, useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import type { InfiniteData } from '@tanstack/react-query';
import { useEffect, useMemo } from 'react';
import type { Study, StudyListPage } from '../../../../contract/avara-types.ts';
import { isStudyListPage } from '../../../../contract/answer-shapes.ts';
import { apiRequestChecked } from '../../../lib/api-client.ts';
import type { StudyListFilters } from '../../../../contract/worklist-filters.ts';
import { studyKeys } from './study-keys.ts';
import type { ApiAnswer } from '../../../lib/api-types.ts';

/** Rows per page: the API's maximum, so a long scroll costs as few round trips as possible. */
export const STUDY_PAGE_SIZE = 100;

/** How often the first page of each group is fetched again in the background. */
export const FRESHNESS_INTERVAL_MS = 30_000;

export interface GetStudiesParams {
  filters: StudyListFilters;
  cursor?: string | undefined;
  limit?: number;
  signal?: AbortSignal | undefined;
}

/** One page of the study list from the BFF, oldest first (the study waiting longest comes first). */
export function getStudies({
  filters,
  cursor,
  limit = STUDY_PAGE_SIZE,
  signal,
}: GetStudiesParams): Promise<ApiAnswer<'/api/studies', 'get'>> {
  // Checked here too: a page that is not one fails this group's query (its error and Retry), instead
  // of breaking the render of the whole list.
  return apiRequestChecked('/api/studies', isStudyListPage, { query: { ...filters, limit, cursor }, signal });
}

type Cursor = string | undefined;
export type StudyPages = InfiniteData<StudyListPage>;

/**
 * A severity group, page by page. It never refetches all its pages by itself (a long scroll would
 * cost one request per page every 30 s): freshness comes from the first-page poll below, and an
 * invalidation (an edit) still refetches every page so a changed study leaves or joins the list.
 */
export function studyGroupQueryOptions(filters: StudyListFilters) {
  return infiniteQueryOptions({
    queryKey: studyKeys.list(filters),
    queryFn: ({ pageParam, signal }) => getStudies({ filters, cursor: pageParam, signal }),
    initialPageParam: undefined as Cursor,
    getNextPageParam: (lastPage) => (lastPage.hasMore && lastPage.cursor ? lastPage.cursor : undefined),
    staleTime: Number.POSITIVE_INFINITY,
    refetchOnWindowFocus: false,
    refetchOnReconnect: false,
  });
}

/** What the freshness poll brings back: the first page, and the last one when the group is complete. */
export interface GroupHead {
  first: StudyListPage;
  /** Refetched when every page is loaded, because new studies land at the end of the list. */
  last: { index: number; cursor: string; page: StudyListPage } | null;
}

export function studyGroupHeadQueryOptions(
  filters: StudyListFilters,
  pages: () => StudyPages | undefined,
  live = false,
) {
  return queryOptions({
    queryKey: studyKeys.listHead(filters),
    queryFn: async ({ signal }): Promise<GroupHead> => {
      const loaded = pages();
      const lastIndex = loaded ? loaded.pages.length - 1 : 0;
      const lastParam = loaded?.pageParams[lastIndex];
      const lastCursor = typeof lastParam === 'string' ? lastParam : undefined;
      const complete = loaded !== undefined && loaded.pages[lastIndex]?.hasMore === false;
      const [first, last] = await Promise.all([
        getStudies({ filters, signal }),
        complete && lastIndex > 0 && lastCursor ? getStudies({ filters, cursor: lastCursor, signal }) : null,
      ]);
      return { first, last: last && lastCursor ? { index: lastIndex, cursor: lastCursor, page: last } : null };
    },
    // While the live stream brings every change, polling would only repeat it.
    refetchInterval: live ? false : FRESHNESS_INTERVAL_MS,
    // Only while the tab is visible: nobody reads a background tab, and the server is shared.
    refetchIntervalInBackground: false,
    refetchOnWindowFocus: !live,
    staleTime: 5_000,
  });
}

/** Puts a fresher first (and last) page in place of the loaded ones, keeping every other page. */
export function mergeGroupHead(pages: StudyPages, head: GroupHead): StudyPages {
  const next = [...pages.pages];
  next[0] = head.first;
  if (head.last && pages.pageParams[head.last.index] === head.last.cursor && head.last.index < next.length) {
    next[head.last.index] = head.last.page;
  }
  return { pages: next, pageParams: pages.pageParams };
}

/**
 * One severity group of the worklist: its pages, flattened once per change, and a background poll of
 * its first page (every 30 s and on window focus) merged in without touching the pages after it.
 * `live`: the event stream is healthy, so the poll rests.
 */
export function useStudyGroup(filters: StudyListFilters, enabled: boolean, live = false) {
  const queryClient = useQueryClient();
  // `filters` is memoized by the caller, so the key (and the effect below) change only with it.
  const groupOptions = useMemo(() => studyGroupQueryOptions(filters), [filters]);
  const group = useInfiniteQuery({ ...groupOptions, enabled });
  const groupKey = groupOptions.queryKey;

  const head = useQuery({
    ...studyGroupHeadQueryOptions(filters, () => queryClient.getQueryData(groupKey), live),
    // Polls only once the group has its first page: that page is the poll's starting point.
    enabled: enabled && group.isSuccess,
    initialData: () => {
      const first = group.data?.pages[0];
      return first ? { first, last: null } : undefined;
    },
    initialDataUpdatedAt: () => queryClient.getQueryState(groupKey)?.dataUpdatedAt,
  });

  const headData = head.data;
  const headUpdatedAt = head.dataUpdatedAt;
  useEffect(() => {
    if (!headData) return;
    const groupUpdatedAt = queryClient.getQueryState(groupKey)?.dataUpdatedAt ?? 0;
    // The group was fetched after this poll (e.g. refetched after an edit): it is the fresher one.
    if (headUpdatedAt <= groupUpdatedAt) return;
    queryClient.setQueryData(groupKey, (pages) => (pages ? mergeGroupHead(pages, headData) : pages));
  }, [headData, headUpdatedAt, queryClient, groupKey]);

  const data = group.data;
  // Pages can overlap for a moment (a study moved up a page after the first page was refreshed):
  // the first copy wins, so every row key stays unique.
  const studies = useMemo(() => flattenPages(data), [data]);
  // The rows page by page too, for whatever the app fetches per page of rows (the PACS context).
  const pages = useMemo(() => data?.pages.map((page) => page.studies) ?? [], [data]);
  const { status, error, hasNextPage, isFetching, isFetchingNextPage, isFetchNextPageError, refetch, fetchNextPage } =
    group;
  const isRefreshing = head.isFetching;
  // One object per meaningful change, so the grid re-renders rows only when a group really changed.
  const query = useMemo(
    () => ({
      status,
      isPending: status === 'pending',
      isError: status === 'error',
      error,
      hasNextPage,
      isFetching,
      isFetchingNextPage,
      isFetchNextPageError,
      refetch,
      fetchNextPage,
    }),
    [status, error, hasNextPage, isFetching, isFetchingNextPage, isFetchNextPageError, refetch, fetchNextPage],
  );
  return useMemo(() => ({ query, studies, pages, isRefreshing }), [query, studies, pages, isRefreshing]);
}

/** All loaded studies of a group in order, each once. */
export function flattenPages(data: StudyPages | undefined): Study[] {
  if (!data) return [];
  const seen = new Set<string>();
  const studies: Study[] = [];
  for (const page of data.pages) {
    for (const study of page.studies) {
      if (seen.has(study.studyId)) continue;
      seen.add(study.studyId);
      studies.push(study);
    }
  }
  return studies;
}
