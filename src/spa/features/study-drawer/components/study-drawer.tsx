import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import { useBlocker } from 'react-router';
import type { BlockerFunction } from 'react-router';
import { SEVERITIES } from '../../../../contract/avara-types.ts';
import type { Study, StudyUpdateParams } from '../../../../contract/avara-types.ts';
import { actorOf, studyActions } from '../../../../contract/permissions.ts';
import { useMe } from '../../../lib/auth/get-me.ts';
import { useCancelStudy } from '../api/cancel-study.ts';
import { useUsers } from '../../../lib/people/get-users.ts';
import { meAsAssignee } from '../lib/me-as-assignee.ts';
import { useFollowStudy } from '../api/follow-study.ts';
import { useStudy } from '../api/get-study.ts';
import { useUncancelStudy } from '../api/uncancel-study.ts';
import { isStudyConflict, useQuickUpdateStudy, useUpdateStudy } from '../api/update-study.ts';
import { drawerFocusElement } from '../lib/drawer-focus.ts';
import type { DrawerFocusTarget } from '../lib/drawer-focus.ts';
import { STUDY_KEYS } from '../../../lib/shortcuts/study-shortcuts.ts';
import { changesFrom, draftFromStudy, hasChanges, rebaseDraft } from '../lib/study-draft.ts';
import type { StudyDraft } from '../lib/study-draft.ts';
import { BUTTON } from './button-styles.ts';
import { ConfirmPanel } from './confirm-panel.tsx';
import { ConflictPanel } from './conflict-panel.tsx';
import { DrawerFrame } from './drawer-frame.tsx';
import { DrawerError, DrawerLoading, DrawerNotFound, isNotFound } from './drawer-states.tsx';
import { OpenInViewerButton } from './open-in-viewer-button.tsx';
import { RelativeTime } from './relative-time.tsx';
import { RestoredEditNotice } from './restored-edit-notice.tsx';
import { describeSaveError } from './save-error.tsx';
import { SEVERITY_LABEL, SeverityBadge } from '../../../components/severity-badge.tsx';
import { StudyDetails } from './study-details.tsx';
import { StudyEditForm } from './study-edit-form.tsx';
import { useCloseDrawer } from './use-close-drawer.ts';
import { useKeptEdit } from './use-kept-edit.ts';

interface EditSession {
  /** The version the user started from: its `updatedAt` goes in If-Match, and the diff is against it. */
  editedFrom: Study;
  draft: StudyDraft;
}

type Notice = { tone: 'ok' | 'error'; text: string };
type Question = 'discard' | 'cancel-study' | 'uncancel-study';

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
          <span className={`${study.data.isCancelled ? 'line-through decoration-fg-muted/70' : ''} ${fullDescription ? '' : 'line-clamp-3'}`}>{study.data.studyDescription}</span>
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
              <button type="button" aria-expanded={fullDescription} onClick={() => setFullDescription((shown) => !shown)} className={BUTTON.small}>
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
        <LoadedStudyDrawer key={person ?? ''} study={study.data} renderStudyExtras={renderStudyExtras} renderReadingActions={renderReadingActions} />
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
        <span className="rounded border border-danger-border bg-danger-bg px-1.5 py-px text-xs font-semibold text-danger-fg">Cancelled</span>
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

function LoadedStudyDrawer({ study, renderStudyExtras, renderReadingActions }: { study: Study } & Pick<StudyDrawerProps, 'renderStudyExtras' | 'renderReadingActions'>) {
  const me = useMe().data ?? null;
  const actor = actorOf(me);
  const actions = studyActions(actor, study);
  // An edit kept from before (the session ended mid-edit) reopens the form where it was left.
  const kept = useKeptEdit(me, study.studyId);
  const [edit, setEdit] = useState<EditSession | null>(kept.restored?.edit ?? null);
  const [restoredAt, setRestoredAt] = useState(kept.restored?.savedAt ?? null);
  const [conflict, setConflict] = useState<{ current: Study; seenLive: boolean } | null>(null);
  const [question, setQuestion] = useState<Question | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [markedRead, setMarkedRead] = useState(false);
  // Where focus goes once the action's result is on screen (see drawer-focus.ts).
  const [focusTarget, setFocusTarget] = useState<DrawerFocusTarget | null>(null);
  const containerRef = useRef<HTMLDivElement>(null);
  const roster = useUsers(edit !== null && actions.pickAssignee);

  const update = useUpdateStudy();
  const quick = useQuickUpdateStudy();
  const cancel = useCancelStudy();
  const uncancel = useUncancelStudy();

  const dirty = edit !== null && hasChanges(changesFrom(edit.editedFrom, edit.draft));

  // Someone else changed the study while it is being edited (the live stream, or a refetch brought
  // it): the conflict view at once, not only at Save. Not while a save is on its way: its own answer
  // decides. Without changes of one's own, the form simply starts again from the new version.
  const savingNow = update.isPending;
  useEffect(() => {
    if (!edit || savingNow || study.updatedAt === edit.editedFrom.updatedAt) return;
    if (conflict?.current.updatedAt === study.updatedAt) return;
    if (!dirty) {
      setEdit({ editedFrom: study, draft: draftFromStudy(study) });
      return;
    }
    setConflict({ current: study, seenLive: true });
  }, [edit, dirty, savingNow, study, conflict]);
  const keepEdit = kept.keep;
  useEffect(() => keepEdit(edit), [keepEdit, edit]);

  // Leaving the study with unsaved edits (Esc, Close, another row, Back) asks first.
  const shouldBlock = useCallback<BlockerFunction>(
    ({ currentLocation, nextLocation }) => dirty && currentLocation.pathname !== nextLocation.pathname,
    [dirty],
  );
  const blocker = useBlocker(shouldBlock);
  useEffect(() => {
    if (!dirty) return;
    // A reload or a closed tab cannot be asked in-app: the browser's own prompt covers them.
    const onBeforeUnload = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => window.removeEventListener('beforeunload', onBeforeUnload);
  }, [dirty]);

  function startEditing() {
    setNotice(null);
    setRestoredAt(null);
    update.reset();
    setEdit({ editedFrom: study, draft: draftFromStudy(study) });
    setFocusTarget('form');
  }

  function stopEditing() {
    setEdit(null);
    setFocusTarget('edit');
    setRestoredAt(null);
    setConflict(null);
    setQuestion(null);
    update.reset();
  }

  function save(session: EditSession) {
    const changes = changesFrom(session.editedFrom, session.draft);
    if (!hasChanges(changes)) {
      stopEditing();
      return;
    }
    update.mutate(
      { studyId: study.studyId, changes, expectedUpdatedAt: session.editedFrom.updatedAt },
      {
        onSuccess: () => {
          stopEditing();
          setNotice({ tone: 'ok', text: 'Changes saved.' });
        },
        onError: (error) => {
          if (isStudyConflict(error)) setConflict({ current: error.current, seenLive: false });
        },
      },
    );
  }

  function rebaseOntoConflict(): EditSession | null {
    if (!edit || !conflict) return null;
    const rebased = { editedFrom: conflict.current, draft: rebaseDraft(edit.draft, edit.editedFrom, conflict.current) };
    setEdit(rebased);
    setConflict(null);
    update.reset();
    return rebased;
  }

  function quickUpdate(action: string, changes: StudyUpdateParams, optimistic: Study, after?: DrawerFocusTarget) {
    setNotice(null);
    quick.mutate(
      { studyId: study.studyId, changes, expectedUpdatedAt: study.updatedAt, optimistic },
      {
        // Focus moves once the answer is on screen: until then the buttons are disabled.
        onSuccess: () => {
          setNotice({ tone: 'ok', text: `${action}: done.` });
          if (after === 'after-read') setMarkedRead(true);
          if (after) setFocusTarget(after);
        },
        onError: (error) => {
          const text = isStudyConflict(error)
            ? `Someone else changed this study just now, so “${action}” was not applied. It now shows their version; check it and try again.`
            : `“${action}” was not applied and the change was undone. ${describeSaveError(error).detail}`;
          setNotice({ tone: 'error', text });
          if (after) setFocusTarget('status');
        },
      },
    );
  }

  function cancelOrRestore(kind: 'cancel-study' | 'uncancel-study') {
    const mutation = kind === 'cancel-study' ? cancel : uncancel;
    mutation.mutate(study, {
      onSuccess: () => {
        setQuestion(null);
        setNotice({ tone: 'ok', text: kind === 'cancel-study' ? 'Study cancelled.' : 'Study restored to the worklist.' });
      },
      onError: (error) => {
        setQuestion(null);
        setNotice({ tone: 'error', text: `${kind === 'cancel-study' ? 'The study was not cancelled' : 'The study was not restored'}. ${describeSaveError(error).detail}` });
      },
    });
  }

  const busy = quick.isPending || cancel.isPending || uncancel.isPending;

  // eslint-disable-next-line react-hooks/exhaustive-deps -- after every render on purpose: the target's element may appear in a later one
  useLayoutEffect(() => {
    const container = containerRef.current;
    if (focusTarget === null || busy || !container) return;
    drawerFocusElement(container, focusTarget)?.focus();
    setFocusTarget(null);
  });
  const meUserId = actor.userId;

  return (
    <div ref={containerRef} className="space-y-5 pb-6">
      {study.isCancelled ? (
        <p className="rounded-md border border-danger-border bg-danger-bg px-3 py-2 text-sm text-danger-fg">
          This study was cancelled {study.cancelledAt ? <RelativeTime value={study.cancelledAt} /> : null}. It is not on the reading list.
        </p>
      ) : null}

      {blocker.state === 'blocked' ? (
        <ConfirmPanel
          title="Discard your unsaved changes?"
          confirmLabel="Discard changes"
          cancelLabel="Keep editing"
          onConfirm={() => {
            kept.forget();
            blocker.proceed();
          }}
          onCancel={() => blocker.reset()}
        >
          You edited this study and have not saved.
        </ConfirmPanel>
      ) : null}
      {question === 'discard' ? (
        <ConfirmPanel
          title="Discard your unsaved changes?"
          confirmLabel="Discard changes"
          cancelLabel="Keep editing"
          onConfirm={stopEditing}
          onCancel={() => setQuestion(null)}
        />
      ) : null}
      {question === 'cancel-study' ? (
        <ConfirmPanel
          title="Cancel this study?"
          confirmLabel="Yes, cancel study"
          cancelLabel="Keep study"
          busy={cancel.isPending}
          onConfirm={() => cancelOrRestore('cancel-study')}
          onCancel={() => setQuestion(null)}
        >
          It leaves the reading list. A coordinator can restore it later.
        </ConfirmPanel>
      ) : null}
      {question === 'uncancel-study' ? (
        <ConfirmPanel
          title="Restore this study?"
          confirmLabel="Yes, restore study"
          cancelLabel="Keep cancelled"
          tone="primary"
          busy={uncancel.isPending}
          onConfirm={() => cancelOrRestore('uncancel-study')}
          onCancel={() => setQuestion(null)}
        >
          It goes back on the reading list.
        </ConfirmPanel>
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
          saving={update.isPending}
          onReapply={() => {
            const rebased = rebaseOntoConflict();
            if (rebased) save(rebased);
          }}
          onKeepEditing={() => void rebaseOntoConflict()}
          onDiscard={stopEditing}
        />
      ) : null}

      {edit && restoredAt !== null ? <RestoredEditNotice savedAt={restoredAt} onDiscard={() => setQuestion('discard')} /> : null}

      {/* While the conflict is open the form waits: saving it would only meet the same refusal. */}
      {edit && !conflict ? (
        <StudyEditForm
          base={edit.editedFrom}
          draft={edit.draft}
          onDraftChange={(draft) => setEdit({ ...edit, draft })}
          role={actor.role}
          meUserId={meUserId}
          roster={roster.data}
          rosterError={roster.isError}
          dirty={dirty}
          saving={update.isPending}
          saveError={update.isError && !isStudyConflict(update.error) ? update.error : null}
          onSave={() => save(edit)}
          onCancel={() => (dirty ? setQuestion('discard') : stopEditing())}
        />
      ) : edit ? null : (
        <>
          <div className="flex flex-wrap items-start gap-2">
            <OpenInViewerButton studyId={study.studyId} />
            {actions.claim ? (
              <button
                type="button"
                className={BUTTON.secondary}
                disabled={busy}
                aria-keyshortcuts={STUDY_KEYS.claim}
                onClick={() => quickUpdate('Assign to me', { assignedTo: meUserId }, { ...study, assignedTo: meAsAssignee(me, meUserId, roster.data) }, 'after-claim')}
              >
                Assign to me
              </button>
            ) : null}
            {!actions.setViewerStatus ? null : study.studyViewerStatus === 'complete' ? (
              <button
                type="button"
                className={BUTTON.secondary}
                disabled={busy}
                onClick={() => quickUpdate('Reopen', { studyViewerStatus: 'incomplete' }, { ...study, studyViewerStatus: 'incomplete' })}
              >
                Reopen
              </button>
            ) : (
              <button
                type="button"
                className={BUTTON.secondary}
                disabled={busy}
                aria-keyshortcuts={STUDY_KEYS.markRead}
                onClick={() => quickUpdate('Mark read', { studyViewerStatus: 'complete' }, { ...study, studyViewerStatus: 'complete' }, 'after-read')}
              >
                <span aria-hidden="true">✓</span>
                Mark read
              </button>
            )}
            {actions.edit ? (
              <button type="button" className={BUTTON.secondary} aria-keyshortcuts={STUDY_KEYS.edit} onClick={startEditing}>
                Edit
              </button>
            ) : null}
          </div>
          {renderReadingActions?.(study, { markedRead })}
          {actions.readOnlyReason ? <p className="text-sm text-fg-muted">{actions.readOnlyReason}</p> : null}

          {actions.setSeverity ? (
            <fieldset className="flex flex-wrap items-center gap-2">
              <legend className="sr-only">Set severity</legend>
              <span aria-hidden="true" className="mr-1 text-sm text-fg-muted">
                Severity
              </span>
              {SEVERITIES.map((severity) => (
                <button
                  key={severity}
                  type="button"
                  aria-pressed={study.severity === severity}
                  aria-label={`Severity ${SEVERITY_LABEL[severity]}`}
                  disabled={busy}
                  onClick={() => {
                    if (study.severity !== severity) quickUpdate(`Severity ${SEVERITY_LABEL[severity]}`, { severity }, { ...study, severity });
                  }}
                  className={`rounded border px-2.5 py-1 text-xs font-semibold ${
                    study.severity === severity ? 'border-accent bg-accent/20 text-fg' : 'border-border text-fg-muted hover:border-accent hover:text-fg'
                  }`}
                >
                  {SEVERITY_LABEL[severity]}
                </button>
              ))}
              <span className="flex-1" />
              {!actions.cancel ? null : study.isCancelled ? (
                <button type="button" className={BUTTON.secondary} disabled={busy} onClick={() => setQuestion('uncancel-study')}>
                  Restore study
                </button>
              ) : (
                <button type="button" className={BUTTON.danger} disabled={busy} onClick={() => setQuestion('cancel-study')}>
                  Cancel study
                </button>
              )}
            </fieldset>
          ) : actions.cancel && study.isCancelled ? (
            <div>
              <button type="button" className={BUTTON.secondary} disabled={busy} onClick={() => setQuestion('uncancel-study')}>
                Restore study
              </button>
            </div>
          ) : null}

          {renderStudyExtras?.(study)}
          <StudyDetails study={study} />
        </>
      )}
    </div>
  );
}

/** Past this many characters a description is clamped to three lines in the drawer's heading. */
const LONG_DESCRIPTION = 140;

