import { useEffect, type RefObject } from 'react';

/**
 * Closes an open menu on a press outside `root` or on Escape (which also gives the focus back to
 * `button`, when the focus was inside the menu), the way the toolbar's menus all behave.
 */
export function useDismiss(
  open: boolean,
  root: RefObject<HTMLElement | null>,
  setOpen: (open: false) => void,
  button?: RefObject<HTMLElement | null>,
): void {
  useEffect(() => {
    if (!open) return;
    const onEvent = (event: Event) => {
      const inside = event.target instanceof Node && root.current?.contains(event.target);
      if (event instanceof KeyboardEvent ? event.key !== 'Escape' : inside) return;
      setOpen(false);
      if (inside) button?.current?.focus();
    };
    document.addEventListener('pointerdown', onEvent);
    document.addEventListener('keydown', onEvent);
    return () => {
      document.removeEventListener('pointerdown', onEvent);
      document.removeEventListener('keydown', onEvent);
    };
  }, [open, root, setOpen, button]);
}
