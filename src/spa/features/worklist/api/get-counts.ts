import { queryOptions, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import type { WorklistCounts } from '../../../../contract/worklist-api.ts';
import { SEVERITIES } from '../../../../contract/avara-types.ts';
import { apiRequestChecked } from '../../../lib/api-client.ts';
import { useWorklistEvent } from '../../../lib/live/use-live-events.ts';
import type { ApiAnswer } from '../../../lib/api-types.ts';

export const countsKeys = { all: ['worklist', 'counts'] as const };

/** How often the counts are fetched while the live stream is not there to say when they change. */
export const COUNTS_POLL_MS = 30_000;
/** After a change: once soon, and once after the queue watcher's next walk (QUEUE_WATCH_INTERVAL_MS, 5 s), which the counts come from. */
export const COUNTS_AFTER_CHANGE_MS = [1_500, 6_500] as const;

function isFields(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isSeverityCounts(value: unknown): boolean {
  return isFields(value) && SEVERITIES.every((severity) => typeof value[severity] === 'number');
}

const hasCappedFlag = (value: unknown) => isFields(value) && typeof value.capped === 'boolean';

/** The answer's shape, as far as the worklist reads it. */
export function isWorklistCounts(value: unknown): value is WorklistCounts {
  return (
    isFields(value) &&
    isSeverityCounts(value.bySeverity) &&
    isSeverityCounts(value.overdue) &&
    isSeverityCounts(value.unassigned) &&
    isFields(value.byAssignee) &&
    Object.values(value.byAssignee).every(isSeverityCounts) &&
    typeof value.capped === 'boolean' &&
    isFields(value.unread) &&
    hasCappedFlag(value.unread.stat) &&
    hasCappedFlag(value.unread.high)
  );
}

export function getWorklistCounts(signal?: AbortSignal): Promise<ApiAnswer<'/api/worklist/counts', 'get'>> {
  return apiRequestChecked('/api/worklist/counts', isWorklistCounts, { signal });
}

export function countsQueryOptions(live: boolean) {
  return queryOptions({
    queryKey: countsKeys.all,
    queryFn: ({ signal }) => getWorklistCounts(signal),
    refetchInterval: live ? false : COUNTS_POLL_MS,
    refetchIntervalInBackground: false,
    staleTime: 5_000,
  });
}

/**
 * The queue's exact counts. While the stream is live they are fetched again after changes (a burst
 * of events costs one fetch, not one each) instead of on a timer.
 */
export function useWorklistCounts(enabled: boolean, live: boolean) {
  const queryClient = useQueryClient();
  const timers = useRef<number[]>([]);
  const refetchSoon = () => {
    if (!enabled) return;
    for (const timer of timers.current) window.clearTimeout(timer);
    timers.current = COUNTS_AFTER_CHANGE_MS.map((delay) =>
      window.setTimeout(() => void queryClient.invalidateQueries({ queryKey: countsKeys.all }), delay),
    );
  };
  useWorklistEvent('study.created', refetchSoon);
  useWorklistEvent('study.changed', refetchSoon);
  useEffect(
    () => () => {
      for (const timer of timers.current) window.clearTimeout(timer);
    },
    [],
  );
  return useQuery({ ...countsQueryOptions(live), enabled });
}
