import type { WorklistEvent } from '../../../contract/worklist-events.ts';
import { toWorklistEvent } from './event-shapes.ts';
import type { OpenStream, StreamConnection } from './event-stream-transport.ts';

/** The browser's transport, loaded when the stream first opens: it is not needed to draw the first screen. */
const openLazily: OpenStream = (options, handlers) => {
  let connection: StreamConnection | null = null;
  let closed = false;
  void import('./event-stream-transport.ts').then(
    ({ openFetchStream }) => {
      if (!closed) connection = openFetchStream(options, handlers);
    },
    () => {
      if (!closed) handlers.onEnd({});
    },
  );
  return {
    close() {
      closed = true;
      connection?.close();
    },
  };
};

/**
 * The page's one connection to `GET /api/events` (docs/api.md "Live events").
 *
 * - `connecting`: the first connection is being made.
 * - `live`: the stream is open; what it says is on screen.
 * - `reconnecting`: it dropped and a new one is on its way (a short, growing delay).
 * - `offline`: several attempts in a row failed; it keeps trying, less often.
 */
export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'offline';

export interface LiveSnapshot {
  state: LiveState;
  /** When the last event arrived (ms since the epoch). */
  lastEventAt: number | null;
  /** When the current connection opened; null while there is none. */
  connectedAt: number | null;
  /** The server said `stream.status degraded`: changes wait for its shared store. */
  degraded: boolean;
  /** When the stream was last known current: now while live, the moment it dropped after. */
  currentAt: number | null;
}

export interface LiveEvents {
  /** Opens the stream (idempotent). */
  start(): void;
  /** Closes it and forgets the position; the next start() begins afresh. */
  stop(): void;
  /** Every well-formed event, in order. Returns the unsubscribe function. */
  subscribe: (listener: (event: WorklistEvent) => void) => () => void;
  /** Called after every change of the snapshot. */
  subscribeStatus: (listener: () => void) => () => void;
  getSnapshot: () => LiveSnapshot;
}

export interface LiveEventsOptions {
  open?: OpenStream;
  now?: () => number;
  setTimer?: (run: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
  /** Attempts in a row that fail before the state says `offline`. */
  offlineAfterAttempts?: number;
  /** Delay before the n-th attempt in a row (1-based), before jitter. */
  backoffMs?: (attempt: number) => number;
  /** Silence (not even a heartbeat comment) after which an open stream is taken for dead. */
  silenceMs?: number;
  random?: () => number;
}

/** Three failed attempts (about 7 s): a restart of the BFF takes less, an outage more. */
export const OFFLINE_AFTER_ATTEMPTS = 3;
/** 1 s, 2 s, 4 s … up to 30 s: soon after a blip, without hammering a server that is down. */
export const streamBackoffMs = (attempt: number): number => Math.min(30_000, 1_000 * 2 ** (attempt - 1));
/** Three of the server's 15 s heartbeats missed: the connection is gone without having said so. */
export const STREAM_SILENCE_MS = 45_000;

// Connecting until the stream says otherwise: the first screen (rendered on the server too, decision
// record 041) says so while the app's scripts load, instead of calling a list just fetched "Offline".
const INITIAL: LiveSnapshot = {
  state: 'connecting',
  lastEventAt: null,
  connectedAt: null,
  degraded: false,
  currentAt: null,
};

export function createLiveEvents({
  open = openLazily,
  now = Date.now,
  setTimer = (run, ms) => setTimeout(run, ms),
  clearTimer = (timer) => clearTimeout(timer as ReturnType<typeof setTimeout>),
  offlineAfterAttempts = OFFLINE_AFTER_ATTEMPTS,
  backoffMs = streamBackoffMs,
  silenceMs = STREAM_SILENCE_MS,
  random = Math.random,
}: LiveEventsOptions = {}): LiveEvents {
  let snapshot = INITIAL;
  const listeners = new Set<(event: WorklistEvent) => void>();
  const statusListeners = new Set<() => void>();
  let running = false;
  let connection: StreamConnection | null = null;
  let retryTimer: unknown = null;
  let silenceTimer: unknown = null;
  let lastEventId: string | null = null;
  let failedAttempts = 0;
  /** A connection has been open before: a new one without a position to resume from missed events. */
  let hadConnection = false;
  /** Which connection is current: handlers of an older one are ignored. */
  let generation = 0;

  function update(next: Partial<LiveSnapshot>) {
    snapshot = { ...snapshot, ...next };
    for (const listener of [...statusListeners]) listener();
  }

  function emit(event: WorklistEvent) {
    for (const listener of [...listeners]) {
      // One listener's bug must not keep the event from the others, nor break the stream.
      try {
        listener(event);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  function armSilence() {
    if (silenceTimer !== null) clearTimer(silenceTimer);
    silenceTimer = setTimer(() => {
      silenceTimer = null;
      generation += 1;
      connection?.close();
      connection = null;
      dropped();
    }, silenceMs);
  }

  function disarm() {
    if (silenceTimer !== null) clearTimer(silenceTimer);
    if (retryTimer !== null) clearTimer(retryTimer);
    silenceTimer = null;
    retryTimer = null;
  }

  function dropped() {
    if (!running) return;
    disarm();
    const wasLive = snapshot.state === 'live';
    failedAttempts += 1;
    const state: LiveState =
      failedAttempts >= offlineAfterAttempts
        ? 'offline'
        : snapshot.state === 'connecting'
          ? 'connecting'
          : 'reconnecting';
    update({ state, connectedAt: null, currentAt: wasLive ? now() : snapshot.currentAt });
    // ±20 % so many pages do not come back in step after a restart.
    const delay = backoffMs(failedAttempts) * (0.8 + 0.4 * random());
    retryTimer = setTimer(() => {
      retryTimer = null;
      connect();
    }, delay);
  }

  function connect() {
    if (!running) return;
    const resumeFrom = lastEventId;
    generation += 1;
    const mine = generation;
    const isCurrent = () => running && generation === mine;
    const attempt = open(
      { lastEventId: resumeFrom },
      {
        onOpen() {
          if (!isCurrent()) return;
          failedAttempts = 0;
          const at = now();
          update({ state: 'live', connectedAt: at, currentAt: at });
          armSilence();
          // Reconnected with nothing to resume from: whatever happened meanwhile is unknown.
          if (hadConnection && resumeFrom === null)
            emit({ id: '', type: 'resync', data: { reason: 'reconnected without a position to resume from' } });
          hadConnection = true;
        },
        onActivity() {
          if (isCurrent()) armSilence();
        },
        onMessage(message) {
          if (!isCurrent()) return;
          if (message.id !== undefined) lastEventId = message.id;
          const event = toWorklistEvent(message.event, message.data, message.id ?? lastEventId ?? '');
          if (!event) return;
          const at = now();
          if (event.type === 'stream.status')
            update({ lastEventAt: at, currentAt: at, degraded: event.data.status === 'degraded' });
          else update({ lastEventAt: at, currentAt: at });
          emit(event);
        },
        onEnd() {
          if (!isCurrent()) return;
          generation += 1;
          connection = null;
          dropped();
        },
      },
    );
    if (isCurrent()) connection = attempt;
  }

  return {
    start() {
      if (running) return;
      running = true;
      failedAttempts = 0;
      update({ state: 'connecting', connectedAt: null, degraded: false });
      connect();
    },
    stop() {
      if (!running) return;
      running = false;
      generation += 1;
      disarm();
      const current = connection;
      connection = null;
      current?.close();
      lastEventId = null;
      hadConnection = false;
      update({ state: 'offline', connectedAt: null, degraded: false });
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    subscribeStatus(listener) {
      statusListeners.add(listener);
      return () => statusListeners.delete(listener);
    },
    getSnapshot: () => snapshot,
  };
}

/** The page's one stream. Creating it opens nothing: useLiveEventsMonitor starts it once signed in. */
export const liveEvents: LiveEvents = createLiveEvents();
