import { lazy, Suspense, useRef, useState } from 'react';
import { actorOf, mayManageStudies } from '../../../../contract/actor.ts';
import { useMe } from '../../../lib/auth/get-me.ts';
import { BUTTON } from './button-styles.ts';

// The dialog and its form (with the editors it shares with the drawer) load on first use, keeping
// the worklist's own bundle within its budget; pointing at or focusing the button starts the load.
const loadDialog = () => import('./create-study-dialog.tsx');
const CreateStudyDialog = lazy(async () => ({ default: (await loadDialog()).CreateStudyDialog }));

/**
 * "New study" for the worklist header: coordinators only (the BFF refuses anyone else). Opens the
 * create form in a modal dialog; a created study opens in the drawer.
 */
export function NewStudyButton() {
  const me = useMe();
  const [open, setOpen] = useState(false);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const person = me.data;
  if (!person || !mayManageStudies(actorOf(person))) return null;
  return (
    <>
      <button
        ref={buttonRef}
        type="button"
        className={BUTTON.primary}
        onClick={() => setOpen(true)}
        onPointerEnter={() => void loadDialog()}
        onFocus={() => void loadDialog()}
      >
        <span aria-hidden="true">+</span>
        New study
      </button>
      {open ? (
        <Suspense
          fallback={
            <span role="status" className="text-sm text-fg-muted">
              Opening…
            </span>
          }
        >
          <CreateStudyDialog
            meUserId={person.userId}
            onClose={() => {
              setOpen(false);
              buttonRef.current?.focus();
            }}
          />
        </Suspense>
      ) : null}
    </>
  );
}
