import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RunningRedis } from '../../../test/support/redis.ts';
import { createSharedState } from '../shared-state/create-shared-state.ts';
import { mergeObservation, type HistoryObservation, type ObservedStudy, type QueueHistory } from './queue-history.ts';
import { startQueueHistoryRecorder } from './queue-history-recorder.ts';
import { openRedisQueueHistory } from './redis-queue-history.ts';
import { openSqliteQueueHistory } from './sqlite-queue-history.ts';

// One suite, both stores. A "world" is one history seen by several instances: two handles on one
// SQLite file, or two clients of one Redis under one key prefix.

let redis: RunningRedis | undefined;
const folders: string[] = [];
const opened: QueueHistory[] = [];
let worlds = 0;

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  for (const history of opened) await history.close();
  await redis?.dispose();
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

const implementations: Array<{ name: string; world(): () => QueueHistory }> = [
  {
    name: 'sqlite',
    world() {
      const folder = mkdtempSync(join(tmpdir(), 'rw-history-'));
      folders.push(folder);
      return () => track(openSqliteQueueHistory(join(folder, 'queue-history.sqlite')));
    },
  },
  {
    name: 'redis',
    world() {
      const keyPrefix = `history${++worlds}-${process.pid}:`;
      return () => track(openRedisQueueHistory({ url: redis?.url ?? '', keyPrefix }));
    },
  },
];

function track(history: QueueHistory): QueueHistory {
  opened.push(history);
  return history;
}

const T0 = Date.parse('2026-11-30T08:00:00.000Z');
const minutes = (count: number) => T0 + count * 60_000;
const iso = (at: number) => new Date(at).toISOString();
const ID = 'stu_00000000000000000000000000000001';
const DR_A = 'usr_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const DR_B = 'usr_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';

function study(updatedAtMinute: number, fields: Partial<ObservedStudy> = {}): ObservedStudy {
  return {
    studyId: ID,
    severity: 'stat',
    createdAt: iso(T0),
    updatedAt: iso(minutes(updatedAtMinute)),
    assigneeId: null,
    complete: false,
    isCancelled: false,
    cancelledAt: null,
    ...fields,
  };
}
const seen = (observed: ObservedStudy, by: string | null = null): HistoryObservation => ({
  kind: 'study',
  study: observed,
  by,
  seenAt: Date.parse(observed.updatedAt ?? ''),
});
const lease = (minute: number, holderId = DR_A): HistoryObservation => ({
  kind: 'reading',
  studyId: ID,
  holderId,
  since: minutes(minute),
});

/** A STAT study's life: arrives at 0, assigned to A at 5, read by A from 7, marked read at 20. */
const LIFE: HistoryObservation[] = [
  seen(study(0)),
  seen(study(5, { assigneeId: DR_A })),
  lease(7),
  seen(study(20, { assigneeId: DR_A, complete: true }), DR_A),
];

describe('mergeObservation', () => {
  it('changes nothing for the same news again, older news, or a lease on a study never seen', () => {
    let entry = mergeObservation(undefined, seen(study(5, { assigneeId: DR_A })));
    expect(entry).toBeDefined();
    expect(mergeObservation(entry, seen(study(5, { assigneeId: DR_A })))).toBeUndefined();
    expect(mergeObservation(entry, seen(study(1)))).toBeUndefined();
    expect(mergeObservation(undefined, lease(3))).toBeUndefined();
    entry = mergeObservation(entry, lease(7));
    expect(entry?.readingStartedAt).toBe(minutes(7));
    // Reading started once: a later lease (someone else's) keeps the first start.
    expect(mergeObservation(entry, lease(9, DR_B))).toBeUndefined();
  });

  it('marked unread again: the reading time goes, and comes back with the next Mark read', () => {
    let entry = LIFE.reduce(
      (current, observation) => mergeObservation(current, observation) ?? current,
      mergeObservation(undefined, LIFE[0] ?? lease(0)),
    );
    expect(entry?.readAt).toBe(minutes(20));
    entry = mergeObservation(entry, seen(study(25, { assigneeId: DR_A })));
    expect(entry).toMatchObject({ readAt: null, readBy: null });
    entry = mergeObservation(entry, seen(study(30, { assigneeId: DR_B, complete: true })));
    expect(entry).toMatchObject({ readAt: minutes(30), readBy: DR_B, assigneeId: DR_B, assignedAt: minutes(30) });
  });
});

for (const implementation of implementations) {
  describe(`queue history (${implementation.name})`, () => {
    it('records a study from arrival to read: assigned (to whom), reading started, read (by whom)', async () => {
      const history = implementation.world()();
      await history.record(LIFE);
      expect(await history.entry(ID)).toEqual({
        studyId: ID,
        severity: 'stat',
        appearedAt: T0,
        assigneeId: DR_A,
        assignedAt: minutes(5),
        readingStartedAt: minutes(7),
        readingBy: DR_A,
        readAt: minutes(20),
        readBy: DR_A,
        cancelledAt: null,
        version: minutes(20),
        lastChangeAt: minutes(20),
      });
    });

    it('records one batch of several studies, interleaved, as it records each one alone, in order', async () => {
      const OTHER = 'stu_00000000000000000000000000000002';
      const other = (observation: HistoryObservation): HistoryObservation =>
        observation.kind === 'study'
          ? { ...observation, study: { ...observation.study, studyId: OTHER } }
          : { ...observation, studyId: OTHER };
      const otherLife = [LIFE[0], LIFE[1], LIFE[2]].filter((observation) => observation !== undefined).map(other);
      const reference = implementation.world()();
      await reference.record(LIFE);
      await reference.record(otherLife);
      const history = implementation.world()();
      await history.record(LIFE.flatMap((observation, index) => [observation, ...otherLife.slice(index, index + 1)]));
      expect(await history.entry(ID)).toEqual(await reference.entry(ID));
      expect(await history.entry(OTHER)).toEqual(await reference.entry(OTHER));
      expect((await history.entry(OTHER))?.readingStartedAt).toBe(minutes(7));
    });

    it('is idempotent: two instances recording the same events, in any order, at once, end with one entry as one would', async () => {
      const open = implementation.world();
      const [first, second] = [open(), open()];
      const reference = implementation.world()();
      await reference.record(LIFE);
      const shuffled = [LIFE[2], LIFE[0], LIFE[3], LIFE[1]].filter((observation) => observation !== undefined);
      await Promise.all([
        ...LIFE.map((observation) => first.record([observation])),
        ...shuffled.map((observation) => second.record([observation])),
        first.record(LIFE),
      ]);
      // A lease heard before its study's first event has nothing to attach to: heard again, it does.
      await second.record([lease(7)]);
      expect(await first.entry(ID)).toEqual(await reference.entry(ID));
      expect((await second.extent()).studies).toBe(1);
    });

    it('answers the open entries and those changed since a time, what was read in a range, and forgets past the retention', async () => {
      const history = implementation.world()();
      const other = (n: number) => `stu_${String(n).padStart(32, '0')}`;
      const observe = (n: number, createdMinute: number, fields: Partial<ObservedStudy>): HistoryObservation =>
        seen({ ...study(createdMinute, fields), studyId: other(n), createdAt: iso(minutes(createdMinute)) });
      await history.record([
        observe(1, 0, {}), // open since minute 0
        observe(2, 0, { complete: true }), // read at 0
        observe(3, 100, { complete: true }), // read at 100
        observe(4, 200, { isCancelled: true, cancelledAt: iso(minutes(200)) }),
      ]);
      const since = (await history.entriesSince(minutes(50))).map((entry) => entry.studyId).sort();
      expect(since).toEqual([other(1), other(3), other(4)]);
      expect((await history.readBetween(minutes(0), minutes(100))).map((entry) => entry.studyId)).toEqual([other(2)]);
      expect((await history.readBetween(minutes(0), minutes(101))).map((entry) => entry.studyId)).toEqual([
        other(2),
        other(3),
      ]);
      expect(await history.extent()).toEqual({ studies: 4, oldestAppearedAt: minutes(0) });
      expect(await history.prune(minutes(150))).toBe(3);
      expect((await history.entriesSince(0)).map((entry) => entry.studyId)).toEqual([other(4)]);
      expect(await history.entry(other(1))).toBeUndefined();
    });
  });
}

describe('the recorder', () => {
  it('records what is published on the bus: changes, arrivals and leases', async () => {
    const shared = await createSharedState({ dataDir: mkdtempSync(join(tmpdir(), 'rw-history-bus-')) });
    const history = track(openSqliteQueueHistory(':memory:'));
    const recorder = startQueueHistoryRecorder({
      history,
      bus: shared.events,
      retentionDays: 90,
      log: { info() {}, warn() {}, error() {} },
    });
    await recorder.settled();
    const full = (fields: Partial<ObservedStudy>) => {
      const observed = study(0, fields);
      return {
        studyId: ID,
        studyInstanceUid: '1.2.3',
        studyDescription: 'CT Head',
        severity: observed.severity,
        studyViewerStatus: observed.complete ? 'complete' : 'incomplete',
        isCancelled: false,
        createdAt: observed.createdAt,
        updatedAt: observed.updatedAt,
        cancelledAt: null,
        assignedTo: observed.assigneeId ? { userId: observed.assigneeId, email: 'a@example.org' } : null,
      };
    };
    await shared.events.publish({ type: 'study.created', data: { study: full({}), origin: 'pacs' } });
    await shared.events.publish({
      type: 'lease.taken',
      data: {
        lease: {
          studyId: ID,
          holder: { userId: DR_A, email: 'a@example.org', name: 'A' },
          since: iso(minutes(3)),
          expiresAt: iso(minutes(4)),
        },
      },
    });
    await shared.events.publish({
      type: 'study.changed',
      data: {
        study: { ...full({ assigneeId: DR_A, complete: true }), updatedAt: iso(minutes(9)) },
        origin: 'worklist',
        by: { userId: DR_B, email: 'b@example.org', name: 'B' },
      },
    });
    await shared.events.publish({ type: 'presence.changed', data: { studyId: ID, viewers: [] } });
    await recorder.settled();
    expect(await history.entry(ID)).toMatchObject({
      appearedAt: T0,
      readingStartedAt: minutes(3),
      readingBy: DR_A,
      readAt: minutes(9),
      readBy: DR_B,
    });
    await recorder.close();
    await shared.close();
  });
});
