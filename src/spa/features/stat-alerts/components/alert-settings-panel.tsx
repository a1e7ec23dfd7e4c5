import { useState } from 'react';
import type { AlertSettings } from '../lib/alert-settings.ts';

export interface AlertSettingsPanelProps {
  /** The remembered settings (`readAlertSettings`, `writeAlertSettings`), passed in so this chunk does not carry a copy of their module. */
  read: () => AlertSettings;
  write: (settings: AlertSettings) => void;
}

/**
 * The options inside the STAT alerts popover: a chime and a desktop notification, both off until
 * turned on, remembered in this browser. Turning the notification on is the only moment the
 * browser's permission is asked for.
 */
export function AlertSettingsPanel({ read, write }: AlertSettingsPanelProps) {
  const [settings, setSettings] = useState<AlertSettings>(read);
  const [problem, setProblem] = useState<string | null>(null);

  function change(next: AlertSettings) {
    setSettings(next);
    write(next);
  }

  async function toggleDesktop(on: boolean) {
    setProblem(null);
    if (!on) {
      change({ ...settings, desktop: false });
      return;
    }
    const { askDesktopPermission } = await import('../lib/alert-effects.ts');
    if (await askDesktopPermission()) change({ ...settings, desktop: true });
    else
      setProblem(
        'The browser does not allow notifications from this site. Allow them in its site settings, then try again.',
      );
  }

  return (
    <>
      <p className="text-fg-muted">A new STAT study under your filters always shows a notice. Also:</p>
      <label className="flex items-center gap-2">
        <input
          type="checkbox"
          checked={settings.sound}
          onChange={(event) => change({ ...settings, sound: event.target.checked })}
        />
        Play a sound
      </label>
      <label className="flex items-center gap-2">
        <input
          type="checkbox"
          checked={settings.desktop}
          onChange={(event) => void toggleDesktop(event.target.checked)}
        />
        Desktop notification when this tab is in the background
      </label>
      {problem ? (
        <p role="alert" className="text-danger-fg">
          {problem}
        </p>
      ) : null}
    </>
  );
}
