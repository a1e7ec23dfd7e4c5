import { describe, expect, it } from 'vitest';
import { ALERT_SETTINGS_KEY, readAlertSettings, writeAlertSettings } from './alert-settings.ts';

describe('alert settings', () => {
  it('are off by default, remembered once chosen, and off again when the stored value is unreadable', () => {
    window.localStorage.removeItem(ALERT_SETTINGS_KEY);
    expect(readAlertSettings()).toEqual({ sound: false, desktop: false });
    writeAlertSettings({ sound: true, desktop: false });
    expect(readAlertSettings()).toEqual({ sound: true, desktop: false });
    window.localStorage.setItem(ALERT_SETTINGS_KEY, '{not json');
    expect(readAlertSettings()).toEqual({ sound: false, desktop: false });
    window.localStorage.removeItem(ALERT_SETTINGS_KEY);
  });
});
