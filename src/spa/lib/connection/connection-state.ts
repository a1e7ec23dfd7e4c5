/**
 * Whether the BFF can be reached, as one small store every source feeds: the heartbeat, the answer
 * (or not) of every API call, the browser's own online flag, and later the live event stream.
 *
 * - `live`: the last contact with the server succeeded.
 * - `reconnecting`: contact failed, but not yet often enough to call it an outage (one dropped
 *   request is not one); the heartbeat checks again soon.
 * - `offline`: several contacts in a row failed, or the browser says it has no network.
 */
export type ConnectionStatus = 'live' | 'reconnecting' | 'offline';

export interface ConnectionSnapshot {
  status: ConnectionStatus;
  /** When the server last answered (ms since the epoch); null until it first has. */
  lastSuccessAt: number | null;
  /** Failed contacts since the last success. */
  failures: number;
  /** The browser reports no network at all (`navigator.onLine === false`). */
  browserOffline: boolean;
}

export interface ConnectionState {
  getSnapshot: () => ConnectionSnapshot;
  /** Called after every change of the snapshot; returns the unsubscribe function. */
  subscribe: (listener: () => void) => () => void;
  /** Called when the status comes back to `live` after `offline`: time to refresh what is on screen. */
  onRecovered(listener: () => void): () => void;
  /** The server answered (any answer of its own, error statuses included). */
  reportSuccess(): void;
  /** A request did not reach the server, or timed out. */
  reportFailure(): void;
  setBrowserOnline(online: boolean): void;
  /** Back to the first state (tests, and nothing else). */
  reset(): void;
}

export interface ConnectionStateOptions {
  now?: () => number;
  /** Failures in a row that make an outage. */
  offlineAfterFailures?: number;
}

/** Two failures in a row: one lost request is a blip, a second one a moment later is an outage. */
export const OFFLINE_AFTER_FAILURES = 2;

function statusOf(failures: number, browserOffline: boolean, threshold: number): ConnectionStatus {
  if (browserOffline || failures >= threshold) return 'offline';
  return failures === 0 ? 'live' : 'reconnecting';
}

const INITIAL: ConnectionSnapshot = { status: 'live', lastSuccessAt: null, failures: 0, browserOffline: false };

export function createConnectionState({
  now = Date.now,
  offlineAfterFailures = OFFLINE_AFTER_FAILURES,
}: ConnectionStateOptions = {}): ConnectionState {
  let snapshot = INITIAL;
  const listeners = new Set<() => void>();
  const recoveredListeners = new Set<() => void>();

  function update(next: Omit<ConnectionSnapshot, 'status'>) {
    const previous = snapshot;
    const status = statusOf(next.failures, next.browserOffline, offlineAfterFailures);
    snapshot = { ...next, status };
    for (const listener of [...listeners]) listener();
    if (previous.status === 'offline' && status === 'live') for (const listener of [...recoveredListeners]) listener();
  }

  return {
    getSnapshot: () => snapshot,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onRecovered(listener) {
      recoveredListeners.add(listener);
      return () => recoveredListeners.delete(listener);
    },
    reportSuccess() {
      // An answer proves the network works, whatever the browser's flag said.
      update({ lastSuccessAt: now(), failures: 0, browserOffline: false });
    },
    reportFailure() {
      update({ ...snapshot, failures: snapshot.failures + 1 });
    },
    setBrowserOnline(online) {
      if (snapshot.browserOffline === !online) return;
      update({ ...snapshot, browserOffline: !online });
    },
    reset() {
      snapshot = INITIAL;
      for (const listener of [...listeners]) listener();
    },
  };
}

/**
 * The page's one connection state. Creating it does nothing but allocate: the heartbeat that feeds
 * it starts with the app (see use-connection.ts), and the API client reports to it.
 */
export const connection: ConnectionState = createConnectionState();

/**
 * Whether an HTTP answer came from the server itself. A 502, 503 or 504 without a JSON body (the BFF
 * answers errors as problem+json) is a gateway in front of it saying that it is not there; anything
 * else, 401 and the BFF's own 5xx problems included, is the server speaking.
 */
export function isServerAnswer(response: Pick<Response, 'status' | 'headers'>): boolean {
  if (response.status !== 502 && response.status !== 503 && response.status !== 504) return true;
  return (response.headers.get('content-type') ?? '').includes('json');
}
