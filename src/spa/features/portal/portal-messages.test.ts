import { describe, expect, it } from 'vitest';
import { countsMessageFor, isPortalOrigin, readPortalMessage } from './portal-messages.ts';

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

describe('the portal badge’s counts', () => {
  const counts = {
    unread: { stat: { count: 45, capped: false }, high: { count: 120, capped: true } },
    mineAndUnassigned: { stat: 6, high: 17, normal: 180 },
  };

  it('are a radiologist’s own and unassigned studies, as their worklist opens', () => {
    expect(countsMessageFor({ role: 'radiologist', userId: 'usr_1' }, counts)).toEqual({
      type: 'worklist:counts',
      scope: 'mine-and-unassigned',
      unreadStat: 6,
      unreadHigh: 17,
      unreadStatCapped: false,
      unreadHighCapped: true,
    });
  });

  it('are everyone’s for a coordinator, and for a radiologist not on the roster', () => {
    expect(countsMessageFor({ role: 'coordinator', userId: 'usr_2' }, counts)).toMatchObject({
      scope: 'everyone',
      unreadStat: 45,
      unreadHigh: 120,
    });
    expect(countsMessageFor({ role: 'radiologist', userId: null }, counts)).toMatchObject({
      scope: 'everyone',
      unreadStat: 45,
    });
    expect(countsMessageFor(undefined, counts)).toBeUndefined();
  });
});
