/** Sound and desktop notification for new STAT alerts: opt-in, off until the person turns them on. */
export interface AlertSettings {
  sound: boolean;
  desktop: boolean;
}

export const ALERT_SETTINGS_KEY = 'worklist.stat-alerts';
const OFF: AlertSettings = { sound: false, desktop: false };

/** The person's choice, as remembered in this browser; off when nothing (or something unreadable) is stored. */
export function readAlertSettings(
  storage: Pick<Storage, 'getItem'> | undefined = globalThis.localStorage,
): AlertSettings {
  try {
    const stored: unknown = JSON.parse(storage?.getItem(ALERT_SETTINGS_KEY) ?? 'null');
    if (typeof stored !== 'object' || stored === null) return OFF;
    return { sound: Reflect.get(stored, 'sound') === true, desktop: Reflect.get(stored, 'desktop') === true };
  } catch {
    return OFF;
  }
}

export function writeAlertSettings(
  settings: AlertSettings,
  storage: Pick<Storage, 'setItem'> | undefined = globalThis.localStorage,
): void {
  try {
    storage?.setItem(ALERT_SETTINGS_KEY, JSON.stringify(settings));
  } catch {
    // Storage full or refused (private mode): the choice lasts for this page only.
  }
}
