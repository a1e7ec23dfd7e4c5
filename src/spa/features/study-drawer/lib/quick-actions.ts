import type { Severity, Study, StudyUpdateParams } from '../../../../contract/avara-types.ts';
import type { Me, Person } from '../../../../contract/worklist-api.ts';
import { SEVERITY_LABEL } from '../../../components/severity-badge.tsx';
import type { DrawerFocusTarget } from './drawer-focus.ts';
import { meAsAssignee } from './me-as-assignee.ts';

/** One click's change from the drawer's actions, shown at once (`optimistic`) before the server answers. */
export interface QuickAction {
  /** What the person pressed, in the notice afterwards ("Mark read: done."). */
  label: string;
  changes: StudyUpdateParams;
  optimistic: Study;
  /** Where focus goes once done (drawer-focus.ts); nowhere else when absent. */
  after?: DrawerFocusTarget;
}

/** Assign to me (the roster, when loaded, gives the optimistic row the person's name parts). */
export function claimAction(
  study: Study,
  me: Me | null,
  userId: string | null,
  roster?: readonly Person[],
): QuickAction {
  return {
    label: 'Assign to me',
    changes: { assignedTo: userId },
    optimistic: { ...study, assignedTo: meAsAssignee(me, userId, roster) },
    after: 'after-claim',
  };
}

/** Mark read, or Reopen once read. */
export function viewerStatusAction(study: Study): QuickAction {
  return study.studyViewerStatus === 'complete'
    ? {
        label: 'Reopen',
        changes: { studyViewerStatus: 'incomplete' },
        optimistic: { ...study, studyViewerStatus: 'incomplete' },
      }
    : {
        label: 'Mark read',
        changes: { studyViewerStatus: 'complete' },
        optimistic: { ...study, studyViewerStatus: 'complete' },
        after: 'after-read',
      };
}

/** A new severity; none when the study has it already. */
export function severityAction(study: Study, severity: Severity): QuickAction | null {
  if (study.severity === severity) return null;
  return { label: `Severity ${SEVERITY_LABEL[severity]}`, changes: { severity }, optimistic: { ...study, severity } };
}

/** Why a quick action did not stick: someone else's change came first, or the server refused (`detail`). */
export function quickActionFailure(
  label: string,
  failure: { conflict: true } | { conflict: false; detail: string },
): string {
  return failure.conflict
    ? `Someone else changed this study just now, so “${label}” was not applied. It now shows their version; check it and try again.`
    : `“${label}” was not applied and the change was undone. ${failure.detail}`;
}

/** The words of cancelling a study and of restoring one: the question, and the outcome either way. */
export const CANCEL_WORDS = {
  cancel: {
    question: 'Cancel this study?',
    body: 'It leaves the reading list. A coordinator can restore it later.',
    confirm: 'Yes, cancel study',
    keep: 'Keep study',
    done: 'Study cancelled.',
    failed: 'The study was not cancelled',
  },
  restore: {
    question: 'Restore this study?',
    body: 'It goes back on the reading list.',
    confirm: 'Yes, restore study',
    keep: 'Keep cancelled',
    done: 'Study restored to the worklist.',
    failed: 'The study was not restored',
  },
} as const;
export type CancelKind = keyof typeof CANCEL_WORDS;
