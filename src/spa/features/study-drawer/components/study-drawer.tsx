import { useLayoutEffect, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import type { Study } from '../../../../contract/avara-types.ts';
import { actorOf, studyActions } from '../../../../contract/permissions.ts';
import { useMe } from '../../../lib/auth/get-me.ts';
import { useUsers } from '../../../lib/people/get-users.ts';
import { useFollowStudy } from '../api/follow-study.ts';
import { useStudy } from '../api/get-study.ts';
import { useSetStudyCancelled } from '../api/set-study-cancelled.ts';
import { isStudyConflict, useQuickUpdateStudy } from '../api/update-study.ts';
import { drawerFocusElement } from '../lib/drawer-focus.ts';
import type { DrawerFocusTarget } from '../lib/drawer-focus.ts';
import {
  CANCEL_WORDS,
  claimAction,
  quickActionFailure,
  severityAction,
  viewerStatusAction,
} from '../lib/quick-actions.ts';
import type { CancelKind, QuickAction } from '../lib/quick-actions.ts';
import { SeverityBadge } from '../../../components/severity-badge.tsx';
import { BUTTON } from './button-styles.ts';
import { ConflictPanel } from './conflict-panel.tsx';
import { CancelStudyQuestion, DiscardChangesQuestion } from './drawer-questions.tsx';
import { DrawerFrame } from './drawer-frame.tsx';
import { DrawerError, DrawerLoading, DrawerNotFound, isNotFound } from './drawer-states.tsx';
import { RelativeTime } from './relative-time.tsx';
import { RestoredEditNotice } from './restored-edit-notice.tsx';
import { describeSaveError } from './save-error.tsx';
import { StudyDetails } from './study-details.tsx';
import { StudyEditForm } from './study-edit-form.tsx';
import { SeverityAndCancel, StudyActionButtons } from './study-quick-actions.tsx';
import { StudyReports } from './study-reports.tsx';
import { useCloseDrawer } from './use-close-drawer.ts';
import { useEditSession } from './use-edit-session.ts';
import type { EditSession } from './use-edit-session.ts';
import { useUnsavedGuard } from './use-unsaved-guard.ts';

type Notice = { tone: 'ok' | 'error'; text: string };
type Question = 'discard' | CancelKind;

export interface StudyDrawerProps {
  studyId: string;
  /** What the app shows under the study's actions (e.g. its PACS context), kept out of this feature. */
  renderStudyExtras?: ((study: Study) => ReactNode) | undefined;
  /**
   * What the app adds beside the study's actions for reading (e.g. Next study). `markedRead`: the
   * person marked this study read in this drawer just now (an element there marked
   * `data-focus-after-read` then gets focus).
   */
  renderReadingActions?: ((study: Study, context: { markedRead: boolean }) => ReactNode) | undefined;
}

/** The study behind `/studies/:studyId`: its fields, its actions, and the edit form. */
export function StudyDrawer({ studyId, renderStudyExtras, renderReadingActions }: StudyDrawerProps) {
  const close = useCloseDrawer();
  const study = useStudy(studyId);
  useFollowStudy(studyId);
  const person = useMe().data?.subject ?? null;
  const notFound = study.isError && isNotFound(study.error);
  const [fullDescription, setFullDescription] = useState(false);

  // One frame through loading, error and loaded states: swapping it would move focus out of the
  // drawer and lose the row to return to.
  return (
    <DrawerFrame
      heading={
        study.data ? (
          // A long description is clamped, so the drawer's controls stay on screen; the whole text on demand.
          <span
            className={`${study.data.isCancelled ? 'line-through decoration-fg-muted/70' : ''} ${fullDescription ? '' : 'line-clamp-3'}`}
          >
            {study.data.studyDescription}
          </span>
        ) : study.isPending ? (
          'Loading study…'
        ) : notFound ? (
          'Study not found'
        ) : (
          'Study'
        )
      }
      subheading={
        study.data ? (
          <>
            {study.data.studyDescription.length > LONG_DESCRIPTION ? (
              <button
                type="button"
                aria-expanded={fullDescription}
                onClick={() => setFullDescription((shown) => !shown)}
                className={BUTTON.small}
              >
                {fullDescription ? 'Show less of the description' : 'Show the whole description'}
              </button>
            ) : null}
            <StudySummary study={study.data} />
          </>
        ) : undefined
      }
      onClose={close}
      studyId={studyId}
    >
      {study.data ? (
        // A fresh drawer per person, once known: it reopens their kept edit, and no one else's.
        <LoadedStudyDrawer
          key={person ?? ''}
          study={study.data}
          renderStudyExtras={renderStudyExtras}
          renderReadingActions={renderReadingActions}
        />
      ) : study.isPending ? (
        <DrawerLoading label="Loading the study" />
      ) : notFound ? (
        <DrawerNotFound message={`No study has the ID “${studyId}”.`} onClose={close} />
      ) : (
        <DrawerError error={study.error} onRetry={() => void study.refetch()} retrying={study.isFetching} />
      )}
    </DrawerFrame>
  );
}

function StudySummary({ study }: { study: Study }) {
  return (
    <>
      <SeverityBadge severity={study.severity} />
      {study.isCancelled ? (
        <span className="rounded border border-danger-border bg-danger-bg px-1.5 py-px text-xs font-semibold text-danger-fg">
          Cancelled
        </span>
      ) : null}
      <span className="text-fg-muted">{study.studyViewerStatus === 'complete' ? 'Read' : 'Unread'}</span>
      <span className="text-fg-muted" aria-hidden="true">
        ·
      </span>
      <span className="text-fg-muted">
        Waiting since <RelativeTime value={study.createdAt} />
      </span>
    </>
  );
}

function LoadedStudyDrawer({
  study,
  renderStudyExtras,
  renderReadingActions,
}: { study: Study } & Pick<StudyDrawerProps, 'renderStudyExtras' | 'renderReadingActions'>) {
  const me = useMe().data ?? null;
  const actor = actorOf(me);
  const actions = studyActions(actor, study);
  const session = useEditSession(me, study);
  const { edit, conflict, dirty } = session;
  const [question, setQuestion] = useState<Question | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [markedRead, setMarkedRead] = useState(false);
  // Where focus goes once the action's result is on screen (see drawer-focus.ts).
  const [focusTarget, setFocusTarget] = useState<DrawerFocusTarget | null>(null);
  const containerRef = useRef<HTMLDivElement>(null);
  const roster = useUsers(edit !== null && actions.pickAssignee);

  const quick = useQuickUpdateStudy();
  const setCancelled = useSetStudyCancelled();

  const blocker = useUnsavedGuard(dirty);

  function startEditing() {
    setNotice(null);
    session.start();
    setFocusTarget('form');
  }

  function stopEditing() {
    session.stop();
    setFocusTarget('edit');
    setQuestion(null);
  }

  function save(edited: EditSession) {
    session.save(edited, (saved) => {
      stopEditing();
      if (saved) setNotice({ tone: 'ok', text: 'Changes saved.' });
    });
  }

  function quickUpdate({ label, changes, optimistic, after }: QuickAction) {
    setNotice(null);
    quick.mutate(
      { studyId: study.studyId, changes, expectedUpdatedAt: study.updatedAt, optimistic },
      {
        // Focus moves once the answer is on screen: until then the buttons are disabled.
        onSuccess: () => {
          setNotice({ tone: 'ok', text: `${label}: done.` });
          if (after === 'after-read') setMarkedRead(true);
          if (after) setFocusTarget(after);
        },
        onError: (error) => {
          const failure = isStudyConflict(error)
            ? ({ conflict: true } as const)
            : ({ conflict: false, detail: describeSaveError(error).detail } as const);
          setNotice({ tone: 'error', text: quickActionFailure(label, failure) });
          if (after) setFocusTarget('status');
        },
      },
    );
  }

  function cancelOrRestore(kind: CancelKind) {
    const words = CANCEL_WORDS[kind];
    setCancelled.mutate(
      { study, cancelled: kind === 'cancel' },
      {
        onSuccess: () => {
          setQuestion(null);
          setNotice({ tone: 'ok', text: words.done });
        },
        onError: (error) => {
          setQuestion(null);
          setNotice({ tone: 'error', text: `${words.failed}. ${describeSaveError(error).detail}` });
        },
      },
    );
  }

  const busy = quick.isPending || setCancelled.isPending;

  // eslint-disable-next-line react-hooks/exhaustive-deps -- after every render on purpose: the target's element may appear in a later one
  useLayoutEffect(() => {
    const container = containerRef.current;
    if (focusTarget === null || busy || !container) return;
    drawerFocusElement(container, focusTarget)?.focus();
    setFocusTarget(null);
  });
  const meUserId = actor.userId;
  const leaving = blocker.state === 'blocked';

  return (
    <div ref={containerRef} className="space-y-5 pb-6">
      {study.isCancelled ? (
        <p className="rounded-md border border-danger-border bg-danger-bg px-3 py-2 text-sm text-danger-fg">
          This study was cancelled {study.cancelledAt ? <RelativeTime value={study.cancelledAt} /> : null}. It is not on
          the reading list.
        </p>
      ) : null}

      {leaving || question === 'discard' ? (
        <DiscardChangesQuestion
          onDiscard={() => {
            if (!leaving) {
              stopEditing();
              return;
            }
            // Leaving without saving: the kept copy goes too, or it would come back on the next visit.
            session.forgetKept();
            blocker.proceed();
          }}
          onKeepEditing={() => (leaving ? blocker.reset() : setQuestion(null))}
        />
      ) : question === 'cancel' || question === 'restore' ? (
        <CancelStudyQuestion
          kind={question}
          busy={setCancelled.isPending}
          onConfirm={() => cancelOrRestore(question)}
          onCancel={() => setQuestion(null)}
        />
      ) : null}

      {notice ? (
        <p
          role={notice.tone === 'error' ? 'alert' : 'status'}
          data-drawer-status=""
          tabIndex={-1}
          className={
            notice.tone === 'error'
              ? 'rounded-md border border-danger-border bg-danger-bg px-3 py-2 text-sm text-danger-fg'
              : 'rounded-md border border-border bg-panel-raised px-3 py-2 text-sm text-success-fg'
          }
        >
          {notice.text}
        </p>
      ) : null}

      {edit && conflict ? (
        <ConflictPanel
          editedFrom={edit.editedFrom}
          current={conflict.current}
          seenLive={conflict.seenLive}
          draft={edit.draft}
          roster={roster.data}
          saving={session.saving}
          onReapply={() => {
            const rebased = session.rebaseOntoConflict();
            if (rebased) save(rebased);
          }}
          onKeepEditing={() => void session.rebaseOntoConflict()}
          onDiscard={stopEditing}
        />
      ) : null}

      {edit && session.restoredAt !== null ? (
        <RestoredEditNotice savedAt={session.restoredAt} onDiscard={() => setQuestion('discard')} />
      ) : null}

      {/* While the conflict is open the form waits: saving it would only meet the same refusal. */}
      {edit && !conflict ? (
        <StudyEditForm
          base={edit.editedFrom}
          draft={edit.draft}
          onDraftChange={session.changeDraft}
          role={actor.role}
          meUserId={meUserId}
          roster={roster.data}
          rosterError={roster.isError}
          dirty={dirty}
          saving={session.saving}
          saveError={session.saveError}
          onSave={() => save(edit)}
          onCancel={() => (dirty ? setQuestion('discard') : stopEditing())}
        />
      ) : edit ? null : (
        <>
          <StudyActionButtons
            study={study}
            actions={actions}
            busy={busy}
            onClaim={() => quickUpdate(claimAction(study, me, meUserId, roster.data))}
            onToggleRead={() => quickUpdate(viewerStatusAction(study))}
            onEdit={startEditing}
          />
          {renderReadingActions?.(study, { markedRead })}
          {actions.readOnlyReason ? <p className="text-sm text-fg-muted">{actions.readOnlyReason}</p> : null}
          <SeverityAndCancel
            study={study}
            actions={actions}
            busy={busy}
            onSeverity={(severity) => {
              const action = severityAction(study, severity);
              if (action) quickUpdate(action);
            }}
            onAskCancel={setQuestion}
          />

          <StudyReports study={study} />
          {renderStudyExtras?.(study)}
          <StudyDetails study={study} />
        </>
      )}
    </div>
  );
}

/** Past this many characters a description is clamped to three lines in the drawer's heading. */
const LONG_DESCRIPTION = 140;
