import { isServerAnswer } from './connection-state.ts';
import type { ConnectionState } from './connection-state.ts';

/** Between checks while the server answers. */
export const HEARTBEAT_INTERVAL_MS = 5_000;
/** Between checks once a contact has failed, until the server answers again. */
export const HEARTBEAT_RETRY_MS = 2_000;
/** A check that takes longer has failed: a hung server or a dropped network never refuses. */
export const HEARTBEAT_TIMEOUT_MS = 3_000;
// Worst case from the server going away to `offline`: a check just missed it (5 s), that check
// times out (3 s), the retry (2 s) times out too (3 s): 13 s, inside the 15 s the worklist promises.

/** Answers whether the server was reached; never rejects. */
export type Ping = (signal: AbortSignal) => Promise<boolean>;

export interface HeartbeatOptions {
  state: ConnectionState;
  ping: Ping;
  intervalMs?: number;
  retryMs?: number;
  timeoutMs?: number;
  document?: Pick<Document, 'visibilityState' | 'addEventListener' | 'removeEventListener'>;
  window?: Pick<Window, 'addEventListener' | 'removeEventListener' | 'setTimeout' | 'clearTimeout'> & {
    navigator: Pick<Navigator, 'onLine'>;
  };
}

export interface Heartbeat {
  /** Checks now (e.g. a "Try now" button), unless a check is already on its way. */
  checkNow(): void;
  stop(): void;
}

/**
 * A light check of the server (`ping`) every few seconds while the page is visible, more often
 * while contact is failing, and at once when the page becomes visible or the browser comes back
 * online. A hidden page sends nothing: nobody is reading it, and the server is shared.
 */
export function startHeartbeat(options: HeartbeatOptions): Heartbeat {
  const {
    state,
    ping,
    intervalMs = HEARTBEAT_INTERVAL_MS,
    retryMs = HEARTBEAT_RETRY_MS,
    timeoutMs = HEARTBEAT_TIMEOUT_MS,
  } = options;
  const doc = options.document ?? document;
  const win = options.window ?? window;
  let timer: number | undefined;
  let dueAt = Number.POSITIVE_INFINITY;
  let inFlight: AbortController | null = null;
  let stopped = false;

  const visible = () => doc.visibilityState !== 'hidden';
  const delayNow = () => (state.getSnapshot().status === 'live' ? intervalMs : retryMs);

  function pause() {
    if (timer !== undefined) win.clearTimeout(timer);
    timer = undefined;
    dueAt = Number.POSITIVE_INFINITY;
  }

  function schedule(delay: number) {
    pause();
    if (stopped || !visible()) return;
    dueAt = Date.now() + delay;
    timer = win.setTimeout(() => void check(), delay);
  }

  async function check() {
    if (stopped || inFlight || !visible()) return;
    pause();
    const controller = new AbortController();
    inFlight = controller;
    const timeout = win.setTimeout(() => controller.abort(), timeoutMs);
    let reached = false;
    try {
      reached = await ping(controller.signal);
    } finally {
      win.clearTimeout(timeout);
      inFlight = null;
    }
    if (stopped) return;
    if (reached) state.reportSuccess();
    else state.reportFailure();
    schedule(delayNow());
  }

  const onVisibility = () => (visible() ? void check() : pause());
  const onOnline = () => {
    state.setBrowserOnline(true);
    void check();
  };
  const onOffline = () => state.setBrowserOnline(false);
  // An API call that failed makes the next check come sooner, to confirm or clear it quickly.
  const unsubscribe = state.subscribe(() => {
    if (!inFlight && state.getSnapshot().status !== 'live' && dueAt - Date.now() > retryMs) schedule(retryMs);
  });

  doc.addEventListener('visibilitychange', onVisibility);
  win.addEventListener('online', onOnline);
  win.addEventListener('offline', onOffline);
  if (!win.navigator.onLine) state.setBrowserOnline(false);
  schedule(intervalMs);

  return {
    checkNow: () => void check(),
    stop() {
      stopped = true;
      unsubscribe();
      doc.removeEventListener('visibilitychange', onVisibility);
      win.removeEventListener('online', onOnline);
      win.removeEventListener('offline', onOffline);
      pause();
      inFlight?.abort();
    },
  };
}

/**
 * `GET /api/health` (public, no PHI, no session needed): any answer of the server's own counts as
 * reached, a gateway's 502/503/504 or a network failure as not. Plain fetch, not the API client, so
 * each check is counted once.
 */
export async function pingHealth(signal: AbortSignal): Promise<boolean> {
  try {
    const response = await fetch(new URL('/api/health', document.baseURI), {
      cache: 'no-store',
      credentials: 'same-origin',
      signal,
    });
    return isServerAnswer(response);
  } catch {
    return false;
  }
}
