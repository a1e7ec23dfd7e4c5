import type { ListStudiesQuery } from '../../../../contract/avara-types.ts';

/** What narrows the study list; paging (`limit`, `cursor`) is the query's business, not the key's. */
export type StudyFilters = Omit<ListStudiesQuery, 'limit' | 'cursor'>;

/**
 * Hierarchical query keys, so a change can invalidate every list (`studyKeys.lists()`) or one study
 * (`studyKeys.detail(id)`) without typing the same array twice.
 */
export const studyKeys = {
  all: ['studies'] as const,
  lists: () => [...studyKeys.all, 'list'] as const,
  list: (filters: StudyFilters) => [...studyKeys.lists(), filters] as const,
  details: () => [...studyKeys.all, 'detail'] as const,
  detail: (studyId: string) => [...studyKeys.details(), studyId] as const,
};
