/**
 * Query keys for one study. They sit under the same `['studies']` root as the worklist's list keys
 * (`['studies', 'list', filters]`), so invalidating `studyKeys.all` after a change refreshes the
 * drawer and every list at once; the two features agree on the shape, not on a shared import.
 */
export const studyKeys = {
  all: ['studies'] as const,
  lists: () => [...studyKeys.all, 'list'] as const,
  details: () => [...studyKeys.all, 'detail'] as const,
  detail: (studyId: string) => [...studyKeys.details(), studyId] as const,
  byUid: (studyInstanceUid: string) => [...studyKeys.all, 'by-uid', studyInstanceUid] as const,
};
