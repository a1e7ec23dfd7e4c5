import { useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useEffect, useRef, useState } from 'react';
import type { Study } from '../../../../contract/avara-types.ts';
import type { EventPerson } from '../../../../contract/worklist-events.ts';
import { liveEvents } from '../../../lib/live/live-events.ts';
import { readAlertSettings } from '../lib/alert-settings.ts';
import { rememberSeverities } from '../lib/severity-memory.ts';
import { statAlertFor, titleWithCount } from '../lib/stat-alert-rules.ts';

/** More toasts than this at once are summed up in the last one's words rather than stacked. */
const MAX_TOASTS = 3;

// The toasts themselves are not needed until the first alert: their code loads then.
const StatToasts = lazy(async () => ({ default: (await import('./stat-toasts.tsx')).StatToasts }));

export interface StatAlertsProps {
  me: EventPerson | null;
  /** Whether a study would be listed under the person's current filters. */
  matchesView: (study: Study) => boolean;
  openStudy: (studyId: string) => void;
}

/**
 * Tells the person about a new STAT study, or one raised to STAT, that their current filters would
 * list and that they did not cause: a toast (in a live region, with Open and Dismiss), a count in the
 * tab's title until they have seen it, and, when they opted in, a chime and a desktop notification.
 */
export function StatAlerts({ me, matchesView, openStudy }: StatAlertsProps) {
  const queryClient = useQueryClient();
  const [alerts, setAlerts] = useState<Study[]>([]);
  const [unseen, setUnseen] = useState(0);
  const latest = useRef({ me, matchesView, openStudy });
  useEffect(() => {
    latest.current = { me, matchesView, openStudy };
  });

  useEffect(() => {
    const memory = rememberSeverities(queryClient);
    const stopEvents = liveEvents.subscribe((event) => {
      if (event.type !== 'study.created' && event.type !== 'study.changed') return;
      const { study } = event.data;
      const before = memory.before(study.studyId);
      memory.note(study.studyId, study.severity);
      const viewer = latest.current;
      if (!viewer.me) return;
      const alert = statAlertFor(event, before, { me: viewer.me, matchesView: viewer.matchesView });
      if (!alert) return;
      setAlerts((shown) => [alert, ...shown.filter((other) => other.studyId !== alert.studyId)]);
      setUnseen((count) => count + 1);
      const settings = readAlertSettings();
      if (settings.sound || settings.desktop) {
        // Only for those who turned them on: the code loads the first time it is needed.
        void import('../lib/alert-effects.ts').then((effects) => {
          if (settings.sound) effects.playChime();
          if (settings.desktop && document.visibilityState === 'hidden')
            effects.notifyDesktop(alert, () => latest.current.openStudy(alert.studyId));
        });
      }
    });
    return () => {
      stopEvents();
      memory.stop();
    };
  }, [queryClient]);

  useEffect(() => {
    document.title = titleWithCount(document.title, unseen);
  }, [unseen]);
  useEffect(() => () => void (document.title = titleWithCount(document.title, 0)), []);

  // Seen: the person is at the page (it is visible and they touch a key or the pointer).
  useEffect(() => {
    if (unseen === 0) return;
    const seen = () => {
      if (document.visibilityState === 'visible') setUnseen(0);
    };
    window.addEventListener('pointerdown', seen, true);
    window.addEventListener('keydown', seen, true);
    return () => {
      window.removeEventListener('pointerdown', seen, true);
      window.removeEventListener('keydown', seen, true);
    };
  }, [unseen]);

  function dismiss(studyId: string) {
    setAlerts((shown) => shown.filter((alert) => alert.studyId !== studyId));
    setUnseen(0);
  }

  const shown = alerts.slice(0, MAX_TOASTS);
  const more = alerts.length - shown.length;
  return (
    <section
      aria-label="New STAT studies"
      className="pointer-events-none fixed right-4 bottom-4 z-40 flex w-96 max-w-[calc(100vw-2rem)] flex-col gap-2"
    >
      {/* The live region is there from the start (so additions are announced); the toasts' code loads with the first alert. */}
      <div aria-live="assertive" aria-relevant="additions" className="flex flex-col gap-2">
        {shown.length > 0 ? (
          <Suspense fallback={null}>
            <StatToasts
              studies={shown}
              onOpen={(studyId) => {
                dismiss(studyId);
                openStudy(studyId);
              }}
              onDismiss={dismiss}
            />
          </Suspense>
        ) : null}
      </div>
      {more > 0 ? (
        <p className="pointer-events-auto self-end rounded bg-panel-raised px-2 py-1 text-xs text-fg-muted shadow">
          and {more} more new STAT {more === 1 ? 'study' : 'studies'}
        </p>
      ) : null}
    </section>
  );
}
