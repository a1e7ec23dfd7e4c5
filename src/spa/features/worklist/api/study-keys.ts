import type { StudyListFilters } from '../../../../contract/worklist-filters.ts';

/**
 * Hierarchical query keys: invalidating `studyKeys.lists()` refreshes every group of every filter
 * (e.g. after an edit in the drawer), `studyKeys.list(filters)` one group.
 */
export const studyKeys = {
  all: ['studies'] as const,
  lists: () => [...studyKeys.all, 'list'] as const,
  list: (filters: StudyListFilters) => [...studyKeys.lists(), filters] as const,
  /** The background poll of a group's first page; under the group's key, so invalidating it covers both. */
  listHead: (filters: StudyListFilters) => [...studyKeys.list(filters), 'head'] as const,
};
