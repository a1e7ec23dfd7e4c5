import { useEffect, useState } from 'react';
import type { Study } from '../../../../contract/avara-types.ts';
import type { Me } from '../../../../contract/worklist-api.ts';
import { isStudyConflict, useUpdateStudy } from '../api/update-study.ts';
import { changesFrom, draftFromStudy, hasChanges, rebaseDraft } from '../lib/study-draft.ts';
import type { StudyDraft } from '../lib/study-draft.ts';
import { useKeptEdit } from './use-kept-edit.ts';

export interface EditSession {
  /** The version the user started from: its `updatedAt` goes in If-Match, and the diff is against it. */
  editedFrom: Study;
  draft: StudyDraft;
}

/** Someone else's version met while editing: at Save (a 409), or first through the live stream (`seenLive`). */
export interface EditConflict {
  current: Study;
  seenLive: boolean;
}

/**
 * The drawer's edit of one study: the draft against the version it started from, kept in the tab
 * while it has changes (and reopened from there, `restoredAt`), saved with that version's If-Match,
 * and met with the conflict view as soon as someone else changes the study.
 */
export function useEditSession(me: Me | null, study: Study) {
  // An edit kept from before (the session ended mid-edit) reopens the form where it was left.
  const kept = useKeptEdit(me, study.studyId);
  const [edit, setEdit] = useState<EditSession | null>(kept.restored?.edit ?? null);
  const [restoredAt, setRestoredAt] = useState(kept.restored?.savedAt ?? null);
  const [conflict, setConflict] = useState<EditConflict | null>(null);
  const update = useUpdateStudy();

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

  function start() {
    setRestoredAt(null);
    update.reset();
    setEdit({ editedFrom: study, draft: draftFromStudy(study) });
  }

  function stop() {
    setEdit(null);
    setRestoredAt(null);
    setConflict(null);
    update.reset();
  }

  /** Saves what changed; `onDone(saved)` once the edit is over (`saved`: false when nothing had changed). */
  function save(session: EditSession, onDone: (saved: boolean) => void) {
    const changes = changesFrom(session.editedFrom, session.draft);
    if (!hasChanges(changes)) {
      onDone(false);
      return;
    }
    update.mutate(
      { studyId: study.studyId, changes, expectedUpdatedAt: session.editedFrom.updatedAt },
      {
        onSuccess: () => onDone(true),
        onError: (error) => {
          if (isStudyConflict(error)) setConflict({ current: error.current, seenLive: false });
        },
      },
    );
  }

  /** Carries the draft over onto the other person's version, closing the conflict view. */
  function rebaseOntoConflict(): EditSession | null {
    if (!edit || !conflict) return null;
    const rebased = { editedFrom: conflict.current, draft: rebaseDraft(edit.draft, edit.editedFrom, conflict.current) };
    setEdit(rebased);
    setConflict(null);
    update.reset();
    return rebased;
  }

  function changeDraft(draft: StudyDraft) {
    if (edit) setEdit({ ...edit, draft });
  }

  return {
    edit,
    restoredAt,
    conflict,
    dirty,
    saving: update.isPending,
    /** The save's failure to show on the form (a conflict shows the conflict view instead). */
    saveError: update.isError && !isStudyConflict(update.error) ? update.error : null,
    start,
    stop,
    save,
    rebaseOntoConflict,
    changeDraft,
    /** Drops the kept copy (leaving the study without saving). */
    forgetKept: kept.forget,
  };
}
