import { useEffect, useId, useRef } from 'react';
import type { Study } from '../../../../contract/avara-types.ts';
import type { Person } from '../../../../contract/worklist-api.ts';
import { metadataFromRows } from '../lib/metadata-rules.ts';
import { changedFields, changesFrom, describeField, FIELD_LABEL, rebaseDraft } from '../lib/study-draft.ts';
import type { EditableField, StudyDraft } from '../lib/study-draft.ts';
import { BUTTON } from './button-styles.ts';
import { RelativeTime } from './relative-time.tsx';

interface ConflictPanelProps {
  /** The version the user started editing. */
  editedFrom: Study;
  /** The version someone else saved since. */
  current: Study;
  /** Seen as it happened (the live stream), before the user tried to save. */
  seenLive?: boolean;
  draft: StudyDraft;
  /** Names the person the user picked, when they are neither the old nor the new assignee. */
  roster: Person[] | undefined;
  saving: boolean;
  onReapply: () => void;
  onKeepEditing: () => void;
  onDiscard: () => void;
}

const FIELDS: EditableField[] = ['studyDescription', 'severity', 'studyViewerStatus', 'assignedTo', 'metadata'];

/**
 * Someone else saved the study while the user was editing: what they changed, what the user changed,
 * where both did, and the way forward. Nothing is overwritten unless the user chooses to.
 */
export function ConflictPanel({
  editedFrom,
  current,
  seenLive = false,
  draft,
  roster,
  saving,
  onReapply,
  onKeepEditing,
  onDiscard,
}: ConflictPanelProps) {
  const titleId = useId();
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    headingRef.current?.focus();
  }, [current.updatedAt]);

  const theirs = new Set(changedFields(editedFrom, current));
  const mineChanges = changesFrom(editedFrom, draft);
  const mine = new Set(FIELDS.filter((field) => mineChanges[field] !== undefined));
  // What reapplying would save: the user's fields on top of theirs (metadata merged key by key).
  const rebased = rebaseDraft(draft, editedFrom, current);
  const yours: Study = {
    ...current,
    studyDescription: rebased.studyDescription,
    severity: rebased.severity,
    studyViewerStatus: rebased.studyViewerStatus,
    assignedTo: draftAssignee(editedFrom, current, rebased, roster),
    metadata: metadataFromRows(rebased.metadata),
  };
  const rows = FIELDS.filter((field) => theirs.has(field) || mine.has(field));

  return (
    <section aria-labelledby={titleId} className="rounded-md border border-high-border bg-high-bg/40 p-4">
      <h3 id={titleId} ref={headingRef} tabIndex={-1} className="font-semibold text-high-fg focus:outline-none">
        Someone else changed this study
      </h3>
      <p className="mt-1 text-sm text-fg">
        Saved <RelativeTime value={current.updatedAt} /> while you were editing.{' '}
        {seenLive
          ? 'Your changes are kept here, not saved yet; choose how to go on.'
          : 'Your changes were not saved and nothing of theirs was overwritten.'}
      </p>
      <div className="mt-3 overflow-x-auto">
        <table className="w-full border-collapse text-left text-sm">
          <caption className="sr-only">Their changes and yours</caption>
          <thead>
            <tr className="text-xs uppercase tracking-wide text-fg-muted">
              <th scope="col" className="py-1 pr-3 font-medium">
                Field
              </th>
              <th scope="col" className="py-1 pr-3 font-medium">
                Was
              </th>
              <th scope="col" className="py-1 pr-3 font-medium">
                Theirs (saved)
              </th>
              <th scope="col" className="py-1 font-medium">
                Yours, reapplied
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((field) => (
              <tr key={field} className="border-t border-border align-top">
                <th scope="row" className="py-1.5 pr-3 font-medium">
                  {FIELD_LABEL[field]}
                  {theirs.has(field) && mine.has(field) ? (
                    <span className="block text-xs font-normal text-high-fg">Both changed</span>
                  ) : null}
                </th>
                <td className="py-1.5 pr-3 text-fg-muted">{describeField(editedFrom, field)}</td>
                <td className={`py-1.5 pr-3 ${theirs.has(field) ? 'font-medium text-fg' : 'text-fg-muted'}`}>
                  {theirs.has(field) ? describeField(current, field) : 'Unchanged'}
                </td>
                <td className={`py-1.5 ${mine.has(field) ? 'font-medium text-fg' : 'text-fg-muted'}`}>
                  {mine.has(field) ? describeField(yours, field) : 'Unchanged'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="mt-3 text-sm text-fg-muted">
        Reapplying saves your changes on top of theirs
        {[...mine].some((field) => theirs.has(field))
          ? '; where you both changed a field, yours wins (metadata is merged key by key)'
          : ''}
        .
      </p>
      <div className="mt-3 flex flex-wrap gap-2">
        <button type="button" className={BUTTON.primary} onClick={onReapply} disabled={saving}>
          {saving ? 'Saving…' : 'Reapply my changes'}
        </button>
        <button type="button" className={BUTTON.secondary} onClick={onKeepEditing} disabled={saving}>
          Review in form
        </button>
        <button type="button" className={BUTTON.secondary} onClick={onDiscard} disabled={saving}>
          Discard mine
        </button>
      </div>
    </section>
  );
}

/** The assignee the user chose, as a reference the describer can name. */
function draftAssignee(
  editedFrom: Study,
  current: Study,
  draft: StudyDraft,
  roster: Person[] | undefined,
): Study['assignedTo'] {
  if (draft.assignedTo === null) return null;
  for (const candidate of [current.assignedTo, editedFrom.assignedTo, ...(roster ?? [])]) {
    if (candidate?.userId === draft.assignedTo) return candidate;
  }
  return { userId: draft.assignedTo, email: draft.assignedTo };
}
