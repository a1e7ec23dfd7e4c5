import { queryOptions, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import type { DashboardAnswer } from '../../../../contract/dashboard-api.ts';
import { apiRequestChecked } from '../../../lib/api-client.ts';
import { useWorklistEvent } from '../../../lib/live/use-live-events.ts';

export const dashboardKeys = { all: ['dashboard'] as const, figures: () => [...dashboardKeys.all, 'figures'] as const };

/** Without the live stream, the figures are fetched this often. */
export const DASHBOARD_POLL_MS = 30_000;
/** After a change: once soon (the history has it already). */
export const DASHBOARD_AFTER_CHANGE_MS = 800;
/**
 * Then this often until the tiles come from a walk of the queue that ended after the change (the
 * queue watcher walks every QUEUE_WATCH_INTERVAL_MS, or less often when a walk takes long), for at most a minute.
 */
export const DASHBOARD_WAIT_FOR_WALK_MS = 3_000;
const WAIT_FOR_WALK_LIMIT_MS = 60_000;

function isFields(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The answer's shape, as far as the page reads it without guarding. */
export function isDashboardAnswer(value: unknown): value is DashboardAnswer {
  return (
    isFields(value) &&
    typeof value.asOf === 'string' &&
    isFields(value.slaTargets) &&
    isFields(value.tiles) &&
    isFields(value.tiles.unread) &&
    Array.isArray(value.hourly) &&
    isFields(value.turnaround) &&
    isFields(value.compliance) &&
    Array.isArray(value.radiologists) &&
    isFields(value.history)
  );
}

export function getDashboard(signal?: AbortSignal): Promise<DashboardAnswer> {
  return apiRequestChecked('/api/dashboard', isDashboardAnswer, { signal });
}

export function dashboardQueryOptions() {
  return queryOptions({
    queryKey: dashboardKeys.figures(),
    queryFn: ({ signal }) => getDashboard(signal),
    refetchInterval: DASHBOARD_POLL_MS,
    staleTime: 2_000,
  });
}

/**
 * The dashboard's figures, fetched again after every change the event stream reports (a burst of
 * events costs one fetch per delay, not one each), and every 30 s in any case.
 */
export function useDashboard() {
  const queryClient = useQueryClient();
  const timers = useRef<number[]>([]);
  /** When the earliest change not yet in the tiles was heard (ms), or null. */
  const waitingSince = useRef<number | null>(null);
  const refetch = () => void queryClient.invalidateQueries({ queryKey: dashboardKeys.figures() });
  const refetchSoon = () => {
    waitingSince.current ??= Date.now();
    for (const timer of timers.current) window.clearTimeout(timer);
    timers.current = [window.setTimeout(refetch, DASHBOARD_AFTER_CHANGE_MS)];
  };
  const query = useQuery(dashboardQueryOptions());
  const tiles = query.data?.tiles;
  useEffect(() => {
    const since = waitingSince.current;
    if (since === null || !tiles) return;
    const walked = tiles.asOf !== null && Date.parse(tiles.asOf) > since;
    if (walked || Date.now() - since > WAIT_FOR_WALK_LIMIT_MS) {
      waitingSince.current = null;
      return;
    }
    const timer = window.setTimeout(refetch, DASHBOARD_WAIT_FOR_WALK_MS);
    timers.current.push(timer);
    return () => window.clearTimeout(timer);
  });
  useWorklistEvent('study.created', refetchSoon);
  useWorklistEvent('study.changed', refetchSoon);
  useWorklistEvent('lease.taken', refetchSoon);
  useWorklistEvent('lease.released', refetchSoon);
  useEffect(
    () => () => {
      for (const timer of timers.current) window.clearTimeout(timer);
    },
    [],
  );
  return query;
}
