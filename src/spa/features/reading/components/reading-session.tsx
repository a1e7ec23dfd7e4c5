import { createContext, useCallback, useContext, useMemo, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import type { Study } from '../../../../contract/avara-types.ts';
import { actorOf, mayBreakLease, mayTakeLease } from '../../../../contract/permissions.ts';
import type { ReadingLease } from '../../../../contract/worklist-events.ts';
import { isApiError } from '../../../lib/api-client.ts';
import { useMe } from '../../../lib/auth/get-me.ts';
import { startReading, stopReading } from '../api/own-leases.ts';
import { readingRoom, useReadingRoomFeed } from '../api/reading-room.ts';
import { samePerson } from '../lib/reading-room-store.ts';
import { useMePerson } from '../api/use-me-person.ts';
import { useStudyPresence } from './use-presence.ts';

/** A question the reading panel asks before acting. */
export type ReadingQuestion =
  | { kind: 'take-over'; lease: ReadingLease; forViewer: boolean; proceed: () => void }
  | { kind: 'break'; lease: ReadingLease };

export type ReadingNotice = { tone: 'ok' | 'error'; text: string };

/** The guard the app hands the drawer's Open in Viewer button (structurally the drawer's ViewerOpenGuard). */
export interface ReadingViewerGuard {
  beforeOpen(studyId: string, proceed: () => void): 'open' | 'wait';
  opening(studyId: string): void;
}

interface ReadingSession {
  studyId: string;
  /** The panel tells the session which version of the study is on screen (for who may take its lease). */
  showStudy(study: Study): void;
  question: ReadingQuestion | null;
  notice: ReadingNotice | null;
  busy: boolean;
  start: () => void;
  stop: () => void;
  askBreak(lease: ReadingLease): void;
  answer(yes: boolean): void;
  viewerGuard: ReadingViewerGuard;
  /** Whether the person may take this study's lease, and may break others'. */
  mayTake(study: Study): boolean;
  mayBreak: boolean;
}

const ReadingSessionContext = createContext<ReadingSession | null>(null);

export function useReadingSession(): ReadingSession | null {
  return useContext(ReadingSessionContext);
}

function failureText(error: unknown): string {
  return isApiError(error) ? error.detail || error.title : 'Something unexpected went wrong.';
}

/**
 * The reading side of an open drawer: marks the person present while it is open, takes, takes over,
 * releases and breaks the study's lease, and holds the question asked before taking someone else's.
 */
export function ReadingSessionProvider({ studyId, children }: { studyId: string; children: ReactNode }) {
  useReadingRoomFeed();
  useStudyPresence(studyId);
  const me = useMe().data ?? null;
  const person = useMePerson();
  const actor = actorOf(me);
  const study = useRef<Study | null>(null);
  const [question, setQuestion] = useState<ReadingQuestion | null>(null);
  const [notice, setNotice] = useState<ReadingNotice | null>(null);
  const [busy, setBusy] = useState(false);
  // Set by the take-over answer just before the viewer opens, read by `opening` of whichever guard the button holds then.
  const takeOverNext = useRef(false);

  const mayTake = useCallback(
    (shown: Study) => mayTakeLease(actor, { assignedTo: shown.assignedTo, isCancelled: shown.isCancelled }).allowed,
    [actor],
  );
  const othersLease = useCallback(() => {
    const lease = readingRoom.leaseOf(studyId);
    return lease && person && !samePerson(lease.holder, person) ? lease : undefined;
  }, [studyId, person]);

  const take = useCallback(
    async (takeOver: boolean, forViewer: boolean) => {
      setBusy(true);
      setNotice(null);
      try {
        const result = await startReading(studyId, { takeOver });
        if (result.outcome === 'held') {
          // Someone took it between the click and the answer: ask, as if it had been known.
          setQuestion({
            kind: 'take-over',
            lease: result.lease,
            forViewer: false,
            proceed: () => void take(true, false),
          });
          return;
        }
        setNotice({
          tone: 'ok',
          text: takeOver
            ? 'You took over reading this study.'
            : forViewer
              ? 'You are reading this study.'
              : 'Reading started.',
        });
      } catch (error) {
        setNotice({ tone: 'error', text: `Reading was not started. ${failureText(error)}` });
      } finally {
        setBusy(false);
      }
    },
    [studyId],
  );

  const session = useMemo<ReadingSession>(() => {
    return {
      studyId,
      showStudy: (shown) => {
        study.current = shown;
      },
      question,
      notice,
      busy,
      mayTake,
      mayBreak: mayBreakLease(actor),
      start() {
        const held = othersLease();
        if (held) {
          setQuestion({ kind: 'take-over', lease: held, forViewer: false, proceed: () => void take(true, false) });
          return;
        }
        void take(false, false);
      },
      stop() {
        setBusy(true);
        setNotice(null);
        stopReading(studyId)
          .then(
            () => setNotice({ tone: 'ok', text: 'You stopped reading this study.' }),
            (error: unknown) => setNotice({ tone: 'error', text: `The lease was not released. ${failureText(error)}` }),
          )
          .finally(() => setBusy(false));
      },
      askBreak(lease) {
        setQuestion({ kind: 'break', lease });
      },
      answer(yes) {
        const asked = question;
        setQuestion(null);
        if (!yes || !asked) return;
        if (asked.kind === 'take-over') {
          asked.proceed();
          return;
        }
        setBusy(true);
        stopReading(studyId)
          .then(
            () => setNotice({ tone: 'ok', text: `${asked.lease.holder.name}’s lease was released.` }),
            (error: unknown) => setNotice({ tone: 'error', text: `The lease was not released. ${failureText(error)}` }),
          )
          .finally(() => setBusy(false));
      },
      viewerGuard: {
        beforeOpen(id, proceed) {
          const shown = study.current;
          if (id !== studyId || !shown || !mayTake(shown)) return 'open';
          const held = othersLease();
          if (!held) return 'open';
          setQuestion({
            kind: 'take-over',
            lease: held,
            forViewer: true,
            proceed: () => {
              takeOverNext.current = true;
              proceed();
            },
          });
          return 'wait';
        },
        opening(id) {
          const shown = study.current;
          const takeOver = takeOverNext.current;
          takeOverNext.current = false;
          if (id !== studyId || !shown || !mayTake(shown)) return;
          const lease = readingRoom.leaseOf(studyId);
          // Already the person's: the heartbeat keeps it; nothing to ask the server.
          if (!takeOver && lease && person && samePerson(lease.holder, person)) return;
          void take(takeOver, true);
        },
      },
    };
  }, [studyId, question, notice, busy, mayTake, actor, othersLease, take, person]);

  return <ReadingSessionContext.Provider value={session}>{children}</ReadingSessionContext.Provider>;
}
