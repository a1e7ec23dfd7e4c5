import type { QueryClient, QueryKey } from '@tanstack/react-query';
import type { Study } from '../../../../contract/avara-types.ts';
import { isStudyPages, placeStudy } from '../../../lib/studies/study-list-pages.ts';
import { studyKeys } from './study-keys.ts';

/** The list filters a list key carries (`['studies', 'list', filters]`); `undefined` when it has none. */
function filtersOf(queryKey: QueryKey): Record<string, unknown> | undefined {
  const filters: unknown = queryKey[2];
  return typeof filters === 'object' && filters !== null ? Object.fromEntries(Object.entries(filters)) : undefined;
}

/** Puts a study's new state into the drawer's cache and every loaded list, at once. */
export function writeStudyToCache(queryClient: QueryClient, study: Study): void {
  queryClient.setQueryData(studyKeys.detail(study.studyId), study);
  for (const [queryKey, data] of queryClient.getQueriesData({ queryKey: studyKeys.lists() })) {
    // The worklist keeps other queries under a list's key (its first-page poll); only pages change.
    if (!isStudyPages(data)) continue;
    queryClient.setQueryData(queryKey, placeStudy(data, study, filtersOf(queryKey)).pages);
  }
}

export type StudyCacheSnapshot = Array<[QueryKey, unknown]>;

/** Everything cached under `['studies']`, to put back if an optimistic change is refused. */
export function snapshotStudies(queryClient: QueryClient): StudyCacheSnapshot {
  return queryClient.getQueriesData({ queryKey: studyKeys.all });
}

export function restoreStudies(queryClient: QueryClient, snapshot: StudyCacheSnapshot): void {
  for (const [queryKey, data] of snapshot) queryClient.setQueryData(queryKey, data);
}

/** After any change: refetch the drawer and every list (both features agree on the `['studies']` prefix). */
export function invalidateStudies(queryClient: QueryClient): Promise<void> {
  return queryClient.invalidateQueries({ queryKey: studyKeys.all });
}
