import type { InfiniteData, QueryClient, QueryKey } from '@tanstack/react-query';
import type { Study, StudyListPage } from '../../../../contract/avara-types.ts';
import { studyKeys } from './study-keys.ts';

type StudyPages = InfiniteData<StudyListPage, unknown>;

function isStudyPages(data: unknown): data is StudyPages {
  if (typeof data !== 'object' || data === null || !('pages' in data) || !('pageParams' in data)) return false;
  const { pages } = data;
  return Array.isArray(pages) && pages.every((page: unknown) => typeof page === 'object' && page !== null && 'studies' in page && Array.isArray(page.studies));
}

/** The list filters a list key carries (`['studies', 'list', filters]`); `undefined` when it has none. */
function filtersOf(queryKey: QueryKey): Record<string, unknown> | undefined {
  const filters: unknown = queryKey[2];
  return typeof filters === 'object' && filters !== null ? Object.fromEntries(Object.entries(filters)) : undefined;
}

/** Whether the list with these filters (the list API's query names) would include the study. */
export function studyMatchesFilters(study: Study, filters: Record<string, unknown>): boolean {
  const { severity, studyViewerStatus, assignedTo, expressCustomerId, isCancelled, studyDescription } = filters;
  if (typeof severity === 'string' && study.severity !== severity) return false;
  if (typeof studyViewerStatus === 'string' && study.studyViewerStatus !== studyViewerStatus) return false;
  if (typeof assignedTo === 'string' && (study.assignedTo?.userId ?? '') !== assignedTo) return false;
  if (typeof expressCustomerId === 'string' && (study.expressCustomer?.expressCustomerId ?? '') !== expressCustomerId) return false;
  if (typeof isCancelled === 'boolean' && study.isCancelled !== isCancelled) return false;
  if (typeof studyDescription === 'string' && !study.studyDescription.toLowerCase().includes(studyDescription.toLowerCase())) return false;
  return true;
}

/**
 * The list with `study` in its new state: replaced where it was, removed from a list it no longer
 * belongs to, or slotted into one it now joins (a severity change moves it to its new group). Lists
 * are oldest first; a study that would land beyond the loaded pages is left to the refetch.
 */
function placeStudy(pages: StudyPages, study: Study, filters: Record<string, unknown> | undefined): StudyPages {
  const belongs = filters === undefined || studyMatchesFilters(study, filters);
  const present = pages.pages.some((page) => page.studies.some((candidate) => candidate.studyId === study.studyId));
  if (present) {
    return {
      ...pages,
      pages: pages.pages.map((page) => ({
        ...page,
        studies: belongs
          ? page.studies.map((candidate) => (candidate.studyId === study.studyId ? study : candidate))
          : page.studies.filter((candidate) => candidate.studyId !== study.studyId),
      })),
    };
  }
  if (!belongs) return pages;
  const created = study.createdAt ?? '';
  let inserted = false;
  const next = pages.pages.map((page) => {
    if (inserted) return page;
    const index = page.studies.findIndex((candidate) => (candidate.createdAt ?? '') > created);
    if (index === -1) return page;
    inserted = true;
    return { ...page, studies: [...page.studies.slice(0, index), study, ...page.studies.slice(index)] };
  });
  const last = next.at(-1);
  if (!inserted && last && !last.hasMore) {
    next[next.length - 1] = { ...last, studies: [...last.studies, study] };
  }
  return { ...pages, pages: next };
}

/** Puts a study's new state into the drawer's cache and every loaded list, at once. */
export function writeStudyToCache(queryClient: QueryClient, study: Study): void {
  queryClient.setQueryData(studyKeys.detail(study.studyId), study);
  for (const [queryKey, data] of queryClient.getQueriesData({ queryKey: studyKeys.lists() })) {
    // The worklist keeps other queries under a list's key (its first-page poll); only pages change.
    if (!isStudyPages(data)) continue;
    queryClient.setQueryData(queryKey, placeStudy(data, study, filtersOf(queryKey)));
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
