import type { QueryClient } from '@tanstack/react-query';
import { SEVERITIES } from '../../../../contract/avara-types.ts';
import { parseFilters, toListFilters } from '../lib/worklist-filters.ts';
import type { Viewer } from '../lib/worklist-filters.ts';
import { studyGroupQueryOptions } from './get-studies.ts';

/**
 * Starts loading the first page of the worklist's most urgent shown group (STAT, unless the URL hides
 * it) for this person and address, under the same key the worklist asks for: mounted later, it finds
 * the page, or the request already in flight, instead of sending its own.
 */
export function prefetchFirstGroup(queryClient: QueryClient, viewer: Viewer, search: string): Promise<void> {
  const filters = parseFilters(new URLSearchParams(search), viewer);
  const first = SEVERITIES.find((severity) => filters.groups.includes(severity));
  if (!first) return Promise.resolve();
  return queryClient.prefetchInfiniteQuery(studyGroupQueryOptions(toListFilters(filters, first, viewer)));
}
