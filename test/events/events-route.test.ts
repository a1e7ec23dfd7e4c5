/**
 * GET /api/events through the whole BFF over a real socket: who may open it, what it sends, how it
 * resumes, that it ends with its session and at shutdown, and, with two instances on one Redis,
 * that an event published through one reaches a stream of the other.
 */
import { tmpdir } from 'node:os';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAvaraServer, type RunningAvaraServer } from '../../src/avara-server/create-avara-server.ts';
import { createStudyEvents } from '../../src/bff/events/study-events.ts';
import { createSharedState } from '../../src/bff/shared-state/create-shared-state.ts';
import { noLog, type SharedState } from '../../src/bff/shared-state/shared-state.ts';
import { buildTestBff, signIn, testSharedState } from '../support/test-bff.ts';
import { startRedis, type RunningRedis } from '../support/redis.ts';
import { dataOf, openSse, type SseClient } from '../support/sse-client.ts';

const KEY = 'events-route-test-key-0123456789';
let upstream: RunningAvaraServer;
let coordinator: string;
const toClose: Array<() => unknown> = [];

beforeAll(async () => {
  upstream = await startAvaraServer({ databasePath: ':memory:', apiKey: KEY, demoStudies: 5 });
  coordinator = upstream.service.listUsers({ limit: 100 }).users.find((user) => user.canManageStudies)?.email ?? '';
});

afterAll(async () => {
  for (const close of toClose.reverse()) await close();
  await upstream.close();
});

interface Instance {
  app: FastifyInstance;
  url: string;
  shared: SharedState;
  auditLines: string[];
}

async function instance(shared?: SharedState, env: Record<string, string> = {}): Promise<Instance> {
  const auditLines: string[] = [];
  const state = shared ?? (await testSharedState());
  const app = await buildTestBff({
    upstreamUrl: upstream.url,
    apiKey: KEY,
    shared: state,
    auditLines,
    env: { EVENTS_HEARTBEAT_SECONDS: '1', ...env },
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  toClose.push(async () => {
    await app.close();
    if (!shared) await state.close();
  });
  return { app, url, shared: state, auditLines };
}

async function stream(url: string, headers: Record<string, string>, query = ''): Promise<SseClient> {
  const client = await openSse(`${url}/api/events${query}`, headers);
  toClose.push(() => client.close());
  return client;
}

describe('GET /api/events', () => {
  let one: Instance;
  let headers: Record<string, string>;

  beforeAll(async () => {
    one = await instance();
    headers = await signIn(one.app, coordinator);
  });

  it('refuses like every /api route: 401 without a session, 403 without X-CSRF', async () => {
    const anonymous = await stream(one.url, { 'x-csrf': '1' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('content-type')).toContain('application/problem+json');
    const { 'x-csrf': _csrf, ...cookieOnly } = headers;
    const forged = await stream(one.url, cookieOnly);
    expect(forged.status).toBe(403);
    expect(JSON.parse(forged.body)).toMatchObject({ type: '/problems/forbidden' });
  });

  it('streams the bus with the stream headers and the strict ones, and writes one audit line', async () => {
    one.auditLines.length = 0;
    const client = await stream(one.url, headers);
    expect(client.status).toBe(200);
    expect(client.headers.get('content-type')).toBe('text/event-stream');
    expect(client.headers.get('cache-control')).toBe('no-store');
    expect(client.headers.get('x-accel-buffering')).toBe('no');
    expect(client.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(client.headers.get('referrer-policy')).toBe('no-referrer');
    await client.waitFor((message) => message.event === 'stream.status');

    const study = upstream.service.listStudies({ limit: 1 }).studies[0];
    await createStudyEvents(one.shared.events, noLog).changed(study, 'worklist');
    const event = await client.waitFor((message) => message.event === 'study.changed');
    expect(dataOf(event)).toEqual({ study: JSON.parse(JSON.stringify(study)), origin: 'worklist' });

    // One line, also once the client has gone (not a second one as an abandoned request).
    client.close();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const lines = one.auditLines.map((line) => JSON.parse(line));
    expect(lines).toEqual([
      expect.objectContaining({
        action: 'events.stream',
        outcome: 'ok',
        user: expect.objectContaining({ email: coordinator }),
      }),
    ]);
  });

  it('resumes after ?lastEventId= when no Last-Event-ID header can be sent', async () => {
    const from = await one.shared.events.latestId();
    const missed = await one.shared.events.publish({
      type: 'study.created',
      data: { study: { studyId: 'stu_x' }, origin: 'pacs' },
    });
    const client = await stream(one.url, headers, `?lastEventId=${encodeURIComponent(from)}`);
    const replayed = await client.waitFor((message) => message.event === 'study.created');
    expect(replayed.id).toBe(missed);
  });

  it('sends heartbeats every EVENTS_HEARTBEAT_SECONDS', async () => {
    const client = await stream(one.url, headers);
    await client.waitFor((message) => message.comment === 'keep-alive', { timeoutMs: 3_000 });
  });

  it('ends the stream when its session ends (sign-out)', async () => {
    const own = await signIn(one.app, coordinator);
    const client = await stream(one.url, own);
    await client.waitFor((message) => message.event === 'stream.status');
    const signOut = await one.app.inject({ method: 'POST', url: '/auth/logout', headers: own });
    expect(signOut.statusCode).toBe(200);
    await client.ended;
    const again = await stream(one.url, own);
    expect(again.status).toBe(401);
  });

  it('lets the server close while streams are open', async () => {
    const other = await instance();
    const client = await stream(other.url, await signIn(other.app, coordinator));
    await client.waitFor((message) => message.event === 'stream.status');
    const started = Date.now();
    await other.app.close();
    await client.ended;
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe('two instances on one Redis', () => {
  let redis: RunningRedis;

  beforeAll(async () => {
    redis = await startRedis();
    toClose.push(() => redis.dispose());
  });

  it('an event published through instance A reaches a stream of instance B, and B resumes on A', async () => {
    const keyPrefix = `events-route-${process.pid}:`;
    const sharedA = await createSharedState({ redisUrl: redis.url, dataDir: tmpdir(), keyPrefix, instanceId: 'bff-a' });
    const sharedB = await createSharedState({ redisUrl: redis.url, dataDir: tmpdir(), keyPrefix, instanceId: 'bff-b' });
    toClose.push(
      () => sharedA.close(),
      () => sharedB.close(),
    );
    const a = await instance(sharedA);
    const b = await instance(sharedB);
    // One session for both: it lives in Redis.
    const headers = await signIn(a.app, coordinator);
    const onB = await stream(b.url, headers);
    await onB.waitFor((message) => message.event === 'stream.status');

    const study = upstream.service.listStudies({ limit: 1 }).studies[0];
    await createStudyEvents(a.shared.events, noLog).changed(study, 'worklist');
    const received = await onB.waitFor((message) => message.event === 'study.changed');
    expect(dataOf(received)).toMatchObject({ study: { studyId: study?.studyId }, origin: 'worklist' });
    expect(received.id).toEqual(expect.any(String));
    onB.close();

    // Missed while away, resumed on the other instance.
    const missed = await a.shared.events.publish({
      type: 'presence.changed',
      data: { studyId: study?.studyId ?? '', viewers: [] },
    });
    const onA = await openSse(`${a.url}/api/events`, { ...headers, 'last-event-id': received.id ?? '' });
    toClose.push(() => onA.close());
    const replayed = await onA.waitFor((message) => message.event === 'presence.changed');
    expect(replayed.id).toBe(missed);
    expect(onA.events().map((message) => message.event)).toEqual(['stream.status', 'presence.changed']);
  });
});
