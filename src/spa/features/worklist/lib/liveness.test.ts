import { describe, expect, it } from 'vitest';
import { describeLiveness } from './liveness.ts';

const reachable = { status: 'live', browserOffline: false } as const;

describe('describeLiveness', () => {
  it('is live when the stream is open and the server answers', () => {
    expect(describeLiveness({ state: 'live', degraded: false }, reachable)).toMatchObject({
      kind: 'live',
      label: 'Live',
      showAge: false,
    });
  });

  it('says changes are paused while the stream is degraded', () => {
    expect(describeLiveness({ state: 'live', degraded: true }, reachable)).toMatchObject({
      kind: 'paused',
      showAge: true,
    });
    expect(describeLiveness({ state: 'live', degraded: true }, reachable).detail).toContain(
      'shared store is unreachable',
    );
  });

  it('follows the stream while it reconnects, with the age of the list', () => {
    expect(describeLiveness({ state: 'connecting', degraded: false }, reachable)).toMatchObject({
      kind: 'connecting',
      showAge: false,
    });
    expect(describeLiveness({ state: 'reconnecting', degraded: false }, reachable)).toMatchObject({
      kind: 'reconnecting',
      label: 'Reconnecting…',
      showAge: true,
    });
    expect(describeLiveness({ state: 'offline', degraded: false }, reachable)).toMatchObject({
      kind: 'offline',
      showAge: true,
    });
  });

  it('is offline whatever the stream says once the heartbeat calls the server unreachable, naming a missing network', () => {
    expect(
      describeLiveness({ state: 'live', degraded: false }, { status: 'offline', browserOffline: false }),
    ).toMatchObject({ kind: 'offline', detail: 'The server is not answering.' });
    expect(
      describeLiveness({ state: 'reconnecting', degraded: false }, { status: 'offline', browserOffline: true }).detail,
    ).toContain('no network');
    // One failed heartbeat is not an outage: the stream decides.
    expect(
      describeLiveness({ state: 'live', degraded: false }, { status: 'reconnecting', browserOffline: false }).kind,
    ).toBe('live');
  });
});
