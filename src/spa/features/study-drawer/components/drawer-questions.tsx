import { CANCEL_WORDS } from '../lib/quick-actions.ts';
import type { CancelKind } from '../lib/quick-actions.ts';
import { ConfirmPanel } from './confirm-panel.tsx';

/** Before unsaved edits go (Cancel on the form, Discard on a restored edit, or leaving the study). */
export function DiscardChangesQuestion({
  onDiscard,
  onKeepEditing,
}: {
  onDiscard: () => void;
  onKeepEditing: () => void;
}) {
  return (
    <ConfirmPanel
      title="Discard your unsaved changes?"
      confirmLabel="Discard changes"
      cancelLabel="Keep editing"
      onConfirm={onDiscard}
      onCancel={onKeepEditing}
    >
      You edited this study and have not saved.
    </ConfirmPanel>
  );
}

/** Before a study is cancelled, or restored from cancelled. */
export function CancelStudyQuestion({
  kind,
  busy,
  onConfirm,
  onCancel,
}: {
  kind: CancelKind;
  busy: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const words = CANCEL_WORDS[kind];
  return (
    <ConfirmPanel
      title={words.question}
      confirmLabel={words.confirm}
      cancelLabel={words.keep}
      tone={kind === 'restore' ? 'primary' : 'danger'}
      busy={busy}
      onConfirm={onConfirm}
      onCancel={onCancel}
    >
      {words.body}
    </ConfirmPanel>
  );
}
