import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { setTimeout as sleep } from 'node:timers/promises';
import rateLimit from '@fastify/rate-limit';
import { sharedRateLimitStore } from '../auth/rate-limit-store.ts';
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../test/support/free-port.ts';
import { waitFor } from '../../../test/support/orthanc.ts';
import { startRedis, type RunningRedis } from '../../../test/support/redis.ts';
import { SHARED_STATE_FILE, createSharedState } from './create-shared-state.ts';
import { compareEventIds, parseEventId } from './event-ids.ts';
import { openInProcessSharedState, prefixUpperBound } from './in-process-shared-state.ts';
import { releaseMessage } from './redis-shared-state.ts';
import {
  LockLostError,
  LockTimeoutError,
  SharedStateUnavailableError,
  type BusEvent,
  type JsonObject,
  type SharedState,
  type SharedStateStatus,
} from './shared-state.ts';

// One suite, both implementations. A "world" is one shared state seen by several instances: two
// objects on one SQLite file (in-process), two clients of one Redis under one key prefix (Redis).

interface World {
  open(options?: { instanceId?: string }): Promise<SharedState>;
  /** Deletes a lock whoever holds it, as an operator would, in the store underneath. */
  breakLock(name: string): Promise<void>;
}

interface Implementation {
  name: 'in-process' | 'redis';
  world(options?: { eventHistorySize?: number }): World;
  /** Whether an event published on one instance reaches another instance's subscribers. */
  crossInstanceEvents: boolean;
}

let redis: RunningRedis | undefined;
const folders: string[] = [];
const opened: SharedState[] = [];
let worlds = 0;

function temporaryFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'rw-shared-state-'));
  folders.push(folder);
  return folder;
}

function track(state: SharedState): SharedState {
  opened.push(state);
  return state;
}

const implementations: Implementation[] = [
  {
    name: 'in-process',
    crossInstanceEvents: false,
    world(options = {}) {
      const dataDir = temporaryFolder();
      return {
        open: async ({ instanceId } = {}) =>
          track(
            await createSharedState({
              dataDir,
              ...(instanceId ? { instanceId } : {}),
              ...(options.eventHistorySize ? { eventHistorySize: options.eventHistorySize } : {}),
            }),
          ),
        async breakLock(name) {
          const db = new DatabaseSync(join(dataDir, SHARED_STATE_FILE));
          db.prepare('DELETE FROM leases WHERE name = ?').run(`lock:${name}`);
          db.close();
        },
      };
    },
  },
  {
    name: 'redis',
    crossInstanceEvents: true,
    world(options = {}) {
      const keyPrefix = `test${++worlds}-${process.pid}:`;
      const dataDir = temporaryFolder();
      return {
        async open({ instanceId } = {}) {
          if (!redis) throw new Error('redis-server is not running');
          return track(
            await createSharedState({
              redisUrl: redis.url,
              dataDir,
              keyPrefix,
              ...(instanceId ? { instanceId } : {}),
              ...(options.eventHistorySize ? { eventHistorySize: options.eventHistorySize } : {}),
            }),
          );
        },
        async breakLock(name) {
          if (!redis) throw new Error('redis-server is not running');
          const client = new Redis(redis.url);
          await client.del(`${keyPrefix}lock:${name}`);
          await client.quit();
        },
      };
    },
  },
];

beforeAll(async () => {
  redis = await startRedis();
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((state) => state.close()));
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

afterAll(async () => {
  await redis?.dispose();
});

async function twoInstances(
  implementation: Implementation,
  options?: { eventHistorySize?: number },
): Promise<[SharedState, SharedState, World]> {
  const world = implementation.world(options);
  return [await world.open({ instanceId: 'instance-a' }), await world.open({ instanceId: 'instance-b' }), world];
}

/**
 * Makes `waiter` hear releases: an instance listens from its first wait on (with Redis, once
 * subscribed to the release channel), and polls until then.
 */
async function hearReleases(holder: SharedState, waiter: SharedState): Promise<void> {
  const warmUp = await holder.locks.acquire('study:warm_up', { ttlMs: 10_000 });
  expect(await waiter.locks.acquire('study:warm_up', { ttlMs: 1_000, waitMs: 20 })).toBeUndefined();
  await warmUp?.release();
  await sleep(100);
}

/** A wait for `name` on `waiter` that stops as soon as it is told a release's note: the notes told, and how it ended. */
function waitUntilTold(waiter: SharedState, name: string) {
  const stop = new AbortController();
  const heard: JsonObject[] = [];
  const waiting = waiter.locks.acquire(name, {
    ttlMs: 5_000,
    waitMs: 5_000,
    signal: stop.signal,
    heard: (left) => {
      heard.push(left);
      stop.abort();
    },
  });
  return { heard, waiting };
}

describe.each(implementations)('shared state, $name', (implementation) => {
  describe('records', () => {
    it('writes, reads and deletes a record, a new version on every write, namespaces apart', async () => {
      const [a, b] = await twoInstances(implementation);
      expect(await a.records.get('sessions', 'missing')).toBeUndefined();
      const first = await a.records.set('sessions', 's1', {
        user: 'usr_1',
        roles: ['coordinator'],
        seen: 3,
        nested: { ok: true, none: null },
      });
      expect(first).toEqual({
        key: 's1',
        value: { user: 'usr_1', roles: ['coordinator'], seen: 3, nested: { ok: true, none: null } },
        version: expect.any(Number),
        expiresAt: null,
      });
      expect(await b.records.get('sessions', 's1')).toEqual(first);
      expect(await b.records.get('presence', 's1')).toBeUndefined();

      const second = await b.records.set('sessions', 's1', { user: 'usr_2' });
      expect(second?.version).toBeGreaterThan(first?.version ?? Infinity);
      expect((await a.records.get('sessions', 's1'))?.value).toEqual({ user: 'usr_2' });

      expect(await a.records.delete('sessions', 's1')).toBe(true);
      expect(await a.records.delete('sessions', 's1')).toBe(false);
      expect(await b.records.get('sessions', 's1')).toBeUndefined();
    });

    it('refuses a bad namespace, key or value before writing', async () => {
      const [a] = await twoInstances(implementation);
      await expect(a.records.set('Bad Space', 'k', {})).rejects.toThrow(TypeError);
      await expect(a.records.set('has:colon', 'k', {})).rejects.toThrow(TypeError);
      await expect(a.records.set('ok', '', {})).rejects.toThrow(TypeError);
      await expect(a.records.set('ok', 'x'.repeat(513), {})).rejects.toThrow(TypeError);
      await expect(a.records.set('ok', 'k', {}, { ttlMs: 0 })).rejects.toThrow(TypeError);
      await expect(a.records.set('ok', 'k', {}, { ifAbsent: true, ifVersion: 1 })).rejects.toThrow(TypeError);
      await expect(a.records.list('ok', { limit: 1001 })).rejects.toThrow(TypeError);
    });

    it('forgets a record when it expires, and touch moves the expiry', async () => {
      const [a, b] = await twoInstances(implementation);
      const started = Date.now();
      const written = await a.records.set('leases', 'stu_1', { by: 'usr_1' }, { ttlMs: 400 });
      expect(written?.expiresAt).toBeGreaterThanOrEqual(started + 300);
      expect(written?.expiresAt).toBeLessThanOrEqual(Date.now() + 500);
      await a.records.set('leases', 'stu_2', { by: 'usr_2' }, { ttlMs: 400 });
      expect(await b.records.touch('leases', 'stu_2', 5_000)).toBe(true);
      expect((await a.records.get('leases', 'stu_2'))?.expiresAt).toBeGreaterThan(Date.now() + 4_000);

      await sleep(600);
      expect(await b.records.get('leases', 'stu_1')).toBeUndefined();
      expect(await b.records.touch('leases', 'stu_1', 5_000)).toBe(false);
      expect(await b.records.delete('leases', 'stu_1')).toBe(false);
      expect((await a.records.list('leases')).records.map((record) => record.key)).toEqual(['stu_2']);
      // An expired record does not block a claim.
      expect(await b.records.set('leases', 'stu_1', { by: 'usr_3' }, { ifAbsent: true, ttlMs: 5_000 })).toBeDefined();
    });

    it('compares and sets by version, and never reuses a version after expiry', async () => {
      const [a, b] = await twoInstances(implementation);
      const first = await a.records.set('views', 'v1', { name: 'STAT first' }, { ttlMs: 200 });
      if (!first) throw new Error('not written');
      const second = await b.records.set('views', 'v1', { name: 'Mine' }, { ifVersion: first.version, ttlMs: 200 });
      expect(second?.value).toEqual({ name: 'Mine' });
      expect(await a.records.set('views', 'v1', { name: 'Lost update' }, { ifVersion: first.version })).toBeUndefined();
      expect(await a.records.delete('views', 'v1', { ifVersion: first.version })).toBe(false);
      expect(await a.records.set('views', 'v1', { name: 'Taken' }, { ifAbsent: true })).toBeUndefined();

      await sleep(350);
      const again = await a.records.set('views', 'v1', { name: 'New' });
      expect(again?.version).toBeGreaterThan(second?.version ?? Infinity);
      expect(
        await b.records.set('views', 'v1', { name: 'Stale' }, { ifVersion: second?.version ?? 0 }),
      ).toBeUndefined();
      expect(await b.records.delete('views', 'v1', { ifVersion: again?.version ?? 0 })).toBe(true);
    });

    it('lets exactly one of 50 concurrent claimers on two instances have a key', async () => {
      const [a, b] = await twoInstances(implementation);
      const claims = await Promise.all(
        Array.from({ length: 50 }, (_, index) =>
          (index % 2 === 0 ? a : b).records.set('claims', 'stu_1', { by: index }, { ifAbsent: true, ttlMs: 10_000 }),
        ),
      );
      const winners = claims.flatMap((claim, index) => (claim ? [index] : []));
      expect(winners).toHaveLength(1);
      expect((await a.records.get('claims', 'stu_1'))?.value).toEqual({ by: winners[0] });
    });

    it('updates without losing any of 20 concurrent changes from two instances', async () => {
      const [a, b] = await twoInstances(implementation);
      await Promise.all(
        Array.from({ length: 20 }, (_, index) =>
          (index % 2 === 0 ? a : b).records.update(
            'counters',
            'arrivals',
            (current) => ({ count: Number(current?.value.count ?? 0) + 1 }),
            { ttlMs: 60_000 },
          ),
        ),
      );
      const counted = await a.records.get('counters', 'arrivals');
      expect(counted?.value).toEqual({ count: 20 });
      expect(counted?.expiresAt).toBeGreaterThan(Date.now());
      // Returning undefined writes nothing.
      expect(await b.records.update('counters', 'arrivals', () => undefined)).toBeUndefined();
      expect((await a.records.get('counters', 'arrivals'))?.version).toBe(counted?.version);
    });

    it('lists a namespace by key prefix, in byte order, a bounded page at a time', async () => {
      const [a, b] = await twoInstances(implementation);
      for (const key of ['stu_1:usr_b', 'stu_1:usr_a', 'stu_1:é', 'stu_10:usr_a', 'stu_2:usr_a', 'stu_1']) {
        await a.records.set('presence', key, { key }, { ttlMs: 60_000 });
      }
      await a.records.set('presence', 'stu_1:usr_gone', { gone: true }, { ttlMs: 50 });
      await a.records.set('sessions', 'stu_1:usr_a', { other: 'namespace' });
      await sleep(150);

      const all = await b.records.list('presence', { prefix: 'stu_1:' });
      expect(all.records.map((record) => record.key)).toEqual(['stu_1:usr_a', 'stu_1:usr_b', 'stu_1:é']);
      expect(all.nextAfter).toBeUndefined();
      expect(all.records[0]).toEqual({
        key: 'stu_1:usr_a',
        value: { key: 'stu_1:usr_a' },
        version: expect.any(Number),
        expiresAt: expect.any(Number),
      });

      const first = await b.records.list('presence', { prefix: 'stu_1:', limit: 2 });
      expect(first.records.map((record) => record.key)).toEqual(['stu_1:usr_a', 'stu_1:usr_b']);
      expect(first.nextAfter).toBe('stu_1:usr_b');
      const rest = await b.records.list('presence', {
        prefix: 'stu_1:',
        limit: 2,
        ...(first.nextAfter ? { after: first.nextAfter } : {}),
      });
      expect(rest.records.map((record) => record.key)).toEqual(['stu_1:é']);
      expect(rest.nextAfter).toBeUndefined();

      expect((await b.records.list('presence')).records.map((record) => record.key)).toEqual([
        'stu_1',
        'stu_10:usr_a',
        'stu_1:usr_a',
        'stu_1:usr_b',
        'stu_1:é',
        'stu_2:usr_a',
      ]); // '0' < ':'
      expect((await b.records.list('presence', { prefix: 'stu_9' })).records).toEqual([]);
    });
  });

  describe('locks', () => {
    it('gives a lock to exactly one of 20 concurrent acquirers on two instances', async () => {
      const [a, b] = await twoInstances(implementation);
      const held = await Promise.all(
        Array.from({ length: 20 }, (_, index) =>
          (index % 2 === 0 ? a : b).locks.acquire('study:stu_1', { ttlMs: 10_000 }),
        ),
      );
      expect(held.filter((lock) => lock !== undefined)).toHaveLength(1);
    });

    it('runs 20 concurrent withLock tasks from two instances one at a time', async () => {
      const [a, b] = await twoInstances(implementation);
      let inside = 0;
      let mostInside = 0;
      let done = 0;
      await Promise.all(
        Array.from({ length: 20 }, (_, index) =>
          (index % 2 === 0 ? a : b).locks.withLock('study:stu_2', { ttlMs: 5_000, waitMs: 15_000 }, async () => {
            inside += 1;
            mostInside = Math.max(mostInside, inside);
            await sleep(5);
            inside -= 1;
            done += 1;
          }),
        ),
      );
      expect(done).toBe(20);
      expect(mostInside).toBe(1);
    });

    it("lets a crashed holder's lock expire, and another instance take it", async () => {
      const [a, b] = await twoInstances(implementation);
      expect(await a.locks.acquire('study:stu_3', { ttlMs: 400 })).toBeDefined();
      await a.close(); // the holder is gone without releasing
      expect(await b.locks.acquire('study:stu_3', { ttlMs: 5_000 })).toBeUndefined();
      const started = Date.now();
      const taken = await b.locks.acquire('study:stu_3', { ttlMs: 5_000, waitMs: 5_000 });
      expect(taken).toBeDefined();
      expect(Date.now() - started).toBeLessThan(3_000);
    });

    it('is released and extended only by its owner', async () => {
      const [a, b] = await twoInstances(implementation);
      const lock = await a.locks.acquire('study:stu_4', { ttlMs: 300 });
      if (!lock) throw new Error('not acquired');
      expect(await b.locks.release('study:stu_4', 'not-the-token')).toBe(false);
      expect(await b.locks.extend('study:stu_4', 'not-the-token', 10_000)).toBe(false);
      expect(await b.locks.acquire('study:stu_4', { ttlMs: 1_000 })).toBeUndefined();
      expect(await lock.extend(600)).toBe(true);
      await sleep(400);
      expect(await b.locks.acquire('study:stu_4', { ttlMs: 1_000 })).toBeUndefined(); // extended past its first expiry
      expect(await lock.release()).toBe(true);
      expect(await lock.release()).toBe(false);

      const taken = await b.locks.acquire('study:stu_4', { ttlMs: 200 });
      await sleep(350);
      const next = await a.locks.acquire('study:stu_4', { ttlMs: 5_000 });
      expect(next).toBeDefined();
      // The first holder's lock had expired and is someone else's now: its release must not end that one.
      expect(await taken?.release()).toBe(false);
      expect(await b.locks.acquire('study:stu_4', { ttlMs: 1_000 })).toBeUndefined();
    });

    it('withLock: times out on a held lock, releases after a failing task, keeps the lock while a long task runs', async () => {
      const [a, b] = await twoInstances(implementation);
      const held = await a.locks.acquire('study:stu_5', { ttlMs: 5_000 });
      await expect(
        b.locks.withLock('study:stu_5', { ttlMs: 1_000, waitMs: 100 }, async () => 'ran'),
      ).rejects.toBeInstanceOf(LockTimeoutError);
      await held?.release();

      await expect(
        b.locks.withLock('study:stu_5', { ttlMs: 1_000 }, async () => Promise.reject(new Error('upstream said no'))),
      ).rejects.toThrow('upstream said no');
      expect(await a.locks.acquire('study:stu_5', { ttlMs: 1_000 }).then((lock) => lock?.release())).toBe(true);

      let signalAborted = true;
      const result = await a.locks.withLock('study:stu_5', { ttlMs: 300 }, async (signal) => {
        await sleep(900); // three times the ttl: renewed meanwhile
        expect(await b.locks.acquire('study:stu_5', { ttlMs: 1_000 })).toBeUndefined();
        signalAborted = signal.aborted;
        return 'done';
      });
      expect(result).toBe('done');
      expect(signalAborted).toBe(false);
      expect(await b.locks.acquire('study:stu_5', { ttlMs: 1_000 })).toBeDefined();
    });

    it('withLock: callers of one instance take turns first come first served, and a wait ends when its signal aborts', async () => {
      const [a, b] = await twoInstances(implementation);
      const order: string[] = [];
      let releaseFirst = () => {};
      const firstHolds = new Promise<void>((resolve) => (releaseFirst = resolve));
      const first = a.locks.withLock('study:stu_7', { ttlMs: 5_000 }, async () => {
        order.push('first');
        await firstHolds;
      });
      await waitFor(() => order.length === 1, 5_000, 'the first holder');
      const queued = ['second', 'third', 'fourth'].map((name) =>
        a.locks.withLock('study:stu_7', { ttlMs: 5_000, waitMs: 5_000 }, async () => {
          order.push(name);
        }),
      );
      // Someone in line at the other instance as well: it waits for the store's lock, not for a's line.
      const elsewhere = b.locks.withLock('study:stu_7', { ttlMs: 5_000, waitMs: 5_000 }, async () => {
        order.push('elsewhere');
      });
      // A caller that gives up: its wait ends without the lock as soon as it says so.
      const stop = new AbortController();
      const givingUp = a.locks.withLock(
        'study:stu_7',
        { ttlMs: 5_000, waitMs: 5_000, signal: stop.signal },
        async () => {
          order.push('gave up, yet ran');
        },
      );
      const stoppedAt = Date.now();
      stop.abort();
      await expect(givingUp).rejects.toBeInstanceOf(LockTimeoutError);
      expect(Date.now() - stoppedAt).toBeLessThan(1_000);
      // Nobody in line may start while the first holds it, and no wait of 0 ms joins a line.
      await expect(
        a.locks.withLock('study:stu_7', { ttlMs: 5_000, waitMs: 0 }, async () => 'ran'),
      ).rejects.toBeInstanceOf(LockTimeoutError);
      expect(order).toEqual(['first']);
      releaseFirst();
      await Promise.all([first, ...queued, elsewhere]);
      expect(order.filter((name) => name !== 'elsewhere')).toEqual(['first', 'second', 'third', 'fourth']);
      expect(order).toContain('elsewhere');
      expect(await b.locks.acquire('study:stu_7', { ttlMs: 1_000 }).then((lock) => lock?.release())).toBe(true);
    });

    it('withLock: a task that lets the lock go early frees it for others at once, and is not released again at its end', async () => {
      const [a, b] = await twoInstances(implementation);
      let finishTask = () => {};
      const taskGoesOn = new Promise<void>((resolve) => (finishTask = resolve));
      let released = false;
      const running = a.locks.withLock('study:stu_8', { ttlMs: 5_000 }, async (_signal, release) => {
        release();
        release(); // twice is once
        released = true;
        await taskGoesOn;
        return 'done';
      });
      await waitFor(() => released, 5_000, 'the early release');
      // Free for another instance while the task still runs; its holder is not disturbed at the task's end.
      const other = await b.locks.acquire('study:stu_8', { ttlMs: 5_000, waitMs: 2_000 });
      expect(other).toBeDefined();
      finishTask();
      expect(await running).toBe('done');
      expect(await other?.release()).toBe(true);
    });

    it('hands what a release left to whoever takes the lock next, on any instance, and only an owner leaves one', async () => {
      const [a, b] = await twoInstances(implementation);
      const seen: Array<JsonObject | undefined> = [];
      await a.locks.withLock('study:stu_9', { ttlMs: 5_000 }, async (_signal, release, left) => {
        seen.push(left);
        release({ studyId: 'stu_9', updatedAt: '2026-12-01T10:00:00.000Z' });
      });
      await b.locks.withLock('study:stu_9', { ttlMs: 5_000 }, async (_signal, _release, left) => {
        seen.push(left);
      });
      // Released without a note, the lock keeps the last one (a hint, never wrong for being older).
      const again = await b.locks.acquire('study:stu_9', { ttlMs: 5_000 });
      seen.push(again?.left);
      expect(await a.locks.release('study:stu_9', 'not-the-owner', { studyId: 'other' })).toBe(false);
      expect(await again?.release({ studyId: 'stu_9', updatedAt: '2026-12-01T11:00:00.000Z' })).toBe(true);
      seen.push((await a.locks.acquire('study:stu_9', { ttlMs: 5_000 }))?.left);
      expect(seen).toEqual([
        undefined,
        { studyId: 'stu_9', updatedAt: '2026-12-01T10:00:00.000Z' },
        { studyId: 'stu_9', updatedAt: '2026-12-01T10:00:00.000Z' },
        { studyId: 'stu_9', updatedAt: '2026-12-01T11:00:00.000Z' },
      ]);
      expect((await a.locks.acquire('study:stu_10', { ttlMs: 5_000 }))?.left).toBeUndefined();
    });

    it('tells a waiter what a release left before it tries again: one that needs the lock no more stops without it', async () => {
      const [a, b] = await twoInstances(implementation);
      await hearReleases(a, a);
      const note = { studyId: 'stu_h', updatedAt: '2026-12-02T09:00:00.000Z' };
      const held = await a.locks.acquire('study:stu_h', { ttlMs: 10_000 });
      const { heard, waiting } = waitUntilTold(a, 'study:stu_h');
      await sleep(50);
      const released = Date.now();
      expect(await held?.release(note)).toBe(true);
      expect(await waiting).toBeUndefined();
      expect(Date.now() - released).toBeLessThan(200);
      expect(heard).toEqual([note]);
      // Nobody took it meanwhile: free at once, with the note for its next holder.
      expect((await b.locks.acquire('study:stu_h', { ttlMs: 5_000 }))?.left).toEqual(note);

      // A release that leaves nothing tells nothing: the waiter goes on and takes the lock.
      const again = await a.locks.acquire('study:stu_i', { ttlMs: 10_000 });
      const told: JsonObject[] = [];
      const taking = a.locks.acquire('study:stu_i', { ttlMs: 5_000, waitMs: 5_000, heard: (left) => told.push(left) });
      await sleep(50);
      await again?.release();
      expect(await taking).toBeDefined();
      expect(told).toEqual([]);
    });

    it('withLock aborts the signal when the lock is lost', async () => {
      const [a, b, world] = await twoInstances(implementation);
      let reason: unknown;
      await a.locks.withLock('study:stu_6', { ttlMs: 300 }, async (signal) => {
        // The lock is broken underneath (or expired during a long pause) and taken: the renewal fails.
        await world.breakLock('study:stu_6');
        expect(await b.locks.acquire('study:stu_6', { ttlMs: 5_000 })).toBeDefined();
        await waitFor(() => signal.aborted, 5_000, 'the signal to abort');
        reason = signal.reason;
      });
      expect(reason).toBeInstanceOf(LockLostError);
    });
  });

  describe('events', () => {
    it(`delivers every event, in order, to subscribers ${implementation.crossInstanceEvents ? 'on another instance' : 'of the instance'}`, async () => {
      const [a, b] = await twoInstances(implementation);
      const listening = implementation.crossInstanceEvents ? b : a;
      const received: BusEvent[] = [];
      const stop = await listening.events.subscribe({ onEvent: (event) => received.push(event) });
      const ids: string[] = [];
      for (let index = 0; index < 5; index++)
        ids.push(await a.events.publish({ type: 'study.changed', data: { studyId: `stu_${index}`, index } }));
      await waitFor(() => received.length >= 5, 5_000, 'five events');
      expect(received.map((event) => event.id)).toEqual(ids);
      expect(received[0]).toEqual({
        id: ids[0],
        type: 'study.changed',
        data: { studyId: 'stu_0', index: 0 },
        source: 'instance-a',
        publishedAt: expect.any(Number),
      });
      expect(Math.abs((received[0]?.publishedAt ?? 0) - Date.now())).toBeLessThan(10_000);
      for (let index = 1; index < ids.length; index++)
        expect(compareEventIds(ids[index - 1] ?? '', ids[index] ?? '')).toBeLessThan(0);

      stop();
      await a.events.publish({ type: 'study.changed', data: { after: 'stop' } });
      await sleep(100);
      expect(received).toHaveLength(5);
    });

    it('replays what followed an id, a bounded page at a time', async () => {
      const [a, b] = await twoInstances(implementation);
      const start = await a.events.latestId();
      // In-process, each instance has its own history: another instance's ids are foreign to it.
      const other = implementation.crossInstanceEvents ? b : a;
      expect(await other.events.since(start)).toEqual({ resync: false, events: [], more: false });
      const ids: string[] = [];
      for (let index = 0; index < 6; index++)
        ids.push(await a.events.publish({ type: 'lease.changed', data: { index } }));

      const everything = await a.events.since(start);
      expect(everything.resync === false && everything.events.map((event) => event.id)).toEqual(ids);
      const afterSecond = await a.events.since(ids[1] ?? '');
      expect(afterSecond.resync === false && afterSecond.events.map((event) => event.data.index)).toEqual([2, 3, 4, 5]);
      const page = await a.events.since(ids[1] ?? '', { limit: 3 });
      expect(page).toMatchObject({ resync: false, more: true });
      expect(page.resync === false && page.events.map((event) => event.data.index)).toEqual([2, 3, 4]);
      expect(await a.events.since(ids[5] ?? '')).toEqual({ resync: false, events: [], more: false });
      expect(await a.events.latestId()).toBe(ids[5]);
      expect(await other.events.since(ids[3] ?? '')).toMatchObject({
        resync: false,
        events: [{ id: ids[4] }, { id: ids[5] }],
      });
      if (!implementation.crossInstanceEvents) expect(await b.events.since(ids[3] ?? '')).toEqual({ resync: true });
    });

    it('asks for a resync when the gap is older than the history, or the id is not from it', async () => {
      const [a] = await twoInstances(implementation, { eventHistorySize: 100 });
      const first = await a.events.publish({ type: 'study.arrived', data: { index: 0 } });
      let last = first;
      const ids = [first];
      for (let index = 1; index < 400; index++) {
        last = await a.events.publish({ type: 'study.arrived', data: { index } });
        ids.push(last);
      }
      expect(await a.events.since(first)).toEqual({ resync: true });
      const recent = await a.events.since(ids[379] ?? '');
      expect(recent.resync === false && recent.events.map((event) => event.data.index)).toEqual(
        Array.from({ length: 20 }, (_, index) => 380 + index),
      );

      const position = parseEventId(last);
      if (!position) throw new Error('not an event id');
      expect(await a.events.since(`${position.history}:${position.ms + 60_000}-0`)).toEqual({ resync: true }); // from the future
      expect(await a.events.since(`abcdef0123:${position.ms}-0`)).toEqual({ resync: true }); // another history
      expect(await a.events.since('not an id')).toEqual({ resync: true });
      expect(await a.events.since('')).toEqual({ resync: true });
    });

    it('goes on delivering to the other listeners when one fails', async () => {
      const [a] = await twoInstances(implementation);
      const heard: string[] = [];
      await a.events.subscribe({
        onEvent() {
          throw new Error('a broken listener');
        },
      });
      await a.events.subscribe({ onEvent: (event) => heard.push(event.type) });
      await a.events.publish({ type: 'one', data: {} });
      await a.events.publish({ type: 'two', data: {} });
      await waitFor(() => heard.length === 2, 5_000, 'two events');
      expect(heard).toEqual(['one', 'two']);
    });
  });

  describe('leader lease', () => {
    it('has one leader among two instances, handed over on release', async () => {
      const [a, b] = await twoInstances(implementation);
      expect(await a.leadership.tryAcquire('queue-watcher', 5_000)).toBe(true);
      expect(await b.leadership.tryAcquire('queue-watcher', 5_000)).toBe(false);
      expect(await a.leadership.tryAcquire('queue-watcher', 5_000)).toBe(true); // already leading: renewed
      expect(await a.leadership.renew('queue-watcher', 5_000)).toBe(true);
      expect(await b.leadership.renew('queue-watcher', 5_000)).toBe(false);
      expect(await b.leadership.holder('queue-watcher')).toBe('instance-a');
      expect(await b.leadership.release('queue-watcher')).toBe(false);
      expect(await a.leadership.release('queue-watcher')).toBe(true);
      expect(await a.leadership.holder('queue-watcher')).toBeUndefined();
      expect(await b.leadership.tryAcquire('queue-watcher', 5_000)).toBe(true);
      expect(await a.leadership.holder('queue-watcher')).toBe('instance-b');
    });

    it('is taken over once the leader stops renewing', async () => {
      const [a, b] = await twoInstances(implementation);
      expect(await a.leadership.tryAcquire('queue-watcher', 300)).toBe(true);
      expect(await b.leadership.tryAcquire('queue-watcher', 300)).toBe(false);
      await sleep(500);
      expect(await b.leadership.tryAcquire('queue-watcher', 5_000)).toBe(true);
      expect(await a.leadership.renew('queue-watcher', 5_000)).toBe(false);
      expect(await a.leadership.holder('queue-watcher')).toBe('instance-b');
    });
  });

  describe('durability and health', () => {
    it('keeps records for the next instance after this one closed', async () => {
      const world = implementation.world();
      const first = await world.open();
      await first.records.set('views', 'usr_1:stat', { filters: { severity: ['stat'] } });
      await first.records.set('sessions', 'short', { user: 'usr_1' }, { ttlMs: 60_000 });
      await first.close();
      const second = await world.open();
      expect((await second.records.get('views', 'usr_1:stat'))?.value).toEqual({ filters: { severity: ['stat'] } });
      expect((await second.records.get('sessions', 'short'))?.expiresAt).toBeGreaterThan(Date.now());
    });

    it("says it is 'ok' and, after close, 'unavailable' and refuses work", async () => {
      const [a] = await twoInstances(implementation);
      expect(a.status()).toBe('ok');
      expect(a.kind).toBe(implementation.name);
      expect(a.instanceId).toBe('instance-a');
      const changes: string[] = [];
      a.onStatusChange((status) => changes.push(status));
      await a.close();
      expect(a.status()).toBe('unavailable');
      expect(changes).toEqual(['unavailable']);
      await expect(a.records.get('sessions', 'x')).rejects.toBeInstanceOf(SharedStateUnavailableError);
      await expect(a.locks.acquire('study:x', { ttlMs: 100 })).rejects.toBeInstanceOf(SharedStateUnavailableError);
      await a.close(); // twice is harmless
    });
  });
});

describe('in-process shared state', () => {
  it('creates DATA_DIR/shared-state.sqlite on first use, in WAL mode, and sweeps expired rows', async () => {
    const dataDir = join(temporaryFolder(), 'nested', 'data');
    const state = openInProcessSharedState({
      path: join(dataDir, SHARED_STATE_FILE),
      instanceId: 'solo',
      eventHistorySize: 100,
    });
    opened.push(state);
    await state.records.set('presence', 'gone', { at: 1 }, { ttlMs: 20 });
    await state.records.set('presence', 'stays', { at: 2 });
    await state.locks.acquire('study:stu_1', { ttlMs: 20 });
    await sleep(60);
    expect(state.sweep()).toBe(2);
    const db = new DatabaseSync(join(dataDir, SHARED_STATE_FILE));
    expect(db.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
    expect(db.prepare('SELECT key FROM records').all()).toEqual([{ key: 'stays' }]);
    db.close();
  });

  it('starts a new event history at each start, so ids from before ask for a resync', async () => {
    const dataDir = temporaryFolder();
    const before = await createSharedState({ dataDir });
    const id = await before.events.publish({ type: 'study.changed', data: {} });
    await before.close();
    const after = track(await createSharedState({ dataDir }));
    expect(await after.events.since(id)).toEqual({ resync: true });
    expect(await after.events.since(await after.events.latestId())).toEqual({ resync: false, events: [], more: false });
  });

  it('refuses a database written by a newer schema', () => {
    const path = join(temporaryFolder(), SHARED_STATE_FILE);
    const db = new DatabaseSync(path);
    db.exec('PRAGMA user_version = 99');
    db.close();
    expect(() => openInProcessSharedState({ path, instanceId: 'x', eventHistorySize: 10 })).toThrow(/newer version/);
  });

  it('has no shared rate-limit counters (the plugin keeps its own)', async () => {
    const state = track(await createSharedState({ dataDir: temporaryFolder() }));
    expect(state.rateLimits).toBeUndefined();
  });

  it('bounds a key prefix from above in code point order', () => {
    expect(prefixUpperBound('stu_1:')).toBe('stu_1;');
    expect(prefixUpperBound('a\u{10ffff}')).toBe('b');
    expect(prefixUpperBound('\u{d7ff}')).toBe('\u{e000}');
    expect(prefixUpperBound('\u{10ffff}')).toBeUndefined();
  });
});

describe('redis shared state', () => {
  it('shares rate limits between instances through @fastify/rate-limit', async () => {
    const world = implementations[1]?.world();
    if (!world) throw new Error('no redis implementation');
    const apps = await Promise.all(
      [await world.open(), await world.open()].map(async (state) => {
        const counters = state.rateLimits;
        if (!counters) throw new Error('no shared rate-limit counters');
        const app = Fastify();
        await app.register(rateLimit, {
          max: 3,
          timeWindow: 60_000,
          keyGenerator: () => 'usr_1',
          skipOnError: true,
          store: sharedRateLimitStore(counters).Store,
        });
        app.get('/api/studies', async () => ({ studies: [] }));
        await app.ready();
        return app;
      }),
    );
    const statuses: number[] = [];
    for (const app of [apps[0], apps[1], apps[0], apps[1]])
      statuses.push((await app?.inject('/api/studies'))?.statusCode ?? 0);
    expect(statuses).toEqual([200, 200, 200, 429]);
    await Promise.all(apps.map((app) => app.close()));
  });

  it('reads a record and counts a request in one step, against the budget the record names', async () => {
    const world = implementations[1]?.world();
    if (!world) throw new Error('no redis implementation');
    const [a, b] = [await world.open(), await world.open()];
    const counters = a.rateLimits;
    const other = b.rateLimits;
    if (!counters || !other) throw new Error('no shared rate-limit counters');
    await a.records.set('session', 's1', { user: { subject: 'alice' } }, { ttlMs: 60_000 });
    await a.records.set('session', 's2', { user: { name: 'nobody' } }, { ttlMs: 60_000 });
    const hit = {
      subjectKey: 'api:user:',
      subjectPath: ['user', 'subject'],
      otherwiseKey: 'api:ip:1',
      windowMs: 60_000,
    };
    const first = await counters.readAndHit('session', 's1', hit);
    expect(first.record?.value).toEqual({ user: { subject: 'alice' } });
    expect(first.count).toMatchObject({ current: 1, bySubject: true });
    expect(first.count.ttlMs).toBe(60_000);
    // The same budget from another instance, read with a record or counted alone.
    expect((await other.readAndHit('session', 's1', hit)).count).toMatchObject({ current: 2, bySubject: true });
    const alone = await other.hit('api:user:alice', 60_000);
    expect(alone.current).toBe(3);
    expect(alone.ttlMs).toBeGreaterThan(59_000);
    expect(alone.ttlMs).toBeLessThanOrEqual(60_000);
    // No record, or none with the text: the other budget.
    const missing = await counters.readAndHit('session', 'gone', hit);
    expect(missing.record).toBeUndefined();
    expect(missing.count).toMatchObject({ current: 1, bySubject: false });
    expect((await counters.readAndHit('session', 's2', hit)).count).toMatchObject({ current: 2, bySubject: false });
    expect((await counters.hit('api:ip:1', 60_000)).current).toBe(3);
  });
});

describe('redis locks: waiters are told of releases', () => {
  /** The lock tries Redis has run so far (every lock script is an EVALSHA, and nothing else runs here meanwhile). */
  async function scriptsRun(): Promise<number> {
    if (!redis) throw new Error('redis-server is not running');
    const client = new Redis(redis.url);
    const info = await client.info('commandstats');
    await client.quit();
    return Number(/^cmdstat_evalsha:calls=(\d+)/m.exec(info)?.[1] ?? 0);
  }

  function redisWorld(): World {
    const world = implementations[1]?.world();
    if (!world) throw new Error('no redis implementation');
    return world;
  }

  it('wakes a waiter on another instance by the release, without polling while the lock is held', async () => {
    const world = redisWorld();
    const [a, b] = [await world.open({ instanceId: 'instance-a' }), await world.open({ instanceId: 'instance-b' })];
    await hearReleases(a, b);
    for (let round = 0; round < 3; round += 1) {
      const name = `study:told_${round}`;
      const held = await a.locks.acquire(name, { ttlMs: 10_000 });
      if (!held) throw new Error('not acquired');
      const before = await scriptsRun();
      const waiting = b.locks.acquire(name, { ttlMs: 5_000, waitMs: 5_000 }).then((lock) => ({ lock, at: Date.now() }));
      await sleep(400);
      const released = Date.now();
      expect(await held.release({ studyId: `told_${round}` })).toBe(true);
      const { lock, at } = await waiting;
      expect(lock?.left).toEqual({ studyId: `told_${round}` });
      // Told at once, not at its next untold try (up to 250 ms later); polling every 5–20 ms would have made 20 or more tries.
      expect(at - released).toBeLessThan(100);
      const tries = (await scriptsRun()) - before - 1; // less the release
      expect(tries).toBeLessThanOrEqual(4);
      await lock?.release();
    }
  });

  it('tells waiters on another instance what the release left, with the release itself', async () => {
    const world = redisWorld();
    const [a, b] = [await world.open({ instanceId: 'instance-a' }), await world.open({ instanceId: 'instance-b' })];
    await hearReleases(a, b);
    // A lock name that holds a line break still reaches its waiters (the note's JSON never does).
    const name = 'study:two\nlines';
    const note = { studyId: 'stu_n', updatedAt: '2026-12-02T09:00:00.000Z', text: 'a\nb' };
    const held = await a.locks.acquire(name, { ttlMs: 10_000 });
    const { heard, waiting } = waitUntilTold(b, name);
    await sleep(100);
    const before = await scriptsRun();
    expect(await held?.release(note)).toBe(true);
    expect(await waiting).toBeUndefined();
    expect(heard).toEqual([note]);
    // Told by the release alone: the waiter did not try the lock again.
    expect((await scriptsRun()) - before).toBe(1);
  });

  it('reads a release message with or without a note, and the bare name an older version sends', () => {
    expect(releaseMessage('{"a":1}\nstudy:stu_1')).toEqual({ name: 'study:stu_1', note: '{"a":1}' });
    expect(releaseMessage('\nstudy:stu_1')).toEqual({ name: 'study:stu_1' });
    expect(releaseMessage('{"a":1}\nstudy:x\ny')).toEqual({ name: 'study:x\ny', note: '{"a":1}' });
    expect(releaseMessage('study:stu_1')).toEqual({ name: 'study:stu_1' });
  });

  it('still gives the lock of a holder that died without releasing to a waiter once its time is up', async () => {
    const world = redisWorld();
    const [a, b] = [await world.open({ instanceId: 'instance-a' }), await world.open({ instanceId: 'instance-b' })];
    // Someone already waits (so the release channel is listened to), then the holder dies.
    const first = await a.locks.acquire('study:died', { ttlMs: 600 });
    expect(first).toBeDefined();
    const started = Date.now();
    const waiting = b.locks.acquire('study:died', { ttlMs: 5_000, waitMs: 5_000 });
    await a.close();
    const lock = await waiting;
    expect(lock).toBeDefined();
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(500);
    // The waiter's untold try comes when the lock's time is up, not a fixed poll later.
    expect(waited).toBeLessThan(1_200);
  });

  it('gives every one of many waiters on two instances its turn, one at a time, each of one instance in order', async () => {
    const world = redisWorld();
    const [a, b] = [await world.open({ instanceId: 'instance-a' }), await world.open({ instanceId: 'instance-b' })];
    const before = await scriptsRun();
    const order: string[] = [];
    let inside = 0;
    let mostInside = 0;
    const work = Array.from({ length: 16 }, (_, index) => {
      const instance = index % 2 === 0 ? a : b;
      const who = `${index % 2 === 0 ? 'a' : 'b'}${index}`;
      return instance.locks.withLock('study:many', { ttlMs: 5_000, waitMs: 10_000 }, async () => {
        inside += 1;
        mostInside = Math.max(mostInside, inside);
        order.push(who);
        await sleep(30);
        inside -= 1;
      });
    });
    await Promise.all(work);
    expect(mostInside).toBe(1);
    expect(order).toHaveLength(16);
    const ofA = order.filter((who) => who.startsWith('a'));
    const ofB = order.filter((who) => who.startsWith('b'));
    expect(ofA).toEqual(['a0', 'a2', 'a4', 'a6', 'a8', 'a10', 'a12', 'a14']);
    expect(ofB).toEqual(['b1', 'b3', 'b5', 'b7', 'b9', 'b11', 'b13', 'b15']);
    // A take and a release for each, and a few tries of the waiting instance's first in line: no polling.
    expect((await scriptsRun()) - before).toBeLessThan(16 * 2 + 16);
  });
});

describe('redis shared state when Redis goes away', () => {
  let server: RunningRedis | undefined;

  beforeAll(async () => {
    server = await startRedis();
  });

  afterAll(async () => {
    await server?.dispose();
  });

  function statusOf(state: SharedState, wanted: SharedStateStatus): Promise<void> {
    if (state.status() === wanted) return Promise.resolve();
    return new Promise((resolve) => {
      const stop = state.onStatusChange((status) => {
        if (status !== wanted) return;
        stop();
        resolve();
      });
    });
  }

  it('fails fast with the typed error while Redis is down, and recovers by itself when it is back', async () => {
    if (!server) throw new Error('redis-server is not running');
    const options = {
      redisUrl: server.url,
      dataDir: temporaryFolder(),
      keyPrefix: 'outage:',
      reconnectMaxDelayMs: 300,
    };
    const a = track(await createSharedState({ ...options, instanceId: 'instance-a' }));
    const b = track(await createSharedState({ ...options, instanceId: 'instance-b' }));
    const received: BusEvent[] = [];
    let resyncs = 0;
    await b.events.subscribe({ onEvent: (event) => received.push(event), onResync: () => (resyncs += 1) });
    const changes: SharedStateStatus[] = [];
    a.onStatusChange((status) => changes.push(status));
    expect(a.status()).toBe('ok');
    await a.events.publish({ type: 'before', data: {} });
    await waitFor(() => received.length === 1, 5_000, 'the first event');

    await server.stop();
    await Promise.all([statusOf(a, 'unavailable'), statusOf(b, 'unavailable')]);
    expect(changes).toEqual(['unavailable']);

    const started = Date.now();
    const failure = await a.locks.acquire('study:stu_1', { ttlMs: 5_000, waitMs: 5_000 }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(SharedStateUnavailableError);
    expect(failure instanceof SharedStateUnavailableError && failure.retryAfterSeconds).toBeGreaterThan(0);
    expect(Date.now() - started).toBeLessThan(2_000);
    await expect(
      a.locks.withLock('study:stu_1', { ttlMs: 5_000, waitMs: 5_000 }, async () => 'unserialized'),
    ).rejects.toBeInstanceOf(SharedStateUnavailableError);
    await expect(a.records.set('claims', 'stu_1', { by: 'usr_1' }, { ifAbsent: true })).rejects.toBeInstanceOf(
      SharedStateUnavailableError,
    );
    await expect(a.events.publish({ type: 'during', data: {} })).rejects.toBeInstanceOf(SharedStateUnavailableError);
    await expect(a.leadership.tryAcquire('queue-watcher', 5_000)).rejects.toBeInstanceOf(SharedStateUnavailableError);
    expect(Date.now() - started).toBeLessThan(2_000);

    await server.start();
    await Promise.all([statusOf(a, 'ok'), statusOf(b, 'ok')]);
    expect(changes).toEqual(['unavailable', 'ok']);
    const lock = await a.locks.acquire('study:stu_1', { ttlMs: 5_000 });
    expect(lock).toBeDefined();
    expect(await b.locks.acquire('study:stu_1', { ttlMs: 5_000 })).toBeUndefined();
    expect(await a.records.set('claims', 'stu_1', { by: 'usr_1' }, { ifAbsent: true })).toBeDefined();
    // This Redis kept nothing (no persistence): a new history, so the subscriber was told to resync,
    // and hears what is published from now on.
    await a.events.publish({ type: 'after', data: {} });
    await waitFor(() => received.length === 2, 10_000, 'the event after the restart');
    expect(received.map((event) => event.type)).toEqual(['before', 'after']);
    expect(resyncs).toBe(1);
    expect(await b.events.since(received[0]?.id ?? '')).toEqual({ resync: true });
  });

  it('starts while Redis is down, as unavailable, and becomes ok once it answers', async () => {
    const port = await freePort();
    const state = track(
      await createSharedState({
        redisUrl: `redis://127.0.0.1:${port}`,
        dataDir: temporaryFolder(),
        keyPrefix: 'late:',
        connectWaitMs: 300,
        reconnectMaxDelayMs: 300,
      }),
    );
    expect(state.status()).toBe('unavailable');
    await expect(state.records.get('sessions', 's1')).rejects.toBeInstanceOf(SharedStateUnavailableError);
    const late = await startRedis({ port });
    try {
      await statusOf(state, 'ok');
      expect(await state.records.set('sessions', 's1', { user: 'usr_1' })).toBeDefined();
      expect(await state.leadership.tryAcquire('queue-watcher', 5_000)).toBe(true);
    } finally {
      await state.close();
      await late.dispose();
    }
  });
});
