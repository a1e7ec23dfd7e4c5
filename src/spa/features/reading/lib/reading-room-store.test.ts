import { describe, expect, it, vi } from 'vitest';
import type { EventPerson, ReadingLease } from '../../../../contract/worklist-events.ts';
import { createReadingRoomStore } from './reading-room-store.ts';
import { feedReadingRoom } from './reading-room-feed.ts';
import type { LiveFeed } from './reading-room-feed.ts';

const drX: EventPerson = { userId: 'usr_x', email: 'x@example.org', name: 'Dr X' };
const drY: EventPerson = { userId: 'usr_y', email: 'y@example.org', name: 'Dr Y' };

function leaseOf(studyId: string, holder: EventPerson, expiresInMs = 120_000): ReadingLease {
  return {
    studyId,
    holder,
    since: new Date(Date.now() - 240_000).toISOString(),
    expiresAt: new Date(Date.now() + expiresInMs).toISOString(),
  };
}

describe('the reading room store', () => {
  it('takes leases from the list and events, and drops only the lease a release names', () => {
    const store = createReadingRoomStore();
    const listener = vi.fn();
    store.subscribe(listener);
    store.replaceLeases([leaseOf('stu_1', drX)], false);
    expect(store.leaseOf('stu_1')?.holder.name).toBe('Dr X');

    const takenOver = leaseOf('stu_1', drY);
    store.apply({ id: '1', type: 'lease.taken', data: { lease: takenOver, tookOverFrom: drX } });
    expect(store.leaseOf('stu_1')).toBe(takenOver);
    // A late release of Dr X's lease does not end Dr Y's.
    store.apply({ id: '2', type: 'lease.released', data: { studyId: 'stu_1', holder: drX, reason: 'released' } });
    expect(store.leaseOf('stu_1')).toBe(takenOver);
    store.apply({ id: '3', type: 'lease.released', data: { studyId: 'stu_1', holder: drY, reason: 'read' } });
    expect(store.leaseOf('stu_1')).toBeUndefined();
    expect(listener).toHaveBeenCalledTimes(3);
  });

  it('keeps the same object for an unchanged lease, so rows showing it do not re-render', () => {
    const store = createReadingRoomStore();
    const lease = leaseOf('stu_1', drX);
    store.replaceLeases([lease], false);
    const listener = vi.fn();
    store.subscribe(listener);
    store.replaceLeases([{ ...lease, holder: { ...drX } }], false);
    expect(store.leaseOf('stu_1')).toBe(lease);
    expect(listener).not.toHaveBeenCalled();
  });

  it('replaces the list on a complete answer, and keeps unlisted leases when the answer has more', () => {
    const store = createReadingRoomStore();
    store.replaceLeases([leaseOf('stu_1', drX), leaseOf('stu_2', drY)], false);
    store.replaceLeases([leaseOf('stu_3', drX)], true);
    expect(
      store
        .leases()
        .map((lease) => lease.studyId)
        .sort(),
    ).toEqual(['stu_1', 'stu_2', 'stu_3']);
    store.replaceLeases([leaseOf('stu_2', drY)], false);
    expect(store.leases().map((lease) => lease.studyId)).toEqual(['stu_2']);
  });

  it('follows presence events, and forgets a study nobody has open', () => {
    const store = createReadingRoomStore();
    store.apply({ id: '1', type: 'presence.changed', data: { studyId: 'stu_1', viewers: [drX, drY] } });
    expect(store.viewersOf('stu_1').map((viewer) => viewer.name)).toEqual(['Dr X', 'Dr Y']);
    const seen = store.viewersOf('stu_1');
    store.putViewers('stu_1', [drX, drY]);
    expect(store.viewersOf('stu_1')).toBe(seen);
    store.apply({ id: '2', type: 'presence.changed', data: { studyId: 'stu_1', viewers: [] } });
    expect(store.viewersOf('stu_1')).toEqual([]);
  });
});

function fakeLive(state: 'connecting' | 'live' | 'reconnecting' | 'offline' = 'live') {
  const eventListeners = new Set<Parameters<LiveFeed['subscribe']>[0]>();
  const statusListeners = new Set<() => void>();
  let current = state;
  const live: LiveFeed = {
    subscribe: (listener) => {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
    subscribeStatus: (listener) => {
      statusListeners.add(listener);
      return () => statusListeners.delete(listener);
    },
    getSnapshot: () => ({ state: current }),
  };
  return {
    live,
    emit: (event: Parameters<Parameters<LiveFeed['subscribe']>[0]>[0]) =>
      eventListeners.forEach((listener) => listener(event)),
    setState(next: typeof current) {
      current = next;
      statusListeners.forEach((listener) => listener());
    },
  };
}

describe('the reading room feed', () => {
  it('asks for the list at start, on resync and when the stream is live again; never polls while live', async () => {
    vi.useFakeTimers();
    try {
      const store = createReadingRoomStore();
      const stream = fakeLive('live');
      const fetchLeases = vi.fn(async () => ({ leases: [leaseOf('stu_1', drX, 600_000)], hasMore: false }));
      const stop = feedReadingRoom(store, { live: stream.live, fetchLeases, pollMs: 1_000 });
      await vi.advanceTimersByTimeAsync(0);
      expect(fetchLeases).toHaveBeenCalledTimes(1);
      expect(store.leaseOf('stu_1')).toBeDefined();

      await vi.advanceTimersByTimeAsync(60_000);
      expect(fetchLeases).toHaveBeenCalledTimes(1);

      stream.emit({ id: '1', type: 'resync', data: { reason: 'gap' } });
      await vi.advanceTimersByTimeAsync(0);
      expect(fetchLeases).toHaveBeenCalledTimes(2);

      // Down: polled; back: asked once more, then quiet.
      stream.setState('reconnecting');
      await vi.advanceTimersByTimeAsync(2_500);
      expect(fetchLeases).toHaveBeenCalledTimes(4);
      stream.setState('live');
      await vi.advanceTimersByTimeAsync(0);
      expect(fetchLeases).toHaveBeenCalledTimes(5);
      await vi.advanceTimersByTimeAsync(10_000);
      expect(fetchLeases).toHaveBeenCalledTimes(5);

      stream.emit({ id: '2', type: 'lease.released', data: { studyId: 'stu_1', holder: drX, reason: 'read' } });
      expect(store.leaseOf('stu_1')).toBeUndefined();
      stop();
    } finally {
      vi.useRealTimers();
    }
  });

  it('asks again when a known lease passes its expiry (heartbeats publish nothing)', async () => {
    vi.useFakeTimers();
    try {
      const store = createReadingRoomStore();
      const stream = fakeLive('live');
      const fetchLeases = vi.fn(async () => ({ leases: [] as ReadingLease[], hasMore: false }));
      const stop = feedReadingRoom(store, { live: stream.live, fetchLeases });
      await vi.advanceTimersByTimeAsync(0);
      stream.emit({ id: '1', type: 'lease.taken', data: { lease: leaseOf('stu_9', drY, 30_000) } });
      await vi.advanceTimersByTimeAsync(29_000);
      expect(fetchLeases).toHaveBeenCalledTimes(1);
      await vi.advanceTimersByTimeAsync(2_000);
      expect(fetchLeases).toHaveBeenCalledTimes(2);
      // The list no longer has it: it ended without an event.
      expect(store.leaseOf('stu_9')).toBeUndefined();
      stop();
    } finally {
      vi.useRealTimers();
    }
  });
});
