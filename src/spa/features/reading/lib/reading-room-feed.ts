import type { ReadingLease, WorklistEvent } from '../../../../contract/worklist-events.ts';
import type { ReadingRoomStore } from './reading-room-store.ts';

/** What the feed needs of the page's event stream (src/spa/lib/live/live-events.ts). */
export interface LiveFeed {
  subscribe(listener: (event: WorklistEvent) => void): () => void;
  subscribeStatus(listener: () => void): () => void;
  getSnapshot(): { state: 'connecting' | 'live' | 'reconnecting' | 'offline' };
}

export interface ReadingRoomFeedOptions {
  live: LiveFeed;
  fetchLeases: () => Promise<{ leases: ReadingLease[]; hasMore: boolean }>;
  /** How often the lease list is asked for while the stream is not live. */
  pollMs?: number;
  now?: () => number;
}

/** While the stream is down, the list is asked for this often (it is one small request). */
export const READING_ROOM_POLL_MS = 30_000;
/** A lease past its `expiresAt` is asked about this long after, so its holder's heartbeat has landed. */
const EXPIRY_GRACE_MS = 1_000;
/** At most one expiry check this often: a clock behind the server's must not turn it into a loop. */
const MIN_EXPIRY_CHECK_MS = 10_000;

/**
 * Keeps the store current: the lease list at start, after a `resync`, and whenever the stream comes
 * back to live (events may have been missed); the stream's events in between. While the stream is
 * not live, the list is polled; while it is, only when a known lease passes its `expiresAt` (heartbeats
 * publish nothing, so the list says whether it was renewed or ended). Returns the way to stop.
 */
export function feedReadingRoom(store: ReadingRoomStore, options: ReadingRoomFeedOptions): () => void {
  const { live, fetchLeases, pollMs = READING_ROOM_POLL_MS, now = Date.now } = options;
  let stopped = false;
  let inFlight = false;
  let again = false;
  let pollTimer: ReturnType<typeof setTimeout> | undefined;
  let expiryTimer: ReturnType<typeof setTimeout> | undefined;
  let wasLive = live.getSnapshot().state === 'live';

  async function refresh() {
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = true;
    try {
      const { leases, hasMore } = await fetchLeases();
      if (!stopped) store.replaceLeases(leases, hasMore);
    } catch {
      // Kept as they were: the next poll, expiry or reconnection asks again.
    } finally {
      inFlight = false;
      if (again && !stopped) {
        again = false;
        void refresh();
      }
    }
  }

  function schedulePoll() {
    if (pollTimer !== undefined) clearTimeout(pollTimer);
    pollTimer = undefined;
    if (stopped || live.getSnapshot().state === 'live') return;
    pollTimer = setTimeout(() => {
      pollTimer = undefined;
      void refresh().then(schedulePoll);
    }, pollMs);
  }

  function scheduleExpiry() {
    if (expiryTimer !== undefined) clearTimeout(expiryTimer);
    expiryTimer = undefined;
    const next = store.nextExpiry();
    if (stopped || next === undefined) return;
    expiryTimer = setTimeout(
      () => {
        expiryTimer = undefined;
        void refresh();
      },
      Math.max(MIN_EXPIRY_CHECK_MS, next - now() + EXPIRY_GRACE_MS),
    );
  }

  const stopEvents = live.subscribe((event) => {
    if (event.type === 'resync') void refresh();
    else store.apply(event);
  });
  const stopStatus = live.subscribeStatus(() => {
    const isLive = live.getSnapshot().state === 'live';
    if (isLive && !wasLive) void refresh();
    wasLive = isLive;
    schedulePoll();
  });
  const stopStore = store.subscribe(scheduleExpiry);
  void refresh();
  schedulePoll();

  return () => {
    stopped = true;
    stopEvents();
    stopStatus();
    stopStore();
    if (pollTimer !== undefined) clearTimeout(pollTimer);
    if (expiryTimer !== undefined) clearTimeout(expiryTimer);
  };
}
