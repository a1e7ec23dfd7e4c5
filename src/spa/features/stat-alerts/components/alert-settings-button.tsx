import { lazy, Suspense, useEffect, useId, useRef, useState } from 'react';
import { BUTTON } from '../../../components/button-styles.ts';
import { readAlertSettings, writeAlertSettings } from '../lib/alert-settings.ts';

// The options are not needed until the popover is first opened: their code loads then.
const AlertSettingsPanel = lazy(async () => ({
  default: (await import('./alert-settings-panel.tsx')).AlertSettingsPanel,
}));

/** The new-STAT alert's options, in a small popover (`AlertSettingsPanel`). */
export function AlertSettingsButton() {
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const button = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    const onPointer = (event: PointerEvent) => {
      if (
        event.target instanceof Node &&
        !panel.current?.contains(event.target) &&
        !button.current?.contains(event.target)
      )
        setOpen(false);
    };
    document.addEventListener('pointerdown', onPointer);
    return () => document.removeEventListener('pointerdown', onPointer);
  }, [open]);

  return (
    <div className="relative">
      <button
        ref={button}
        type="button"
        className={BUTTON.secondary}
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen(!open)}
      >
        <svg
          aria-hidden="true"
          viewBox="0 0 16 16"
          className="size-4"
          fill="none"
          stroke="currentColor"
          strokeWidth="1.5"
        >
          <path d="M8 2.5a3.5 3.5 0 0 0-3.5 3.5v2.5L3 11h10l-1.5-2.5V6A3.5 3.5 0 0 0 8 2.5ZM6.5 13a1.5 1.5 0 0 0 3 0" />
        </svg>
        STAT alerts
      </button>
      {open ? (
        <div
          ref={panel}
          id={panelId}
          role="group"
          aria-label="STAT alert options"
          className="absolute right-0 z-30 mt-1 w-72 space-y-2 rounded-md border border-border bg-panel-raised p-3 text-sm shadow-lg"
          onKeyDown={(event) => {
            if (event.key !== 'Escape') return;
            event.stopPropagation();
            setOpen(false);
            button.current?.focus();
          }}
        >
          <Suspense fallback={null}>
            <AlertSettingsPanel read={readAlertSettings} write={writeAlertSettings} />
          </Suspense>
        </div>
      ) : null}
    </div>
  );
}
