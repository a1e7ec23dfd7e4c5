import { useState } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { ModalDialog } from '../../../lib/dom/modal-dialog.tsx';
import { useModalDialog } from '../../../lib/dom/use-modal-dialog.ts';
import { BUTTON } from './button-styles.ts';
import { ConfirmPanel } from './confirm-panel.tsx';
import { CreateStudyForm } from './create-study-form.tsx';

/** The modal dialog with the create form; asks before discarding what was typed. */
export function CreateStudyDialog({ meUserId, onClose }: { meUserId: string | null; onClose: () => void }) {
  const dialogRef = useModalDialog();
  const [dirty, setDirty] = useState(false);
  const [confirmDiscard, setConfirmDiscard] = useState(false);
  const navigate = useNavigate();
  const { search } = useLocation();

  const requestClose = () => (dirty ? setConfirmDiscard(true) : onClose());

  return (
    <ModalDialog
      dialogRef={dialogRef}
      title="New study"
      size="wide"
      // Esc: the browser would close the dialog outright; a filled-in form asks first.
      onCancel={requestClose}
      closeButton={
        <button type="button" className={BUTTON.secondary} onClick={requestClose} aria-label="Close new study">
          <span aria-hidden="true">✕</span>
          <span>Close</span>
        </button>
      }
      bodyClassName="px-6 pt-5"
    >
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
    </ModalDialog>
  );
}
