import { describe, expect, it } from 'vitest';
import type { StoredRecord } from '../shared-state/shared-state.ts';
import {
  decideEnd,
  decideRenew,
  decideTake,
  heldByWords,
  leaseFromRecord,
  leaseValue,
  presenceKey,
  presencePrefix,
  presenceValue,
  viewersFrom,
  type HeldLease,
  type Reader,
} from './reading-rules.ts';

const STUDY = `stu_${'ab'.repeat(16)}`;
const OTHER_STUDY = `stu_${'cd'.repeat(16)}`;
const ana: Reader = {
  subject: 'ana@example.org',
  userId: `usr_${'a1'.repeat(16)}`,
  email: 'ana@example.org',
  name: 'Dr Ana Ames',
};
const ben: Reader = { subject: 'ben@example.org', userId: null, email: 'ben@example.org', name: 'Ben Brown' };
const SINCE = '2026-12-01T10:04:00.000Z';
const EXPIRES = Date.parse('2026-12-01T10:06:00.000Z');

function record(
  key: string,
  value: StoredRecord['value'],
  expiresAt: number | null = EXPIRES,
  version = 7,
): StoredRecord {
  return { key, value, version, expiresAt };
}

const anasLease = leaseFromRecord(record(STUDY, leaseValue(STUDY, ana, SINCE)));

describe('a lease record', () => {
  it('reads back as the lease events carry, with the holder told apart by subject', () => {
    expect(anasLease).toEqual<HeldLease>({
      lease: {
        studyId: STUDY,
        holder: { userId: ana.userId, email: ana.email, name: ana.name },
        since: SINCE,
        expiresAt: '2026-12-01T10:06:00.000Z',
      },
      subject: ana.subject,
      version: 7,
    });
  });

  it('that is not a lease (or never expires) counts as none', () => {
    expect(leaseFromRecord(record(STUDY, { studyId: STUDY }))).toBeUndefined();
    expect(leaseFromRecord(record(STUDY, { ...leaseValue(STUDY, ana, SINCE), holder: { email: 3 } }))).toBeUndefined();
    expect(leaseFromRecord(record(STUDY, leaseValue(STUDY, ana, SINCE), null))).toBeUndefined();
  });
});

describe('taking a lease', () => {
  it("takes a free one, renews one's own keeping since when, refuses or takes over someone else's", () => {
    expect(decideTake(undefined, ben.subject, false)).toEqual({ kind: 'take' });
    expect(decideTake(anasLease, ana.subject, false)).toEqual({ kind: 'renew', since: SINCE });
    expect(decideTake(anasLease, ana.subject, true)).toEqual({ kind: 'renew', since: SINCE });
    expect(decideTake(anasLease, ben.subject, false)).toEqual({ kind: 'held', lease: anasLease?.lease });
    expect(decideTake(anasLease, ben.subject, true)).toEqual({ kind: 'take-over', from: anasLease?.lease.holder });
  });

  it("a heartbeat renews only the holder's", () => {
    expect(decideRenew(undefined, ana.subject)).toEqual({ kind: 'none' });
    expect(decideRenew(anasLease, ana.subject)).toEqual({ kind: 'renew', since: SINCE });
    expect(decideRenew(anasLease, ben.subject)).toEqual({ kind: 'held', lease: anasLease?.lease });
  });

  it('the holder releases; someone else breaks it only when they may', () => {
    expect(decideEnd(undefined, ana.subject, true)).toEqual({ kind: 'none' });
    expect(decideEnd(anasLease, ana.subject, false)).toEqual({ kind: 'release' });
    expect(decideEnd(anasLease, ben.subject, true)).toEqual({ kind: 'break' });
    expect(decideEnd(anasLease, ben.subject, false)).toEqual({ kind: 'refused', lease: anasLease?.lease });
  });

  it('says who is reading since when', () => {
    expect(anasLease && heldByWords(anasLease.lease)).toBe(
      'Dr Ana Ames (ana@example.org) has been reading this study since 10:04 UTC.',
    );
  });
});

describe('presence', () => {
  it("is one key per person per study, under the study's prefix, whatever the subject holds", () => {
    const key = presenceKey(STUDY, ana.subject);
    expect(key.startsWith(presencePrefix(STUDY))).toBe(true);
    expect(key).toMatch(/^stu_[0-9a-f]{32}\/[0-9a-f]{32}$/);
    expect(presenceKey(STUDY, ana.subject)).toBe(key);
    expect(presenceKey(STUDY, ben.subject)).not.toBe(key);
    expect(presenceKey(OTHER_STUDY, ana.subject).startsWith(presencePrefix(STUDY))).toBe(false);
    expect(presenceKey(STUDY, `${'x'.repeat(600)}/${STUDY}`)).toHaveLength(key.length);
  });

  it('lists viewers first arrived first, skipping what is not a presence', () => {
    const records = [
      record('b', presenceValue(STUDY, ben, '2026-12-01T10:05:00.000Z')),
      record('a', presenceValue(STUDY, ana, '2026-12-01T10:01:00.000Z')),
      record('c', { studyId: STUDY }),
    ];
    expect(viewersFrom(records).map((viewer) => viewer.email)).toEqual([ana.email, ben.email]);
    expect(viewersFrom(records)[1]).toEqual({ userId: null, email: ben.email, name: ben.name });
  });
});
