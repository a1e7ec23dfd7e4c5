import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { studyFixture } from '../../../test/support/study-fixture.ts';
import { isStudy } from '../../contract/answer-shapes.ts';
import type { Study } from '../../contract/avara-types.ts';
import {
  SNAPSHOT_BUCKETS,
  bucketOf,
  countQueue,
  decodeBucket,
  encodeBuckets,
  fingerprintOf,
  isActive,
  parseQueueCounts,
  summarize,
  summarizeAgain,
  worklistCounts,
  type QueueSnapshot,
} from './queue-snapshot.ts';

function study(studyId: string, overrides: Record<string, unknown> = {}): Study {
  const value = studyFixture(studyId, overrides);
  if (!isStudy(value)) throw new Error('not a study');
  return value;
}

const NOW = Date.parse('2026-11-23T12:00:00.000Z');
const alice = { userId: 'usr_alice', email: 'alice@example.org' };

describe('fingerprintOf', () => {
  it('is the same whatever the key order, and changes with any field', () => {
    const one = study('stu_1');
    const reordered = Object.fromEntries(Object.entries(one).reverse());
    expect(fingerprintOf(reordered)).toBe(fingerprintOf(one));
    expect(fingerprintOf({ ...one, metadata: { note: 'x' } })).not.toBe(fingerprintOf(one));
    expect(fingerprintOf({ ...one, assignedTo: alice })).not.toBe(
      fingerprintOf({ ...one, assignedTo: { ...alice, userId: 'usr_bob' } }),
    );
    expect(fingerprintOf(one)).toMatch(/^[0-9a-f]{16}$/);
  });

  it('hashes the JSON of the value with every object’s keys in code-unit order, for any JSON value', () => {
    // Snapshots saved by earlier versions hold these fingerprints: the form must not change. The
    // reference is written the short way (the product's own is written for speed).
    const canonical = (value: unknown): string => {
      if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
      if (typeof value !== 'object' || value === null) return JSON.stringify(value) ?? 'null';
      const entries = Object.entries(value).filter(([, inner]) => inner !== undefined);
      entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([key, inner]) => `${JSON.stringify(key)}:${canonical(inner)}`).join(',')}}`;
    };
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const expected = createHash('sha256').update(canonical(value)).digest('hex').slice(0, 16);
        expect(fingerprintOf(value)).toBe(expected);
      }),
    );
  });
});

describe('summarizeAgain', () => {
  it('reuses the summary of a study answered exactly as before, and makes a new one otherwise', () => {
    const one = study('stu_1');
    const first = summarizeAgain(one, undefined);
    expect(first).toEqual(summarize(one));
    expect(first.answerHash).toMatch(/^[A-Za-z0-9+/]{11}$/);
    expect(summarizeAgain(structuredClone(one), first)).toBe(first);
    const changed = summarizeAgain({ ...one, studyDescription: 'Other' }, first);
    expect(changed).not.toBe(first);
    expect(changed.answerHash).not.toBe(first.answerHash);
    // A summary read back from the shared state is reused the same way: a new leader hashes, never fingerprints.
    const restored: QueueSnapshot = new Map();
    decodeBucket(
      { studies: { stu_1: [first.answerHash, first.severity, first.assigneeId, first.createdAt] } },
      restored,
    );
    const stored = restored.get('stu_1');
    expect(stored).toEqual(first);
    expect(summarizeAgain(one, stored)).toBe(stored);
  });

  it('tells a study answered in another key order apart (fingerprintOf does not)', () => {
    const one = study('stu_1');
    const reordered = study('stu_1', Object.fromEntries(Object.entries(one).reverse()));
    expect(summarizeAgain(reordered, summarize(one))).not.toBe(summarize(one));
    expect(fingerprintOf(reordered)).toBe(fingerprintOf(one));
  });
});

describe('isActive', () => {
  it('is unread and not cancelled', () => {
    expect(isActive(study('stu_1'))).toBe(true);
    expect(isActive(study('stu_1', { studyViewerStatus: 'complete' }))).toBe(false);
    expect(isActive(study('stu_1', { isCancelled: true }))).toBe(false);
  });
});

describe('countQueue', () => {
  it('counts per severity, overdue against the SLA targets, unassigned and per assignee', () => {
    const summaries = [
      // 61 minutes: a STAT is overdue (1 h), a high is not (4 h).
      study('stu_1', { severity: 'stat', createdAt: '2026-11-23T10:59:00.000Z', assignedTo: alice }),
      study('stu_2', { severity: 'stat', createdAt: '2026-11-23T11:30:00.000Z' }),
      study('stu_3', { severity: 'high', createdAt: '2026-11-23T10:59:00.000Z', assignedTo: alice }),
      study('stu_4', { severity: 'normal', createdAt: '2026-11-22T11:00:00.000Z' }),
      study('stu_5', { severity: 'normal', createdAt: null }),
    ].map(summarize);
    expect(countQueue(summaries, NOW)).toEqual({
      bySeverity: { stat: 2, high: 1, normal: 2 },
      overdue: { stat: 1, high: 0, normal: 1 },
      unassigned: { stat: 1, high: 0, normal: 2 },
      byAssignee: { usr_alice: { stat: 1, high: 1, normal: 0 } },
      asOf: '2026-11-23T12:00:00.000Z',
    });
  });

  it('answers the counts route’s shape, saying which severities a capped walk cut', () => {
    const counts = countQueue([summarize(study('stu_1'))], NOW);
    expect(worklistCounts(counts).unread).toEqual({
      stat: { count: 1, capped: false },
      high: { count: 0, capped: false },
    });
    const cut = worklistCounts(counts, new Set(['high']));
    expect(cut.capped).toBe(true);
    expect(cut.unread.high.capped).toBe(true);
  });
});

describe('the stored forms', () => {
  it('reads back the counts it writes, and nothing else', () => {
    const counts = countQueue([summarize(study('stu_1', { assignedTo: alice }))], NOW);
    expect(parseQueueCounts(counts)).toEqual(counts);
    expect(parseQueueCounts({ ...counts, asOf: 1 })).toBeUndefined();
    expect(parseQueueCounts({ ...counts, overdue: { stat: -1, high: 0, normal: 0 } })).toBeUndefined();
    expect(parseQueueCounts({ ...counts, byAssignee: { usr_alice: { stat: 1 } } })).toBeUndefined();
  });

  it('splits the snapshot into buckets and puts it together again', async () => {
    const snapshot: QueueSnapshot = new Map();
    for (let n = 0; n < 5_000; n++)
      snapshot.set(`stu_${n}`, summarize(study(`stu_${n}`, n % 3 === 0 ? { assignedTo: alice } : {})));
    const all = new Set(Array.from({ length: SNAPSHOT_BUCKETS }, (_, bucket) => bucket));
    const buckets = await encodeBuckets(snapshot, all);
    expect(buckets.size).toBe(SNAPSHOT_BUCKETS);
    const restored: QueueSnapshot = new Map();
    for (const value of buckets.values()) decodeBucket(value, restored);
    expect(restored).toEqual(snapshot);
    // Spread over the buckets, each study in the one bucketOf names.
    expect(new Set([...snapshot.keys()].map(bucketOf)).size).toBeGreaterThan(SNAPSHOT_BUCKETS / 2);
    const only = await encodeBuckets(snapshot, new Set([bucketOf('stu_7')]));
    expect(Object.keys((only.get(bucketOf('stu_7'))?.studies ?? {}) as object)).toContain('stu_7');
  });

  it('skips stored entries it does not understand', () => {
    const restored: QueueSnapshot = new Map();
    decodeBucket(
      {
        studies: {
          stu_1: ['f', 'urgent', null, null],
          stu_2: 'x',
          stu_3: ['f', 'stat', 7, null],
          stu_4: ['f', 'high', null, null],
        },
      },
      restored,
    );
    expect([...restored.keys()]).toEqual(['stu_4']);
  });
});
