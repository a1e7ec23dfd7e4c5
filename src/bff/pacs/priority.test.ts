import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/env.ts';
import { DEFAULT_PRIORITY_MAP, parsePriorityMap, severityFor } from './priority.ts';

describe('priority map', () => {
  it('maps Requested Procedure Priority to a severity, normal when absent or unknown', () => {
    const map = parsePriorityMap(DEFAULT_PRIORITY_MAP);
    expect(severityFor('STAT', map)).toBe('stat');
    expect(severityFor(' high ', map)).toBe('high');
    expect(severityFor('ROUTINE', map)).toBe('normal');
    expect(severityFor('', map)).toBe('normal');
    expect(severityFor('WHENEVER', map)).toBe('normal');
    expect(severityFor('MEDIUM', parsePriorityMap('MEDIUM:high'))).toBe('high');
  });

  it('refuses entries that do not name a severity, at start-up', () => {
    expect(() => parsePriorityMap('STAT:urgent,HIGH')).toThrow(/STAT:urgent.*HIGH/);
    expect(() => loadConfig({ ORTHANC_URL: 'http://127.0.0.1:8042', ORTHANC_PRIORITY_MAP: 'STAT:now' }, false)).toThrow(
      /ORTHANC_PRIORITY_MAP/,
    );
  });
});

describe('PACS settings', () => {
  it('turn the sync on with ORTHANC_URL unless ORTHANC_SYNC=false, and check the pairs that go together', () => {
    expect(loadConfig({}, false)).toMatchObject({ ORTHANC_SYNC: false });
    expect(loadConfig({ ORTHANC_URL: 'http://127.0.0.1:8042/' }, false)).toMatchObject({
      ORTHANC_URL: 'http://127.0.0.1:8042',
      ORTHANC_SYNC: true,
    });
    expect(loadConfig({ ORTHANC_URL: 'http://127.0.0.1:8042', ORTHANC_SYNC: 'false' }, false)).toMatchObject({
      ORTHANC_SYNC: false,
    });
    expect(() => loadConfig({ ORTHANC_SYNC: 'true' }, false)).toThrow(/ORTHANC_SYNC=true needs ORTHANC_URL/);
    expect(() => loadConfig({ ORTHANC_URL: 'http://127.0.0.1:8042', ORTHANC_USERNAME: 'orthanc' }, false)).toThrow(
      /ORTHANC_USERNAME and ORTHANC_PASSWORD/,
    );
  });
});
