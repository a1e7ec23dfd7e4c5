import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { CriticalResultList } from '../../../../contract/study-reports.ts';
import { apiRequestChecked } from '../../../lib/api-client.ts';
import { useWorklistEvent } from '../../../lib/live/use-live-events.ts';
import { studyKeys } from './study-keys.ts';

/** The drawer acknowledges under the same key shape (the features agree on it, as on studyKeys). */
export const criticalResultsKey = ['critical-results'] as const;

function isCriticalResultList(value: unknown): value is CriticalResultList {
  return (
    typeof value === 'object' && value !== null && 'criticalResults' in value && Array.isArray(value.criticalResults)
  );
}

/**
 * The critical results nobody has acknowledged that this person is alerted to (their studies; a
 * coordinator's: all). Live: a critical report or an acknowledgement anywhere refetches it, and the
 * "Critical results" lists with it; without the stream, the next refresh shows it.
 */
export function useCriticalResults() {
  const queryClient = useQueryClient();
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: criticalResultsKey });
    void queryClient.invalidateQueries({
      queryKey: studyKeys.lists(),
      predicate: (query) => isCriticalList(query.queryKey[2]),
    });
  };
  useWorklistEvent('report.delivered', (data) => {
    if (data.isCritical) refresh();
  });
  useWorklistEvent('critical.acknowledged', refresh);
  return useQuery({
    queryKey: criticalResultsKey,
    queryFn: ({ signal }) => apiRequestChecked('/api/critical-results', isCriticalResultList, { signal }),
  });
}

function isCriticalList(filters: unknown): boolean {
  return typeof filters === 'object' && filters !== null && 'critical' in filters && filters.critical === true;
}
