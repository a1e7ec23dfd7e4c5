import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createConnectionState } from './connection-state.ts';
import type { ConnectionState } from './connection-state.ts';
import { startHeartbeat } from './heartbeat.ts';
import type { Heartbeat, Ping } from './heartbeat.ts';

/** A document whose visibility the test sets, and a window whose online flag it sets. */
function fakePage() {
  const documentEvents = new EventTarget();
  const windowEvents = new EventTarget();
  const page = {
    visibilityState: 'visible' as DocumentVisibilityState,
    onLine: true,
  };
  const doc = {
    get visibilityState() {
      return page.visibilityState;
    },
    addEventListener: documentEvents.addEventListener.bind(documentEvents),
    removeEventListener: documentEvents.removeEventListener.bind(documentEvents),
  };
  const win = {
    addEventListener: windowEvents.addEventListener.bind(windowEvents),
    removeEventListener: windowEvents.removeEventListener.bind(windowEvents),
    // Read at each call: the fake timers are installed after this object is made.
    setTimeout: (callback: () => void, ms?: number) => window.setTimeout(callback, ms),
    clearTimeout: (timer?: number) => window.clearTimeout(timer),
    navigator: {
      get onLine() {
        return page.onLine;
      },
    },
  };
  return {
    doc,
    win,
    setVisibility(visibility: DocumentVisibilityState) {
      page.visibilityState = visibility;
      documentEvents.dispatchEvent(new Event('visibilitychange'));
    },
    setOnline(online: boolean) {
      page.onLine = online;
      windowEvents.dispatchEvent(new Event(online ? 'online' : 'offline'));
    },
  };
}

/** A ping whose answer the test decides: the server is `up` or not, or it hangs. */
function fakeServer() {
  const server = { up: true, hang: false, calls: 0 };
  const ping: Ping = (signal) => {
    server.calls += 1;
    if (server.hang) {
      return new Promise((resolve) => signal.addEventListener('abort', () => resolve(false)));
    }
    return Promise.resolve(server.up);
  };
  return { server, ping };
}

let state: ConnectionState;
let heartbeat: Heartbeat | undefined;

beforeEach(() => {
  vi.useFakeTimers();
  state = createConnectionState();
});

afterEach(() => {
  heartbeat?.stop();
  heartbeat = undefined;
  vi.useRealTimers();
});

function start(ping: Ping, page = fakePage()) {
  heartbeat = startHeartbeat({
    state,
    ping,
    document: page.doc,
    window: page.win,
    intervalMs: 5_000,
    retryMs: 2_000,
    timeoutMs: 3_000,
  });
  return page;
}

describe('heartbeat', () => {
  it('checks every 5 s while the server answers', async () => {
    const { server, ping } = fakeServer();
    start(ping);
    await vi.advanceTimersByTimeAsync(4_999);
    expect(server.calls).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(server.calls).toBe(1);
    expect(state.getSnapshot().lastSuccessAt).not.toBeNull();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(server.calls).toBe(3);
    expect(state.getSnapshot().status).toBe('live');
  });

  it('says offline within 7 s of a server that refuses, and live again at the first answer', async () => {
    const { server, ping } = fakeServer();
    start(ping);
    await vi.advanceTimersByTimeAsync(5_000);
    server.up = false;
    await vi.advanceTimersByTimeAsync(5_000);
    expect(state.getSnapshot().status).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(2_000);
    expect(state.getSnapshot().status).toBe('offline');
    // While offline it keeps trying every 2 s.
    const calls = server.calls;
    await vi.advanceTimersByTimeAsync(6_000);
    expect(server.calls).toBe(calls + 3);
    server.up = true;
    await vi.advanceTimersByTimeAsync(2_000);
    expect(state.getSnapshot().status).toBe('live');
  });

  it('says offline within 15 s of a server that hangs, each check giving up after 3 s', async () => {
    const { server, ping } = fakeServer();
    start(ping);
    await vi.advanceTimersByTimeAsync(5_000);
    server.hang = true;
    // The worst case: the server went away just after a check.
    await vi.advanceTimersByTimeAsync(13_000);
    expect(state.getSnapshot().status).toBe('offline');
  });

  it('checks sooner when an API call failed, to confirm or clear it', async () => {
    const { server, ping } = fakeServer();
    start(ping);
    await vi.advanceTimersByTimeAsync(1_000);
    server.up = false;
    state.reportFailure();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(server.calls).toBe(1);
    expect(state.getSnapshot().status).toBe('offline');
  });

  it('sends nothing while the page is hidden, and checks at once when it is shown again', async () => {
    const { server, ping } = fakeServer();
    const page = start(ping);
    page.setVisibility('hidden');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.calls).toBe(0);
    page.setVisibility('visible');
    await vi.advanceTimersByTimeAsync(0);
    expect(server.calls).toBe(1);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(server.calls).toBe(2);
  });

  it('follows the browser’s online flag, checking as soon as the network is back', async () => {
    const { server, ping } = fakeServer();
    const page = start(ping);
    page.setOnline(false);
    expect(state.getSnapshot()).toMatchObject({ status: 'offline', browserOffline: true });
    page.setOnline(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(server.calls).toBe(1);
    expect(state.getSnapshot().status).toBe('live');
  });

  it('starts offline when the browser already is', () => {
    const { ping } = fakeServer();
    const page = fakePage();
    page.setOnline(false);
    start(ping, page);
    expect(state.getSnapshot().browserOffline).toBe(true);
  });

  it('checks on demand, never two checks at once', async () => {
    const { server, ping } = fakeServer();
    server.hang = true;
    start(ping);
    heartbeat?.checkNow();
    heartbeat?.checkNow();
    await vi.advanceTimersByTimeAsync(0);
    expect(server.calls).toBe(1);
  });

  it('stops checking and listening when stopped', async () => {
    const { server, ping } = fakeServer();
    const page = start(ping);
    heartbeat?.stop();
    page.setOnline(false);
    page.setVisibility('visible');
    await vi.advanceTimersByTimeAsync(30_000);
    expect(server.calls).toBe(0);
    expect(state.getSnapshot().browserOffline).toBe(false);
  });
});
