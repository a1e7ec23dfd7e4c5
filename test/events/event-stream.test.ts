/**
 * The event stream of one instance (src/bff/events/event-stream.ts) over a real socket, against both
 * shared-state implementations: live events, replay after Last-Event-ID, resync, heartbeats, slow
 * clients, ended sessions, shutdown, and (Redis) the stream's degraded state while Redis is down.
 */
import { createServer, type Server } from 'node:http';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { EventStreamHub, type EventStreamHubOptions } from '../../src/bff/events/event-stream.ts';
import { createSharedState } from '../../src/bff/shared-state/create-shared-state.ts';
import { noLog, type SharedState } from '../../src/bff/shared-state/shared-state.ts';
import { waitFor } from '../support/orthanc.ts';
import { useRedisSuite } from '../support/redis-suite.ts';
import { dataOf, openSse, type SseClient } from '../support/sse-client.ts';

const suite = useRedisSuite();
const { cleanups } = suite;
let prefixes = 0;

const implementations = [
  {
    name: 'in-process',
    open: (options: { eventHistorySize?: number } = {}) => {
      const dataDir = suite.tempFolder('rw-stream-');
      return createSharedState({ dataDir, ...options });
    },
  },
  {
    name: 'redis',
    open: (options: { eventHistorySize?: number } = {}) =>
      createSharedState({
        redisUrl: suite.redis.url,
        dataDir: tmpdir(),
        keyPrefix: `stream${++prefixes}-${process.pid}:`,
        connectWaitMs: 2_000,
        reconnectMaxDelayMs: 200,
        ...options,
      }),
  },
] as const;

interface Harness {
  shared: SharedState;
  hub: EventStreamHub;
  url: string;
  server: Server;
  connect(lastEventId?: string): Promise<SseClient>;
}

/** A plain HTTP server whose every request becomes a stream of `hub`; the session is named by ?session=. */
async function harness(shared: SharedState, options: Partial<EventStreamHubOptions> = {}): Promise<Harness> {
  const hub = new EventStreamHub({ shared, heartbeatMs: 60_000, log: noLog, ...options });
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const header = request.headers['last-event-id'];
    void hub.open(response, {
      lastEventId: typeof header === 'string' ? header : undefined,
      sessionId: url.searchParams.get('session'),
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening');
  const url = `http://127.0.0.1:${address.port}`;
  const clients: SseClient[] = [];
  cleanups.push(async () => {
    for (const client of clients) client.close();
    await hub.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await shared.close();
  });
  return {
    shared,
    hub,
    url,
    server,
    async connect(lastEventId) {
      const client = await openSse(url, lastEventId ? { 'last-event-id': lastEventId } : {});
      clients.push(client);
      return client;
    },
  };
}

const study = (n: number) => ({ study: { studyId: `stu_${n}` }, origin: 'worklist' });

describe.each(implementations)('the event stream ($name)', (implementation) => {
  it('opens with its position, then delivers what is published, as SSE with id, event and data', async () => {
    const { shared, connect } = await harness(await implementation.open());
    const client = await connect();
    expect(client.status).toBe(200);
    expect(client.headers.get('content-type')).toBe('text/event-stream');
    expect(client.headers.get('cache-control')).toBe('no-store');
    expect(client.headers.get('x-accel-buffering')).toBe('no');
    const opened = await client.waitFor((message) => message.event === 'stream.status');
    expect(dataOf(opened)).toEqual({ status: 'ok' });
    expect(opened.id).toBe(await shared.events.latestId());

    const id = await shared.events.publish({ type: 'study.changed', data: study(1) });
    const received = await client.waitFor((message) => message.event === 'study.changed');
    expect(received.id).toBe(id);
    expect(dataOf(received)).toEqual(study(1));
  });

  it('sends nothing of the bus that is not a worklist event, nor a stream.status of the bus', async () => {
    const { shared, connect } = await harness(await implementation.open());
    const client = await connect();
    await client.waitFor((message) => message.event === 'stream.status');
    await shared.events.publish({ type: 'internal.thing', data: { secret: true } });
    await shared.events.publish({ type: 'stream.status', data: { status: 'degraded' } });
    const last = await shared.events.publish({ type: 'presence.changed', data: { studyId: 'stu_1', viewers: [] } });
    await client.waitFor((message) => message.id === last);
    expect(client.events().map((message) => message.event)).toEqual(['stream.status', 'presence.changed']);
  });

  it('replays exactly the events missed after Last-Event-ID, then goes on live', async () => {
    const { shared, connect } = await harness(await implementation.open());
    const first = await connect();
    await first.waitFor((message) => message.event === 'stream.status');
    const seen = await shared.events.publish({ type: 'study.changed', data: study(1) });
    await first.waitFor((message) => message.id === seen);
    first.close();

    const missed: string[] = [];
    for (let n = 2; n <= 4; n++) missed.push(await shared.events.publish({ type: 'study.changed', data: study(n) }));
    const again = await connect(seen);
    await again.waitFor((message) => message.id === missed.at(-1));
    const live = await shared.events.publish({ type: 'study.created', data: study(5) });
    await again.waitFor((message) => message.id === live);

    const events = again.events();
    expect(events[0]).toEqual({ event: 'stream.status', data: '{"status":"ok"}' });
    expect(events.slice(1).map((message) => message.id)).toEqual([...missed, live]);
    expect(events.slice(1).map((message) => dataOf(message))).toEqual([study(2), study(3), study(4), study(5)]);
  });

  it('loses nothing published while a client catches up, and repeats nothing', async () => {
    const { shared, connect } = await harness(await implementation.open());
    const start = await shared.events.latestId();
    const ids: string[] = [];
    for (let n = 0; n < 1_200; n++) ids.push(await shared.events.publish({ type: 'study.changed', data: study(n) }));
    const client = await connect(start);
    // Published while the replay (three pages) is under way.
    for (let n = 1_200; n < 1_300; n++)
      ids.push(await shared.events.publish({ type: 'study.changed', data: study(n) }));
    await client.waitFor((message) => message.id === ids.at(-1), { timeoutMs: 15_000 });
    expect(
      client
        .events()
        .slice(1)
        .map((message) => message.id),
    ).toEqual(ids);
  });

  it('answers an id of another history, a malformed one or one older than the history kept with one resync', async () => {
    const { shared, connect } = await harness(await implementation.open({ eventHistorySize: 100 }));
    const oldest = await shared.events.publish({ type: 'study.changed', data: study(0) });
    for (let n = 1; n < 1_000; n++) await shared.events.publish({ type: 'study.changed', data: study(n) });
    for (const lastEventId of ['0123abcdef:1-0', 'not an id', oldest]) {
      const client = await connect(lastEventId);
      const resync = await client.waitFor((message) => message.event === 'resync');
      expect(resync.id).toBe(await shared.events.latestId());
      expect(dataOf(resync)).toEqual({ reason: expect.any(String) });
      expect(client.events().map((message) => message.event)).toEqual(['stream.status', 'resync']);
      client.close();
    }
  });

  it('sends a comment heartbeat on idle streams', async () => {
    const { connect } = await harness(await implementation.open(), { heartbeatMs: 100 });
    const client = await connect();
    await client.waitFor((message) => message.comment === 'keep-alive');
    const count = () => client.messages.filter((message) => message.comment === 'keep-alive').length;
    await waitFor(() => count() >= 3, 5_000, 'three heartbeats');
  });

  it('ends the streams of a session that ended, and only those', async () => {
    const ended = new Set<string>();
    const { shared, url } = await harness(await implementation.open(), {
      heartbeatMs: 100,
      sessionIsLive: async (id) => !ended.has(id),
    });
    const mine = await openSse(`${url}/?session=a`);
    const other = await openSse(`${url}/?session=b`);
    cleanups.push(() => {
      mine.close();
      other.close();
    });
    await mine.waitFor((message) => message.event === 'stream.status');
    ended.add('a');
    await mine.ended;
    const id = await shared.events.publish({ type: 'study.changed', data: study(1) });
    await other.waitFor((message) => message.id === id);
  });

  it('ends every stream at shutdown, so the server can close', async () => {
    const { hub, connect, server } = await harness(await implementation.open());
    const clients = [await connect(), await connect()];
    await Promise.all(clients.map((client) => client.waitFor((message) => message.event === 'stream.status')));
    expect(hub.stats().clients).toBe(2);
    hub.endAll();
    await Promise.all(clients.map((client) => client.ended));
    await new Promise((resolve) => server.close(resolve));
    expect(hub.stats().clients).toBe(0);
  });
});

describe('a client that does not read', () => {
  it('is dropped once its unsent data passes the bound; the others go on', async () => {
    const { shared, hub, url, connect } = await harness(await implementation('in-process').open(), {
      maxUnsentBytes: 1024 * 1024,
    });
    const reader = await connect();
    await reader.waitFor((message) => message.event === 'stream.status');
    // A raw socket that sends the request and never reads the answer.
    const { port } = new URL(url);
    const stalled = stalledClient(Number(port));
    await waitFor(() => hub.stats().clients === 2, 5_000, 'the stalled client to connect');
    const padding = 'x'.repeat(16_000);
    let last = '';
    for (let n = 0; n < 4_000 && hub.stats().dropped === 0; n++) {
      last = await shared.events.publish({ type: 'study.changed', data: { ...study(n), padding } });
      // Paced, so the client that reads keeps up and only the stalled one falls behind.
      if (n % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    expect(hub.stats().dropped).toBe(1);
    expect(hub.stats().clients).toBe(1);
    await reader.waitFor((message) => message.id === last, { timeoutMs: 15_000 });
    stalled.destroy();
  });
});

describe('while Redis is down', () => {
  it('tells every stream it is degraded, then ok and resync when Redis is back (it lost its data)', async () => {
    const { shared, connect } = await harness(await implementation('redis').open());
    const client = await connect();
    await client.waitFor((message) => message.event === 'stream.status');
    const before = client.messages.length;
    await suite.redis.stop();
    const degraded = await client.waitFor(
      (message) => message.event === 'stream.status' && message.data === '{"status":"degraded"}',
      { from: before },
    );
    expect(degraded.id).toBeUndefined();
    await suite.redis.start();
    await client.waitFor((message) => message.event === 'stream.status' && message.data === '{"status":"ok"}', {
      from: before,
      timeoutMs: 10_000,
    });
    await client.waitFor((message) => message.event === 'resync', { from: before, timeoutMs: 10_000 });
    // And it is live again.
    await waitFor(() => shared.status() === 'ok', 10_000, 'Redis to be back');
    const id = await shared.events.publish({ type: 'study.changed', data: study(1) });
    await client.waitFor((message) => message.id === id, { timeoutMs: 10_000 });
  });

  it('opens a stream as degraded, and catches it up once Redis is back', async () => {
    const { shared, connect } = await harness(await implementation('redis').open());
    const warm = await connect();
    await warm.waitFor((message) => message.event === 'stream.status');
    await suite.redis.stop();
    await waitFor(() => shared.status() === 'unavailable', 5_000, 'the state to see Redis gone');
    const client = await connect('0123abcdef:1-0');
    await client.waitFor((message) => message.data === '{"status":"degraded"}');
    await suite.redis.start();
    await client.waitFor((message) => message.data === '{"status":"ok"}', { timeoutMs: 10_000 });
    await client.waitFor((message) => message.event === 'resync', { timeoutMs: 10_000 });
  });
});

function implementation(name: 'in-process' | 'redis') {
  const found = implementations.find((candidate) => candidate.name === name);
  if (!found) throw new Error(name);
  return found;
}

function stalledClient(port: number) {
  const socket = netConnect({ host: '127.0.0.1', port });
  socket.write('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
  socket.pause();
  return socket;
}
