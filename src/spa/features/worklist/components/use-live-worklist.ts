import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useState } from 'react';
import type { Severity, Study } from '../../../../contract/avara-types.ts';
import { useLiveSnapshot, useWorklistEvent } from '../../../lib/live/use-live-events.ts';
import type { GroupPlacement } from '../api/live-studies.ts';
import { forgetArrival, markSeen, NO_ARRIVALS, pruneArrivals, recordArrival } from '../lib/arrivals.ts';
import type { Arrivals } from '../lib/arrivals.ts';
import type { StudyListFilters } from '../../../../contract/worklist-filters.ts';

const PRUNE_EVERY_MS = 5_000;

// Not needed for the first screen: loaded with the first event. One promise, so events are applied
// in the order they came.
let placing: Promise<typeof import('../api/live-studies.ts')> | null = null;
const loadPlacing = () => (placing ??= import('../api/live-studies.ts'));

/**
 * The worklist following the live stream: each study event is applied to the loaded lists, and
 * what arrived in the groups on screen is remembered (marked new, counted until seen). `resetKey`
 * changes with the filters: a new list has no arrivals.
 */
export function useLiveWorklist(view: Record<Severity, StudyListFilters>, resetKey: string) {
  const queryClient = useQueryClient();
  const [arrivals, setArrivals] = useState<{ key: string; arrivals: Arrivals }>({
    key: resetKey,
    arrivals: NO_ARRIVALS,
  });
  const current = arrivals.key === resetKey ? arrivals.arrivals : NO_ARRIVALS;

  const record = useCallback(
    (placements: GroupPlacement[], study: Study, created: boolean) => {
      const at = Date.now();
      setArrivals((previous) => {
        let next = previous.key === resetKey ? previous.arrivals : NO_ARRIVALS;
        for (const { severity, placement } of placements) {
          if (placement === 'removed') next = forgetArrival(next, study.studyId);
          // A changed study put into the loaded pages was not in them before: it now matches. One
          // past them may have been there all along (not loaded yet), so only a new one counts.
          else if (placement === 'inserted')
            next = recordArrival(next, { studyId: study.studyId, severity, at, where: 'loaded' });
          else if (placement === 'beyond' && created)
            next = recordArrival(next, { studyId: study.studyId, severity, at, where: 'beyond' });
        }
        return next === previous.arrivals && previous.key === resetKey ? previous : { key: resetKey, arrivals: next };
      });
    },
    [resetKey],
  );
  const apply = useCallback(
    (study: Study, created: boolean) => {
      void loadPlacing().then(({ applyStudyToLists }) =>
        record(applyStudyToLists(queryClient, study, view), study, created),
      );
    },
    [queryClient, view, record],
  );
  useWorklistEvent('study.created', (data) => apply(data.study, true));
  useWorklistEvent('study.changed', (data) => apply(data.study, false));
  // Everything is refetched: what was new is just part of the list again.
  useWorklistEvent('resync', () => setArrivals({ key: resetKey, arrivals: NO_ARRIVALS }));

  const hasArrivals = current.size > 0;
  useEffect(() => {
    if (!hasArrivals) return;
    const timer = setInterval(
      () =>
        setArrivals((previous) => {
          const pruned = pruneArrivals(previous.arrivals, Date.now());
          return pruned === previous.arrivals ? previous : { ...previous, arrivals: pruned };
        }),
      PRUNE_EVERY_MS,
    );
    return () => clearInterval(timer);
  }, [hasArrivals]);

  const onSeen = useCallback(
    (studyIds: string[]) =>
      setArrivals((previous) => {
        const next = markSeen(previous.arrivals, studyIds);
        return next === previous.arrivals ? previous : { ...previous, arrivals: next };
      }),
    [],
  );

  const snapshot = useLiveSnapshot();
  // Polling stops while the stream is live and its changes flow; it comes back otherwise.
  const live = snapshot.state === 'live' && !snapshot.degraded;
  return { arrivals: current, onSeen, live };
}
