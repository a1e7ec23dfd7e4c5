import { infiniteQueryOptions, useInfiniteQuery } from '@tanstack/react-query';
import type { StudyListPage } from '../../../../contract/avara-types.ts';
import { apiRequest } from '../../../lib/api-client.ts';
import { studyKeys } from './study-keys.ts';
import type { StudyFilters } from './study-keys.ts';

/** Rows per page: enough to fill a tall screen, small enough to come back fast. */
export const STUDIES_PAGE_SIZE = 50;

export interface GetStudiesParams {
  filters: StudyFilters;
  cursor?: string | undefined;
  limit?: number;
  signal?: AbortSignal;
}

/** One page of the study list from the BFF. */
export function getStudies({ filters, cursor, limit = STUDIES_PAGE_SIZE, signal }: GetStudiesParams): Promise<StudyListPage> {
  return apiRequest<StudyListPage>('/api/studies', {
    query: { ...filters, limit, cursor },
    signal,
  });
}

export function studiesInfiniteQueryOptions(filters: StudyFilters = {}) {
  return infiniteQueryOptions({
    queryKey: studyKeys.list(filters),
    queryFn: ({ pageParam, signal }) => getStudies({ filters, cursor: pageParam, signal }),
    initialPageParam: undefined as string | undefined,
    // The cursor is only meaningful while the server says there is more.
    getNextPageParam: (lastPage) => (lastPage.hasMore && lastPage.cursor ? lastPage.cursor : undefined),
  });
}

/** The study list, page by page; `fetchNextPage` appends the next page. */
export function useStudies(filters: StudyFilters = {}) {
  return useInfiniteQuery(studiesInfiniteQueryOptions(filters));
}
