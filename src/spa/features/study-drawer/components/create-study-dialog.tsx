import { useId, useState } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { useModalDialog } from '../../../lib/dom/use-modal-dialog.ts';
import { BUTTON } from './button-styles.ts';
import { ConfirmPanel } from './confirm-panel.tsx';
import { CreateStudyForm } from './create-study-form.tsx';

/** The modal dialog with the create form; asks before discarding what was typed. */
export function CreateStudyDialog({ meUserId, onClose }: { meUserId: string | null; onClose: () => void }) {
  const dialogRef = useModalDialog();
  const titleId = useId();
  const [dirty, setDirty] = useState(false);
  const [confirmDiscard, setConfirmDiscard] = useState(false);
  const navigate = useNavigate();
  const { search } = useLocation();

  const requestClose = () => (dirty ? setConfirmDiscard(true) : onClose());

  return (
    <dialog
      ref={dialogRef}
      aria-labelledby={titleId}
      onCancel={(event) => {
        // Esc: the browser would close the dialog outright; a filled-in form asks first.
        event.preventDefault();
        requestClose();
      }}
      className="fixed inset-0 m-auto max-h-[90vh] w-full max-w-2xl overflow-hidden rounded-lg border border-border bg-panel p-0 text-fg shadow-2xl backdrop:bg-black/60"
    >
      <div className="flex max-h-[90vh] flex-col">
        <div className="flex items-center justify-between gap-4 border-b border-border px-6 py-4">
          <h2 id={titleId} className="text-lg font-semibold">
            New study
          </h2>
          <button type="button" className={BUTTON.secondary} onClick={requestClose} aria-label="Close new study">
            <span aria-hidden="true">✕</span>
            <span>Close</span>
          </button>
        </div>
        <div className="overflow-y-auto px-6 pt-5">
          {confirmDiscard ? (
            <div className="mb-5">
              <ConfirmPanel
                title="Discard this new study?"
                confirmLabel="Discard"
                cancelLabel="Keep editing"
                onConfirm={onClose}
                onCancel={() => setConfirmDiscard(false)}
              >
                What you entered will be lost.
              </ConfirmPanel>
            </div>
          ) : null}
          <CreateStudyForm
            meUserId={meUserId}
            onDirtyChange={setDirty}
            onOpenExisting={onClose}
            onCancel={requestClose}
            onCreated={(study) => {
              onClose();
              void navigate({ pathname: `/studies/${study.studyId}`, search });
            }}
          />
        </div>
      </div>
    </dialog>
  );
}
