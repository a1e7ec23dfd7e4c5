import { tabbables } from '../../../lib/dom/focus-trap.ts';
import { buttonFor } from '../../../lib/shortcuts/use-button-shortcuts.ts';
import { STUDY_KEYS } from '../../../lib/shortcuts/study-shortcuts.ts';

/**
 * Where focus goes after a drawer action, so it never drops to the page: the button that pressed it
 * is disabled while the change is in flight, or gone after it (Assign to me, Mark read).
 * - `form`: the edit form's first field, after Edit.
 * - `edit`: the Edit button, after the form is saved or cancelled.
 * - `after-read`: what comes after Mark read: the element marked `data-focus-after-read` (Next study), else the status line.
 * - `after-claim`: what comes after Assign to me: Mark read, else the status line.
 * - `status`: the status line (e.g. the reason an action failed).
 */
export type DrawerFocusTarget = 'form' | 'edit' | 'after-read' | 'after-claim' | 'status';

/** The element to focus for the target, or null while it is not there (yet). */
export function drawerFocusElement(container: Element, target: DrawerFocusTarget): HTMLElement | null {
  const status = container.querySelector<HTMLElement>('[data-drawer-status]');
  switch (target) {
    case 'form': {
      const form = container.querySelector('form');
      return form
        ? (tabbables(form).find((element) => element.matches('input,select,textarea')) ?? tabbables(form)[0] ?? null)
        : null;
    }
    case 'edit':
      return buttonFor(container, STUDY_KEYS.edit) ?? status;
    case 'after-read':
      return container.querySelector<HTMLElement>('[data-focus-after-read]:not(:disabled)') ?? status;
    case 'after-claim':
      return buttonFor(container, STUDY_KEYS.markRead) ?? status;
    case 'status':
      return status;
  }
}
