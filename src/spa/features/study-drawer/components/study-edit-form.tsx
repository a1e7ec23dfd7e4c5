import { useId, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import type { Study } from '../../../../contract/avara-types.ts';
import { isApiError } from '../../../lib/api-client.ts';
import type { Person } from '../../../../contract/worklist-api.ts';
import { editableFields, mayChange } from '../../../../contract/permissions.ts';
import { hasMetadataErrors, lockedRowIds, validateMetadata } from '../lib/metadata-rules.ts';
import { changesFrom } from '../lib/study-draft.ts';
import type { StudyDraft } from '../lib/study-draft.ts';
import { AssigneePicker, assigneeLabel } from './assignee-picker.tsx';
import { BUTTON, INPUT } from './button-styles.ts';
import { DescriptionField } from './description-field.tsx';
import { SeverityField } from './severity-field.tsx';
import { MetadataEditor } from './metadata-editor.tsx';
import { SaveError } from './save-error.tsx';

export const DESCRIPTION_MAX_LENGTH = 1000;

interface StudyEditFormProps {
  base: Study;
  draft: StudyDraft;
  onDraftChange: (draft: StudyDraft) => void;
  role: 'coordinator' | 'radiologist';
  meUserId: string | null;
  roster: Person[] | undefined;
  rosterError: boolean;
  dirty: boolean;
  saving: boolean;
  /** The last save's failure (not a conflict: the drawer shows that above the form). */
  saveError: unknown;
  onSave: () => void;
  onCancel: () => void;
}

export function descriptionProblem(description: string): string | undefined {
  if (description.trim() === '') return 'Enter a description.';
  if (description.length > DESCRIPTION_MAX_LENGTH) {
    return `At most ${DESCRIPTION_MAX_LENGTH} characters (this one has ${description.length}).`;
  }
  return undefined;
}

/** Messages the server attached to body fields of a 400, by field name. */
function serverIssues(error: unknown): Record<string, string> {
  if (!isApiError(error) || error.status !== 400) return {};
  return Object.fromEntries(
    error.issues.filter((issue) => issue.in === 'body').map((issue) => [issue.name, issue.message]),
  );
}

/**
 * Edits what the signed-in person may edit of this study (contract/permissions.ts), checked as the
 * user types: the form offers only those fields, and does not send a change the BFF would refuse.
 */
export function StudyEditForm(props: StudyEditFormProps) {
  const {
    base,
    draft,
    onDraftChange,
    role,
    meUserId,
    roster,
    rosterError,
    dirty,
    saving,
    saveError,
    onSave,
    onCancel,
  } = props;
  const ids = { description: useId(), descriptionError: useId(), severity: useId(), status: useId(), blocked: useId() };
  const formRef = useRef<HTMLFormElement>(null);
  const [blocked, setBlocked] = useState(false);
  const actor = { role, userId: meUserId };
  const editable = editableFields(actor, base);
  const decision = mayChange(actor, base, changesFrom(base, draft));
  const refusal = decision.allowed ? undefined : decision.detail;

  const issues = serverIssues(saveError);
  const metadataErrors = validateMetadata(draft.metadata);
  const descriptionError = editable.fields.has('studyDescription')
    ? descriptionProblem(draft.studyDescription)
    : undefined;
  const fieldsInvalid = descriptionError !== undefined || hasMetadataErrors(metadataErrors);
  const invalid = fieldsInvalid || refusal !== undefined;
  const set = (patch: Partial<StudyDraft>) => onDraftChange({ ...draft, ...patch });

  function submit(event: FormEvent) {
    event.preventDefault();
    if (invalid) {
      setBlocked(true);
      formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
      return;
    }
    setBlocked(false);
    onSave();
  }

  const canClaim = editable.assignees === 'themselves';

  return (
    <form ref={formRef} onSubmit={submit} noValidate aria-label="Edit study" className="space-y-5">
      {saveError ? <SaveError error={saveError} /> : null}
      {blocked && invalid ? (
        <p
          id={ids.blocked}
          role="alert"
          className="rounded-md border border-danger-border bg-danger-bg p-3 text-sm text-danger-fg"
        >
          {fieldsInvalid ? 'Fix the marked fields before saving.' : refusal}
        </p>
      ) : null}

      {editable.fields.has('studyDescription') ? (
        <DescriptionField
          id={ids.description}
          errorId={ids.descriptionError}
          value={draft.studyDescription}
          error={descriptionError || (issues.studyDescription ? `Description ${issues.studyDescription}` : undefined)}
          onChange={(studyDescription) => set({ studyDescription })}
        />
      ) : null}

      <div className="grid grid-cols-2 gap-4">
        {editable.fields.has('severity') ? (
          <SeverityField id={ids.severity} value={draft.severity} onChange={(severity) => set({ severity })} />
        ) : null}
        {editable.fields.has('studyViewerStatus') ? (
          <div>
            <label htmlFor={ids.status} className="text-sm font-medium">
              Viewer status
            </label>
            <select
              id={ids.status}
              value={draft.studyViewerStatus}
              onChange={(event) =>
                set({ studyViewerStatus: event.target.value === 'complete' ? 'complete' : 'incomplete' })
              }
              className={`${INPUT} mt-1`}
            >
              <option value="incomplete">Unread</option>
              <option value="complete">Read</option>
            </select>
          </div>
        ) : null}
      </div>

      {editable.assignees === 'anyone' ? (
        <AssigneePicker
          value={draft.assignedTo}
          onChange={(assignedTo) => set({ assignedTo })}
          roster={roster}
          rosterError={rosterError}
          knownAssignee={base.assignedTo}
          meUserId={meUserId}
        />
      ) : (
        <fieldset className="space-y-2">
          <legend className="text-sm font-medium">Assignee</legend>
          <p className="text-sm">{assigneeLabel(draft.assignedTo, roster, base.assignedTo).name}</p>
          {canClaim ? (
            <button
              type="button"
              className={BUTTON.secondary}
              onClick={() => set({ assignedTo: draft.assignedTo === null ? meUserId : null })}
            >
              {draft.assignedTo === null ? 'Assign to me' : 'Leave unassigned'}
            </button>
          ) : null}
          {editable.claimRequired && draft.assignedTo === null ? (
            <p className="text-xs text-fg-muted">Assign it to yourself to mark it read or change its notes.</p>
          ) : null}
        </fieldset>
      )}

      <MetadataEditor
        rows={draft.metadata}
        onChange={(metadata) => set({ metadata })}
        errors={metadataErrors}
        serverError={issues.metadata}
        lockedRowIds={lockedRowIds(draft.metadata, editable.lockedMetadataKeys, base.metadata)}
      />

      <div className="sticky bottom-0 -mx-6 flex items-center gap-2 border-t border-border bg-panel px-6 py-3">
        <button
          type="submit"
          className={BUTTON.primary}
          disabled={saving || !dirty}
          aria-describedby={blocked && invalid ? ids.blocked : undefined}
        >
          {saving ? 'Saving…' : 'Save changes'}
        </button>
        <button type="button" className={BUTTON.secondary} onClick={onCancel} disabled={saving}>
          Cancel
        </button>
        {!dirty ? <span className="text-xs text-fg-muted">No changes yet</span> : null}
      </div>
    </form>
  );
}
