import { useEffect, useId, useRef, useState } from 'react';
import { BUTTON } from '../../../components/button-styles.ts';
import { readAlertSettings, writeAlertSettings } from '../lib/alert-settings.ts';
import type { AlertSettings } from '../lib/alert-settings.ts';

/**
 * The new-STAT alert's options, in a small popover: a chime and a desktop notification, both off
 * until turned on, remembered in this browser. Turning the notification on is the only moment the
 * browser's permission is asked for.
 */
export function AlertSettingsButton() {
  const [open, setOpen] = useState(false);
  const [settings, setSettings] = useState<AlertSettings>(() => readAlertSettings());
  const [problem, setProblem] = useState<string | null>(null);
  const panelId = useId();
  const button = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    const onPointer = (event: PointerEvent) => {
      if (event.target instanceof Node && !panel.current?.contains(event.target) && !button.current?.contains(event.target)) setOpen(false);
    };
    document.addEventListener('pointerdown', onPointer);
    return () => document.removeEventListener('pointerdown', onPointer);
  }, [open]);

  function change(next: AlertSettings) {
    setSettings(next);
    writeAlertSettings(next);
  }

  async function toggleDesktop(on: boolean) {
    setProblem(null);
    if (!on) {
      change({ ...settings, desktop: false });
      return;
    }
    const { askDesktopPermission } = await import('../lib/alert-effects.ts');
    if (await askDesktopPermission()) change({ ...settings, desktop: true });
    else setProblem('The browser does not allow notifications from this site. Allow them in its site settings, then try again.');
  }

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
        <svg aria-hidden="true" viewBox="0 0 16 16" className="size-4" fill="none" stroke="currentColor" strokeWidth="1.5">
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
          <p className="text-fg-muted">A new STAT study under your filters always shows a notice. Also:</p>
          <label className="flex items-center gap-2">
            <input type="checkbox" checked={settings.sound} onChange={(event) => change({ ...settings, sound: event.target.checked })} />
            Play a sound
          </label>
          <label className="flex items-center gap-2">
            <input type="checkbox" checked={settings.desktop} onChange={(event) => void toggleDesktop(event.target.checked)} />
            Desktop notification when this tab is in the background
          </label>
          {problem ? (
            <p role="alert" className="text-danger-fg">
              {problem}
            </p>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
