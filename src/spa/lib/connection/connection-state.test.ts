import { describe, expect, it, vi } from 'vitest';
import { createConnectionState, isServerAnswer } from './connection-state.ts';

function clock(start = 1_000_000) {
  let time = start;
  return { now: () => time, advance: (ms: number) => (time += ms) };
}

describe('connection state', () => {
  it('starts live, with no success yet', () => {
    const state = createConnectionState();
    expect(state.getSnapshot()).toEqual({ status: 'live', lastSuccessAt: null, failures: 0, browserOffline: false });
  });

  it('records when the server last answered', () => {
    const time = clock();
    const state = createConnectionState({ now: time.now });
    state.reportSuccess();
    time.advance(5_000);
    state.reportSuccess();
    expect(state.getSnapshot().lastSuccessAt).toBe(1_005_000);
  });

  it('is reconnecting after one failure and offline after the second, keeping the last success', () => {
    const time = clock();
    const state = createConnectionState({ now: time.now });
    state.reportSuccess();
    time.advance(5_000);
    state.reportFailure();
    expect(state.getSnapshot()).toMatchObject({ status: 'reconnecting', failures: 1, lastSuccessAt: 1_000_000 });
    state.reportFailure();
    expect(state.getSnapshot()).toMatchObject({ status: 'offline', failures: 2, lastSuccessAt: 1_000_000 });
    state.reportFailure();
    expect(state.getSnapshot().status).toBe('offline');
  });

  it('goes back to live on the next success', () => {
    const state = createConnectionState();
    state.reportFailure();
    state.reportFailure();
    state.reportSuccess();
    expect(state.getSnapshot()).toMatchObject({ status: 'live', failures: 0 });
  });

  it('takes a threshold of its own', () => {
    const state = createConnectionState({ offlineAfterFailures: 3 });
    state.reportFailure();
    state.reportFailure();
    expect(state.getSnapshot().status).toBe('reconnecting');
    state.reportFailure();
    expect(state.getSnapshot().status).toBe('offline');
  });

  it('is offline at once when the browser says it has no network, until it is back or the server answers', () => {
    const state = createConnectionState();
    state.setBrowserOnline(false);
    expect(state.getSnapshot()).toMatchObject({ status: 'offline', browserOffline: true, failures: 0 });
    state.setBrowserOnline(true);
    expect(state.getSnapshot().status).toBe('live');

    state.setBrowserOnline(false);
    // localhost answers even with the network cable out: an answer wins over the flag.
    state.reportSuccess();
    expect(state.getSnapshot()).toMatchObject({ status: 'live', browserOffline: false });
  });

  it('tells subscribers about every change, and keeps the snapshot object between changes', () => {
    const state = createConnectionState();
    const listener = vi.fn();
    const unsubscribe = state.subscribe(listener);
    const before = state.getSnapshot();
    expect(state.getSnapshot()).toBe(before);
    state.reportFailure();
    expect(listener).toHaveBeenCalledTimes(1);
    expect(state.getSnapshot()).not.toBe(before);
    state.setBrowserOnline(true); // no change: nobody is told
    expect(listener).toHaveBeenCalledTimes(1);
    unsubscribe();
    state.reportFailure();
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('announces a recovery only when an outage ends, not after a blip', () => {
    const state = createConnectionState();
    const recovered = vi.fn();
    state.onRecovered(recovered);
    state.reportFailure();
    state.reportSuccess();
    expect(recovered).not.toHaveBeenCalled();

    state.reportFailure();
    state.reportFailure();
    state.reportSuccess();
    expect(recovered).toHaveBeenCalledTimes(1);
    state.reportSuccess();
    expect(recovered).toHaveBeenCalledTimes(1);

    state.setBrowserOnline(false);
    state.setBrowserOnline(true);
    expect(recovered).toHaveBeenCalledTimes(2);
  });

  it('resets to the first state', () => {
    const state = createConnectionState();
    state.reportSuccess();
    state.reportFailure();
    state.reportFailure();
    state.reset();
    expect(state.getSnapshot()).toEqual({ status: 'live', lastSuccessAt: null, failures: 0, browserOffline: false });
  });
});

describe('isServerAnswer', () => {
  const answer = (status: number, contentType?: string) => ({
    status,
    headers: new Headers(contentType ? { 'content-type': contentType } : {}),
  });

  it('counts the server’s own answers, errors included', () => {
    expect(isServerAnswer(answer(200, 'application/json'))).toBe(true);
    expect(isServerAnswer(answer(401, 'application/problem+json'))).toBe(true);
    expect(isServerAnswer(answer(500))).toBe(true);
    expect(isServerAnswer(answer(503, 'application/problem+json'))).toBe(true);
  });

  it('does not count a gateway saying the server is not there', () => {
    expect(isServerAnswer(answer(502, 'text/html'))).toBe(false);
    expect(isServerAnswer(answer(503))).toBe(false);
    expect(isServerAnswer(answer(504, 'text/plain'))).toBe(false);
  });
});
