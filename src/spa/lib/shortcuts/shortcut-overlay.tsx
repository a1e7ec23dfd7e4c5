import { useEffect, useState } from 'react';
import { trapTab } from '../dom/focus-trap.ts';
import { ModalDialog } from '../dom/modal-dialog.tsx';
import { useModalDialog } from '../dom/use-modal-dialog.ts';
import { isEnabled } from './shortcut-registry.ts';
import type { Shortcut, ShortcutGroup } from './shortcut-registry.ts';
import { useShortcutList } from './use-shortcut.ts';

const GROUPS: readonly ShortcutGroup[] = ['Worklist', 'Study', 'Help'];

const KEY_NAMES: Readonly<Record<string, string>> = {
  ArrowUp: '↑',
  ArrowDown: '↓',
  ArrowLeft: '←',
  ArrowRight: '→',
  Escape: 'Esc',
  ' ': 'Space',
};

/** The keys of one shortcut as the overlay names them. */
export function keyNames(shortcut: Pick<Shortcut, 'keys'>): string[] {
  return [...new Set(shortcut.keys)].map((key) => KEY_NAMES[key] ?? key);
}

/** Shortcuts with the same label and keys (registered twice, e.g. by a list and a drawer) show once. */
function sections(shortcuts: readonly Shortcut[]) {
  const seen = new Map<string, Shortcut & { available: boolean }>();
  for (const shortcut of shortcuts) {
    const id = `${shortcut.group}\u0000${shortcut.label}\u0000${shortcut.keys.join(' ')}`;
    const earlier = seen.get(id);
    const available = isEnabled(shortcut);
    // Available wins over unavailable.
    if (!earlier || (!earlier.available && available)) seen.set(id, { ...shortcut, available });
  }
  return GROUPS.map((group) => ({
    group,
    shortcuts: [...seen.values()].filter((shortcut) => shortcut.group === group),
  })).filter((section) => section.shortcuts.length > 0);
}

/**
 * Every shortcut registered on the page now, in a modal dialog: focus stays in it, Esc or Close
 * closes it, and focus goes back where it was.
 */
export function ShortcutOverlay({ onClose }: { onClose: () => void }) {
  const dialogRef = useModalDialog();
  const [returnFocusTo] = useState(() =>
    document.activeElement instanceof HTMLElement ? document.activeElement : null,
  );
  const shortcuts = useShortcutList();

  // After the dialog opened (the hook's effect runs first) and after it closed.
  useEffect(() => {
    dialogRef.current?.querySelector<HTMLElement>('[data-autofocus]')?.focus();
    return () => {
      if (returnFocusTo?.isConnected) returnFocusTo.focus();
    };
  }, [dialogRef, returnFocusTo]);

  return (
    <ModalDialog
      dialogRef={dialogRef}
      title="Keyboard shortcuts"
      size="narrow"
      onCancel={onClose}
      onKeyDown={(event) => {
        // Where <dialog> has no cancel event (jsdom), Esc still closes. Tab stays inside (a modal
        // dialog alone lets it out to the browser's own controls). No key reaches the page's shortcuts.
        if (event.key === 'Escape') {
          event.preventDefault();
          onClose();
        }
        trapTab(event, event.currentTarget);
        event.stopPropagation();
      }}
      closeButton={
        <button
          type="button"
          data-autofocus=""
          onClick={onClose}
          className="inline-flex items-center gap-1.5 rounded border border-border bg-panel-raised px-3 py-1 text-sm font-medium hover:border-accent"
        >
          <span aria-hidden="true">✕</span>
          Close
        </button>
      }
      bodyClassName="space-y-4 px-5 py-4"
    >
      {sections(shortcuts).map(({ group, shortcuts: inGroup }) => (
        <section key={group} aria-label={group}>
          <h3 className="mb-1.5 text-xs font-semibold tracking-wide text-fg-muted uppercase">{group}</h3>
          <dl className="divide-y divide-border/60">
            {inGroup.map((shortcut) => (
              <div
                key={`${shortcut.label}-${shortcut.keys.join()}`}
                className="flex items-center justify-between gap-4 py-1.5 text-sm"
              >
                <dt className={shortcut.available ? undefined : 'text-fg-muted'}>
                  {shortcut.label}
                  {shortcut.available ? null : <span className="ml-2 text-xs">(not available now)</span>}
                </dt>
                <dd className="flex shrink-0 gap-1">
                  {keyNames(shortcut).map((name, index) => (
                    <kbd
                      key={name}
                      className="min-w-6 rounded border border-border bg-panel-raised px-1.5 py-px text-center font-sans text-xs"
                    >
                      <span className="sr-only">{index > 0 ? 'or ' : ''}</span>
                      {name}
                    </kbd>
                  ))}
                </dd>
              </div>
            ))}
          </dl>
        </section>
      ))}
      <p className="text-xs text-fg-muted">Shortcuts do nothing while you type in a field or choose in a list.</p>
    </ModalDialog>
  );
}
