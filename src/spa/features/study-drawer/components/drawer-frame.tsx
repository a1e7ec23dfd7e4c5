import { useEffect, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import { trapTab } from '../../../lib/dom/focus-trap.ts';
import { useButtonShortcuts } from '../../../lib/shortcuts/use-button-shortcuts.ts';
import { STUDY_SHORTCUTS } from '../../../lib/shortcuts/study-shortcuts.ts';
import { BUTTON } from './button-styles.ts';

interface DrawerFrameProps {
  heading: ReactNode;
  /** Under the heading: badges, status. */
  subheading?: ReactNode;
  onClose: () => void;
  /** The study shown: when the drawer was not opened from somewhere (a link, Next study), closing it focuses the study's row. */
  studyId?: string | undefined;
  children: ReactNode;
}

/** The element that had focus before the drawer opened (e.g. the worklist row), unless it is inside a drawer. */
function focusOrigin(): HTMLElement | null {
  const active = document.activeElement;
  if (!(active instanceof HTMLElement) || active === document.body) return null;
  return active.closest('[data-study-drawer]') ? null : active;
}

/**
 * The panel beside the worklist. Focus moves into it when it opens, stays in it (Tab and Shift+Tab
 * go round its controls; the mouse can still reach the list) and goes back where it came from (the
 * row) when it closes; Esc closes it while focus is in it (or nowhere in particular), so the
 * worklist's own Esc handling is left alone. The study's action keys press its buttons.
 */
export function DrawerFrame({ heading, subheading, onClose, studyId, children }: DrawerFrameProps) {
  const headingRef = useRef<HTMLHeadingElement>(null);
  const asideRef = useRef<HTMLElement>(null);
  // Read while rendering, before the effect below moves focus: afterwards it would be the heading.
  const [returnFocusTo] = useState(focusOrigin);
  const onCloseRef = useRef(onClose);
  useEffect(() => {
    onCloseRef.current = onClose;
  });

  useButtonShortcuts(asideRef, STUDY_SHORTCUTS);

  useEffect(() => {
    headingRef.current?.focus();
    return () => {
      if (returnFocusTo?.isConnected) {
        returnFocusTo.focus();
        return;
      }
      // Opened from nowhere on the page: the study's row if it is on screen, else the page's content.
      const row = [...document.querySelectorAll<HTMLElement>('[data-study-row]')].find(
        (element) => element.dataset.rowKey === studyId,
      );
      (row ?? document.getElementById('main'))?.focus();
    };
  }, [returnFocusTo, studyId]);

  useEffect(() => {
    function onKeyDown(event: KeyboardEvent) {
      if (event.key !== 'Escape' || event.defaultPrevented) return;
      const active = document.activeElement;
      const inside = active === null || active === document.body || (asideRef.current?.contains(active) ?? false);
      if (!inside) return;
      event.preventDefault();
      onCloseRef.current();
    }
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, []);

  return (
    <aside
      ref={asideRef}
      aria-label="Study"
      data-study-drawer=""
      onKeyDown={(event) => void trapTab(event, event.currentTarget)}
      className="fixed inset-y-0 right-0 z-20 flex w-full max-w-md flex-col xl:max-w-xl border-l border-border bg-panel shadow-2xl shadow-black/40"
    >
      <div className="flex items-start gap-4 border-b border-border px-6 pt-5 pb-4">
        <div className="min-w-0 flex-1">
          <h2
            ref={headingRef}
            tabIndex={-1}
            className="text-lg leading-snug font-semibold break-words focus:outline-none"
          >
            {heading}
          </h2>
          {subheading ? <div className="mt-2 flex flex-wrap items-center gap-2 text-sm">{subheading}</div> : null}
        </div>
        <button type="button" onClick={onClose} aria-label="Close study" className={BUTTON.secondary}>
          <span aria-hidden="true">✕</span>
          <span>Close</span>
        </button>
      </div>
      <div className="flex-1 overflow-y-auto px-6 pt-5 pb-0">{children}</div>
    </aside>
  );
}
