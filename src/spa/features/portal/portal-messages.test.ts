import { describe, expect, it } from 'vitest';
import { isPortalOrigin, readPortalMessage } from './portal-messages.ts';

describe('portal messages', () => {
  it('reads a well-formed open-study request', () => {
    expect(readPortalMessage({ type: 'worklist:open-study', studyInstanceUid: '1.2.840.1' })).toEqual({
      type: 'worklist:open-study',
      studyInstanceUid: '1.2.840.1',
    });
  });

  it.each([
    null,
    'worklist:open-study',
    { type: 'worklist:open-study' },
    { type: 'worklist:open-study', studyInstanceUid: '../../admin' },
    { type: 'worklist:open-study', studyInstanceUid: '1.02.3' },
    { type: 'worklist:open-study', studyInstanceUid: `1.${'2'.repeat(70)}` },
    { type: 'something-else', studyInstanceUid: '1.2.3' },
  ])('ignores %j', (data) => {
    expect(readPortalMessage(data)).toBeUndefined();
  });

  it('accepts only exact allowed origins', () => {
    const allowed = ['https://portal.example.org'];
    expect(isPortalOrigin('https://portal.example.org', allowed)).toBe(true);
    expect(isPortalOrigin('https://portal.example.org.evil.example', allowed)).toBe(false);
    expect(isPortalOrigin('http://portal.example.org', allowed)).toBe(false);
    expect(isPortalOrigin('null', allowed)).toBe(false);
  });
});
