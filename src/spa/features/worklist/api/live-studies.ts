import { hashKey } from '@tanstack/react-query';
import type { QueryClient, QueryKey } from '@tanstack/react-query';
import type { Severity, Study } from '../../../../contract/avara-types.ts';
import { SEVERITIES } from '../../../../contract/avara-types.ts';
import { isStudyPages, placeStudy } from '../../../lib/studies/study-list-pages.ts';
import type { Placement } from '../../../lib/studies/study-list-pages.ts';
import type { StudyListFilters } from '../../../../contract/worklist-filters.ts';
import { studyKeys } from './study-keys.ts';

function filtersOf(queryKey: QueryKey): Record<string, unknown> | undefined {
  const filters: unknown = queryKey[2];
  return typeof filters === 'object' && filters !== null ? Object.fromEntries(Object.entries(filters)) : undefined;
}

/** What an event did to the group of the current view it touched. */
export interface GroupPlacement {
  severity: Severity;
  placement: Placement;
}

/**
 * Applies a study as an event brings it to every loaded list (every filter, every group, all loaded
 * pages): in place where it is, out of a list it no longer matches, into one it now matches at its
 * place in the server's order. Returns what happened in the groups of the current view, so the page
 * can mark arrivals. Nothing is refetched, except a searched list the browser cannot judge
 * (docs/decisions/032): the pages already on screen stay as they are.
 */
export function applyStudyToLists(
  queryClient: QueryClient,
  study: Study,
  view: Partial<Record<Severity, StudyListFilters>>,
): GroupPlacement[] {
  const viewKeys = new Map<string, Severity>();
  for (const severity of SEVERITIES) {
    const filters = view[severity];
    if (filters) viewKeys.set(hashKey(studyKeys.list(filters)), severity);
  }
  const placements: GroupPlacement[] = [];
  for (const [queryKey, data] of queryClient.getQueriesData({ queryKey: studyKeys.lists() })) {
    // A group's first-page poll lives under its key too; only the pages are written.
    if (!isStudyPages(data)) continue;
    const result = placeStudy(data, study, filtersOf(queryKey));
    if (result.pages !== data) queryClient.setQueryData(queryKey, result.pages);
    // A searched list: only the server can tell whether the study belongs now.
    if (result.placement === 'refetch') void queryClient.invalidateQueries({ queryKey, exact: true });
    const severity = viewKeys.get(hashKey(queryKey));
    if (severity) placements.push({ severity, placement: result.placement });
  }
  return placements;
}
