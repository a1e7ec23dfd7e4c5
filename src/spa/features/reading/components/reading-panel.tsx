import { useEffect, useState } from 'react';
import type { Study } from '../../../../contract/avara-types.ts';
import { BUTTON } from '../../../components/button-styles.ts';
import { ConfirmPanel } from '../../../components/confirm-panel.tsx';
import { formatDateTime } from '../../../lib/format.ts';
import { useStudyLease, useStudyViewers } from '../api/reading-room.ts';
import { useMePerson } from '../api/use-me-person.ts';
import { samePerson } from '../lib/reading-room-store.ts';
import { formatReadingTime, leaseLabel, viewersLabel } from '../lib/reading-words.ts';
import { useReadingSession } from './reading-session.tsx';
import { STUDY_KEYS } from '../../../lib/shortcuts/study-shortcuts.ts';

function useMinuteClock(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 30_000);
    return () => window.clearInterval(timer);
  }, []);
  return now;
}

/**
 * Who reads the study and who has it open, with Start reading / Stop reading, a coordinator's
 * Release, and the take-over question. Inside the drawer, under its actions.
 */
export function ReadingPanel({ study }: { study: Study }) {
  const session = useReadingSession();
  const lease = useStudyLease(study.studyId);
  const viewers = useStudyViewers(study.studyId);
  const me = useMePerson();
  const now = useMinuteClock();
  useEffect(() => session?.showStudy(study), [session, study]);
  if (!session) return null;

  const mine = Boolean(lease && me && samePerson(lease.holder, me));
  const mayTake = session.mayTake(study) && study.studyViewerStatus !== 'complete';
  const others = viewersLabel(viewers, me);
  const { question, notice } = session;

  return (
    <section
      aria-label="Reading"
      className="space-y-2 rounded-md border border-border bg-panel-raised px-3 py-2.5 text-sm"
    >
      <div className="flex flex-wrap items-center gap-x-3 gap-y-2">
        <p data-testid="drawer-lease" className={lease ? 'font-medium text-fg' : 'text-fg-muted'}>
          {lease ? (
            <>
              <span aria-hidden="true">◉ </span>
              {leaseLabel(lease, me, now)}{' '}
              <span className="font-normal text-fg-muted">(since {formatDateTime(lease.since)})</span>
            </>
          ) : (
            'Nobody is reading this study.'
          )}
        </p>
        <span className="flex-1" />
        {mine ? (
          <button
            type="button"
            className={BUTTON.secondary}
            disabled={session.busy}
            onClick={session.stop}
            aria-keyshortcuts={STUDY_KEYS.release}
          >
            Stop reading
          </button>
        ) : mayTake ? (
          <button type="button" className={BUTTON.secondary} disabled={session.busy} onClick={session.start}>
            {lease ? 'Take over reading' : 'Start reading'}
          </button>
        ) : null}
        {lease && !mine && session.mayBreak ? (
          <button
            type="button"
            className={BUTTON.danger}
            disabled={session.busy}
            onClick={() => session.askBreak(lease)}
            aria-keyshortcuts={STUDY_KEYS.release}
          >
            Release lease
          </button>
        ) : null}
      </div>
      <p data-testid="drawer-viewers" className="text-fg-muted">
        {others ?? 'Nobody else has this study open.'}
      </p>
      {question?.kind === 'take-over' ? (
        <ConfirmPanel
          title={`${question.lease.holder.name} is reading this study`}
          confirmLabel={question.forViewer ? 'Take over and open viewer' : 'Take over reading'}
          cancelLabel="Leave it with them"
          tone="primary"
          onConfirm={() => session.answer(true)}
          onCancel={() => session.answer(false)}
        >
          Since {formatDateTime(question.lease.since)} ({formatReadingTime(question.lease.since, now)}). Take it over
          only if they have stopped: they will see that you took it.
        </ConfirmPanel>
      ) : null}
      {question?.kind === 'break' ? (
        <ConfirmPanel
          title={`Release ${question.lease.holder.name}’s lease?`}
          confirmLabel="Release lease"
          cancelLabel="Keep it"
          onConfirm={() => session.answer(true)}
          onCancel={() => session.answer(false)}
        >
          They have been reading it since {formatDateTime(question.lease.since)} (
          {formatReadingTime(question.lease.since, now)}). The study becomes free for anyone to read; this is recorded
          in the audit log.
        </ConfirmPanel>
      ) : null}
      {notice ? (
        <p
          role={notice.tone === 'error' ? 'alert' : 'status'}
          className={notice.tone === 'error' ? 'text-danger-fg' : 'text-success-fg'}
        >
          {notice.text}
        </p>
      ) : null}
    </section>
  );
}
