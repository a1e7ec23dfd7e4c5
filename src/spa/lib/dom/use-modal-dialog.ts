import { useEffect, useRef, type RefObject } from 'react';

/**
 * A `<dialog>` shown as a modal while the component is mounted, closed when it goes. A modal dialog
 * traps focus and makes the page behind it inert; where showModal is missing (jsdom in component
 * tests) it still opens, without the trap.
 */
export function useModalDialog(): RefObject<HTMLDialogElement | null> {
  const dialogRef = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = dialogRef.current;
    if (!dialog) return;
    if (typeof dialog.showModal === 'function') dialog.showModal();
    else dialog.setAttribute('open', '');
    return () => {
      if (typeof dialog.close === 'function' && dialog.open) dialog.close();
    };
  }, []);
  return dialogRef;
}
