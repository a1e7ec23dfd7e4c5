import { useEffect, useId, useRef } from 'react';
import type { ReactNode } from 'react';
import { BUTTON } from './button-styles.ts';

interface ConfirmPanelProps {
  title: string;
  children?: ReactNode;
  confirmLabel: string;
  cancelLabel: string;
  tone?: 'danger' | 'primary';
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}

/**
 * A question inside the drawer (discard edits? cancel the study?). Inline rather than a modal, so the
 * study stays readable while deciding; it takes focus, starting on the safe answer, and Esc says no.
 */
export function ConfirmPanel({
  title,
  children,
  confirmLabel,
  cancelLabel,
  tone = 'danger',
  busy = false,
  onConfirm,
  onCancel,
}: ConfirmPanelProps) {
  const titleId = useId();
  const safeButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    safeButton.current?.focus();
  }, []);
  return (
    <div
      role="alertdialog"
      aria-labelledby={titleId}
      className="rounded-md border border-danger-border bg-danger-bg/60 p-4"
      onKeyDown={(event) => {
        if (event.key === 'Escape') {
          // Esc answers this question only; it must not also close the drawer.
          event.preventDefault();
          event.stopPropagation();
          onCancel();
        }
      }}
    >
      <p id={titleId} className="font-semibold text-fg">
        {title}
      </p>
      {children ? <div className="mt-1 text-sm text-fg-muted">{children}</div> : null}
      <div className="mt-3 flex flex-wrap gap-2">
        <button
          type="button"
          onClick={onConfirm}
          disabled={busy}
          className={tone === 'danger' ? BUTTON.danger : BUTTON.primary}
        >
          {confirmLabel}
        </button>
        <button ref={safeButton} type="button" onClick={onCancel} disabled={busy} className={BUTTON.secondary}>
          {cancelLabel}
        </button>
      </div>
    </div>
  );
}
