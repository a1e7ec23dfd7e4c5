/**
 * Reading leases and presence through the API, on two BFF instances that share one state: both
 * shared-state implementations (in-process: one state both apps use; Redis: one client per app on
 * a real redis-server), against a recording stand-in for Avara.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseLease, takeLease } from '../../src/bff/reading/reading-leases.ts';
import { markPresent } from '../../src/bff/reading/study-presence.ts';
import { createSharedState } from '../../src/bff/shared-state/create-shared-state.ts';
import type { BusEvent, SharedState } from '../../src/bff/shared-state/shared-state.ts';
import type { Me } from '../../src/contract/worklist-api.ts';
import { waitFor } from '../support/orthanc.ts';
import { json, startRecordingUpstream, type RecordingUpstream } from '../support/recording-upstream.ts';
import { startRedis, type RunningRedis } from '../support/redis.ts';
import { DEMO_COORDINATOR, DEMO_RADIOLOGIST, studyFixture, usersPageFixture } from '../support/study-fixture.ts';
import { buildTestBff, signIn, testSharedState } from '../support/test-bff.ts';

const SECOND_RADIOLOGIST = {
  userId: `usr_${'b2'.repeat(16)}`,
  email: 'sam.second@example.org',
  firstName: 'Sam',
  lastName: 'Second',
  clinicRole: 'Radiologist',
  canManageStudies: false,
};

let studyCounter = 0;
/** A new study ID per test, so no test sees another's leases. */
function newStudyId(): string {
  studyCounter += 1;
  return `stu_${studyCounter.toString(16).padStart(4, '0')}${'0'.repeat(28)}`;
}

/** How the stand-in for Avara answers for a study (null: it has no such study); any other ID is an unassigned, active study. */
const studies = new Map<string, Record<string, unknown> | null>();
let upstream: RecordingUpstream;
let redis: RunningRedis;
const folders: string[] = [];

beforeAll(async () => {
  const usersPage = usersPageFixture();
  const users = Array.isArray(usersPage.users) ? usersPage.users : [];
  upstream = await startRecordingUpstream((request, response) => {
    const path = request.url.split('?')[0] ?? '';
    if (path.startsWith('/v1/viewer/users'))
      return json(200, { ...usersPage, users: [...users, { ...users[1], ...SECOND_RADIOLOGIST }] })(request, response);
    const studyId = /^\/v1\/viewer\/studies\/(stu_[0-9a-f]{32})$/.exec(path)?.[1];
    if (request.method === 'GET' && studyId) {
      const study = studies.get(studyId);
      if (study === null) return json(404, { error: { message: 'Study not found' } })(request, response);
      return json(200, studyFixture(studyId, { assignedTo: null, ...study }))(request, response);
    }
    return json(404, { error: { message: 'Not found' } })(request, response);
  });
  redis = await startRedis();
});

afterAll(async () => {
  await upstream.close();
  await redis.dispose();
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

interface World {
  /** Two instances sharing one state, the second on its own client when the state is Redis. */
  a: FastifyInstance;
  b: FastifyInstance;
  /** A third instance with READING_LEASE_SECONDS=2, for expiry. */
  quick: FastifyInstance;
  stateA: SharedState;
  stateB: SharedState;
  events: BusEvent[];
  audit: string[];
  /** Session headers, valid on every instance (sessions live in the shared state). */
  ana: Record<string, string>;
  sam: Record<string, string>;
  casey: Record<string, string>;
  close(): Promise<void>;
}

async function openWorld(kind: 'in-process' | 'redis'): Promise<World> {
  const states: SharedState[] = [];
  const open = async (): Promise<SharedState> => {
    const folder = mkdtempSync(join(tmpdir(), 'rw-reading-'));
    folders.push(folder);
    const state =
      kind === 'redis'
        ? await createSharedState({ redisUrl: redis.url, dataDir: folder, keyPrefix: `reading-${process.pid}:` })
        : await testSharedState();
    states.push(state);
    return state;
  };
  const stateA = await open();
  const stateB = kind === 'redis' ? await open() : stateA;
  const stateQuick = kind === 'redis' ? await open() : stateA;
  const events: BusEvent[] = [];
  const stop = await stateA.events.subscribe({ onEvent: (event) => events.push(event) });
  const audit: string[] = [];
  const common = {
    upstreamUrl: upstream.url,
    apiKey: 'reading-test-key-0123',
    auditLines: audit,
    env: { RATE_LIMIT_PER_MINUTE: '100000' },
  };
  const a = await buildTestBff({ ...common, shared: stateA });
  const b = await buildTestBff({ ...common, shared: stateB });
  const quick = await buildTestBff({
    ...common,
    shared: stateQuick,
    env: { ...common.env, READING_LEASE_SECONDS: '2' },
  });
  return {
    a,
    b,
    quick,
    stateA,
    stateB,
    events,
    audit,
    ana: await signIn(a, DEMO_RADIOLOGIST.email),
    sam: await signIn(b, SECOND_RADIOLOGIST.email),
    casey: await signIn(a, DEMO_COORDINATOR.email),
    async close() {
      stop();
      for (const app of [a, b, quick]) await app.close();
      for (const state of states) await state.close();
    },
  };
}

function call(app: FastifyInstance, headers: Record<string, string>, options: InjectOptions) {
  return app.inject({ ...options, headers: { ...headers, ...options.headers } });
}

async function me(app: FastifyInstance, headers: Record<string, string>): Promise<Me> {
  const response = await call(app, headers, { url: '/api/me' });
  const body: Me = response.json();
  return body;
}

function eventsFor(world: World, studyId: string, type?: string): BusEvent[] {
  return world.events.filter(
    (event) => JSON.stringify(event.data).includes(studyId) && (type === undefined || event.type === type),
  );
}

async function eventuallyEvents(world: World, studyId: string, type: string, count: number): Promise<BusEvent[]> {
  await waitFor(
    () => eventsFor(world, studyId, type).length >= count,
    5_000,
    `${count} ${type} event(s) for ${studyId}`,
    20,
  );
  return eventsFor(world, studyId, type);
}

function auditOf(world: World, studyId: string): Array<Record<string, unknown>> {
  return world.audit
    .map((line): Record<string, unknown> => JSON.parse(line))
    .filter((line) => line.studyId === studyId);
}

describe.each(['in-process', 'redis'] as const)('reading leases and presence (%s)', (kind) => {
  let world: World;
  beforeAll(async () => {
    world = await openWorld(kind);
  });
  afterAll(async () => {
    await world?.close();
  });

  it('of two people taking the same lease at once on two instances, exactly one gets it; the other is told who', async () => {
    const studyId = newStudyId();
    const url = `/api/studies/${studyId}/lease`;
    const [first, second] = await Promise.all([
      call(world.a, world.ana, { method: 'POST', url, payload: {} }),
      call(world.b, world.sam, { method: 'POST', url, payload: {} }),
    ]);
    const statuses = [first.statusCode, second.statusCode].sort();
    expect(statuses).toEqual([200, 409]);
    const [winner, loser] = first.statusCode === 200 ? [first, second] : [second, first];
    const lease = winner.json().lease;
    expect(lease).toEqual({
      studyId,
      holder: expect.objectContaining({ email: expect.any(String) }),
      since: expect.any(String),
      expiresAt: expect.any(String),
    });
    expect(loser.headers['content-type']).toContain('application/problem+json');
    expect(loser.json()).toMatchObject({ status: 409, type: '/problems/conflict', current: lease });
    expect(loser.json().detail).toContain(lease.holder.email);
    // Everyone sees the same lease, on either instance.
    expect((await call(world.b, world.casey, { url })).json()).toEqual({ lease });
    expect((await call(world.a, world.sam, { url: '/api/leases' })).json().leases).toContainEqual(lease);
    const taken = await eventuallyEvents(world, studyId, 'lease.taken', 1);
    expect(taken).toHaveLength(1);
    expect(taken[0]?.data).toEqual({ lease });
    // Taking one's own again renews it, keeping since when, and tells nobody.
    const again = await call(winner === first ? world.a : world.b, winner === first ? world.ana : world.sam, {
      method: 'POST',
      url,
    });
    expect(again.statusCode).toBe(200);
    expect(again.json().lease.since).toBe(lease.since);
  });

  it('takeOver takes it from the holder, names them in the event, and writes an audit line', async () => {
    const studyId = newStudyId();
    const url = `/api/studies/${studyId}/lease`;
    expect((await call(world.a, world.ana, { method: 'POST', url })).statusCode).toBe(200);
    const taken = await call(world.b, world.sam, { method: 'POST', url, payload: { takeOver: true } });
    expect(taken.statusCode).toBe(200);
    expect(taken.json()).toMatchObject({
      lease: { holder: { email: SECOND_RADIOLOGIST.email } },
      tookOverFrom: { email: DEMO_RADIOLOGIST.email, userId: DEMO_RADIOLOGIST.userId },
    });
    const events = await eventuallyEvents(world, studyId, 'lease.taken', 2);
    expect(events[1]?.data).toMatchObject({
      lease: { holder: { email: SECOND_RADIOLOGIST.email } },
      tookOverFrom: { email: DEMO_RADIOLOGIST.email },
    });
    expect(auditOf(world, studyId)).toContainEqual(
      expect.objectContaining({
        action: 'study.lease-take-over',
        user: expect.objectContaining({ email: SECOND_RADIOLOGIST.email }),
        before: { leaseHolder: DEMO_RADIOLOGIST.email },
        after: { leaseHolder: SECOND_RADIOLOGIST.email },
        outcome: 'ok',
      }),
    );
    // The one it was taken from has lost it: their heartbeat says so, naming the new holder.
    const heartbeat = await call(world.a, world.ana, { method: 'PUT', url });
    expect(heartbeat.statusCode).toBe(409);
    expect(heartbeat.json().current.holder.email).toBe(SECOND_RADIOLOGIST.email);
  });

  it('a heartbeat extends the lease; without one it expires and anyone may take it', async () => {
    const studyId = newStudyId();
    const url = `/api/studies/${studyId}/lease`;
    const taken = await call(world.quick, world.ana, { method: 'POST', url });
    expect(taken.statusCode).toBe(200);
    const firstExpiry = Date.parse(taken.json().lease.expiresAt);
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const renewed = await call(world.quick, world.ana, { method: 'PUT', url });
    expect(renewed.statusCode).toBe(200);
    expect(Date.parse(renewed.json().lease.expiresAt)).toBeGreaterThan(firstExpiry + 1_000);
    expect(renewed.json().lease.since).toBe(taken.json().lease.since);
    // Past the first expiry, held thanks to the heartbeat.
    await waitFor(() => Date.now() > firstExpiry + 200, 5_000, 'the first expiry to pass', 50);
    expect((await call(world.a, world.sam, { url })).statusCode).toBe(200);
    expect((await call(world.b, world.sam, { method: 'POST', url })).statusCode).toBe(409);
    // No more heartbeats: it ends, and the heartbeat of the one who let it lapse says so.
    await waitFor(
      async () => (await call(world.a, world.sam, { url })).statusCode === 404,
      6_000,
      'the lease to expire',
      100,
    );
    expect((await call(world.quick, world.ana, { method: 'PUT', url })).statusCode).toBe(404);
    const next = await call(world.b, world.sam, { method: 'POST', url });
    expect(next.statusCode).toBe(200);
    expect(next.json().tookOverFrom).toBeUndefined();
  });

  it('the holder releases; a coordinator breaks it; a radiologist may not break someone else\u2019s', async () => {
    const released = newStudyId();
    const url = `/api/studies/${released}/lease`;
    expect((await call(world.a, world.ana, { method: 'POST', url })).statusCode).toBe(200);
    expect((await call(world.b, world.ana, { method: 'DELETE', url })).statusCode).toBe(204);
    expect((await call(world.a, world.ana, { url })).statusCode).toBe(404);
    expect((await call(world.a, world.ana, { method: 'DELETE', url })).statusCode).toBe(404);
    expect((await eventuallyEvents(world, released, 'lease.released', 1))[0]?.data).toMatchObject({
      studyId: released,
      holder: { email: DEMO_RADIOLOGIST.email },
      reason: 'released',
    });
    expect(
      auditOf(world, released)
        .filter((line) => line.action === 'study.lease')
        .map((line) => [line.before, line.after, line.outcome]),
    ).toEqual([
      [{ leaseHolder: null }, { leaseHolder: DEMO_RADIOLOGIST.email }, 'ok'],
      [{ leaseHolder: DEMO_RADIOLOGIST.email }, { leaseHolder: null }, 'ok'],
      [undefined, undefined, 'refused'],
    ]);

    const broken = newStudyId();
    const brokenUrl = `/api/studies/${broken}/lease`;
    expect((await call(world.a, world.ana, { method: 'POST', url: brokenUrl })).statusCode).toBe(200);
    const refused = await call(world.b, world.sam, { method: 'DELETE', url: brokenUrl });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().detail).toContain(DEMO_RADIOLOGIST.email);
    expect((await call(world.a, world.sam, { url: brokenUrl })).statusCode).toBe(200);
    expect((await call(world.b, world.casey, { method: 'DELETE', url: brokenUrl })).statusCode).toBe(204);
    expect((await call(world.a, world.ana, { url: brokenUrl })).statusCode).toBe(404);
    expect((await eventuallyEvents(world, broken, 'lease.released', 1))[0]?.data).toMatchObject({
      holder: { email: DEMO_RADIOLOGIST.email },
      reason: 'broken',
    });
    expect(
      auditOf(world, broken)
        .filter((line) => line.action === 'study.lease-break')
        .map((line) => [line.user, line.outcome, line.before]),
    ).toEqual([
      [
        expect.objectContaining({ email: SECOND_RADIOLOGIST.email }),
        'refused',
        { leaseHolder: DEMO_RADIOLOGIST.email },
      ],
      [expect.objectContaining({ email: DEMO_COORDINATOR.email }), 'ok', { leaseHolder: DEMO_RADIOLOGIST.email }],
    ]);
  });

  it("Mark read's releaseLease ends only the reader's own lease, publishing lease.released", async () => {
    const studyId = newStudyId();
    const url = `/api/studies/${studyId}/lease`;
    expect((await call(world.a, world.ana, { method: 'POST', url })).statusCode).toBe(200);
    const sam = await me(world.b, world.sam);
    const ana = await me(world.a, world.ana);
    expect(await releaseLease(world.stateB, studyId, sam, 'read')).toBe(false);
    expect((await call(world.a, world.ana, { url })).statusCode).toBe(200);
    expect(await releaseLease(world.stateB, studyId, ana, 'read')).toBe(true);
    expect((await call(world.a, world.ana, { url })).statusCode).toBe(404);
    const [released] = await eventuallyEvents(world, studyId, 'lease.released', 1);
    expect(released?.data).toEqual({
      studyId,
      holder: { userId: ana.userId, email: ana.email, name: ana.name },
      reason: 'read',
    });
  });

  it("sign-out ends every lease of that person (and no one else's), publishing lease.released for each", async () => {
    const [one, two, samsStudy] = [newStudyId(), newStudyId(), newStudyId()];
    const ana = await signIn(world.a, DEMO_RADIOLOGIST.email);
    for (const studyId of [one, two])
      expect((await call(world.a, ana, { method: 'POST', url: `/api/studies/${studyId}/lease` })).statusCode).toBe(200);
    expect(
      (await call(world.b, world.sam, { method: 'POST', url: `/api/studies/${samsStudy}/lease` })).statusCode,
    ).toBe(200);
    expect((await call(world.b, ana, { method: 'POST', url: '/auth/logout' })).statusCode).toBe(200);
    for (const studyId of [one, two]) {
      expect((await eventuallyEvents(world, studyId, 'lease.released', 1))[0]?.data).toMatchObject({
        studyId,
        reason: 'signed-out',
        holder: { email: DEMO_RADIOLOGIST.email },
      });
      expect((await call(world.a, world.sam, { url: `/api/studies/${studyId}/lease` })).statusCode).toBe(404);
    }
    expect((await call(world.a, world.sam, { url: `/api/studies/${samsStudy}/lease` })).statusCode).toBe(200);
  });

  it('presence lists who has the study open on any instance; arriving and leaving publish presence.changed, heartbeats do not', async () => {
    const studyId = newStudyId();
    const url = `/api/studies/${studyId}/presence`;
    expect((await call(world.a, world.ana, { method: 'PUT', url })).json()).toEqual({
      studyId,
      viewers: [expect.objectContaining({ email: DEMO_RADIOLOGIST.email })],
    });
    await eventuallyEvents(world, studyId, 'presence.changed', 1);
    const both = await call(world.b, world.sam, { method: 'PUT', url });
    expect(both.json().viewers.map((viewer: { email: string }) => viewer.email)).toEqual([
      DEMO_RADIOLOGIST.email,
      SECOND_RADIOLOGIST.email,
    ]);
    expect((await call(world.b, world.casey, { url })).json()).toEqual(both.json());
    const changes = await eventuallyEvents(world, studyId, 'presence.changed', 2);
    expect(changes[1]?.data).toEqual({ studyId, viewers: both.json().viewers });
    // Heartbeats: nobody arrived, nothing to tell.
    expect((await call(world.a, world.ana, { method: 'PUT', url })).statusCode).toBe(200);
    expect((await call(world.b, world.sam, { method: 'PUT', url })).statusCode).toBe(200);
    // Sam leaves: everyone is told who is still there.
    expect((await call(world.b, world.sam, { method: 'DELETE', url })).statusCode).toBe(204);
    const afterLeaving = await eventuallyEvents(world, studyId, 'presence.changed', 3);
    expect(afterLeaving).toHaveLength(3);
    expect(afterLeaving[2]?.data).toEqual({
      studyId,
      viewers: [expect.objectContaining({ email: DEMO_RADIOLOGIST.email })],
    });
    expect((await call(world.a, world.casey, { url })).json().viewers).toHaveLength(1);
    // Leaving twice tells nobody again. (An arrival elsewhere afterwards marks the point by which any event would be in.)
    expect((await call(world.b, world.sam, { method: 'DELETE', url })).statusCode).toBe(204);
    const elsewhere = newStudyId();
    expect(await markPresent(world.stateB, elsewhere, await me(world.a, world.ana))).toMatchObject({ changed: true });
    await eventuallyEvents(world, elsewhere, 'presence.changed', 1);
    expect(eventsFor(world, studyId, 'presence.changed')).toHaveLength(3);
  });

  it('who may take a lease: the study as Avara has it decides', async () => {
    const samsStudy = newStudyId();
    studies.set(samsStudy, { assignedTo: { userId: SECOND_RADIOLOGIST.userId, email: SECOND_RADIOLOGIST.email } });
    const refused = await call(world.a, world.ana, { method: 'POST', url: `/api/studies/${samsStudy}/lease` });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().detail).toBe('This study is assigned to someone else: only they may read it.');
    expect(
      (await call(world.b, world.sam, { method: 'POST', url: `/api/studies/${samsStudy}/lease` })).statusCode,
    ).toBe(200);
    // A coordinator may take any active study (here, over Sam).
    expect(
      (
        await call(world.a, world.casey, {
          method: 'POST',
          url: `/api/studies/${samsStudy}/lease`,
          payload: { takeOver: true },
        })
      ).statusCode,
    ).toBe(200);

    const cancelled = newStudyId();
    studies.set(cancelled, { isCancelled: true, cancelledAt: '2026-11-23T11:00:00.000Z' });
    expect(
      (await call(world.a, world.casey, { method: 'POST', url: `/api/studies/${cancelled}/lease` })).statusCode,
    ).toBe(403);

    const missing = newStudyId();
    studies.set(missing, null);
    expect(
      (await call(world.a, world.casey, { method: 'POST', url: `/api/studies/${missing}/lease` })).statusCode,
    ).toBe(404);
    for (const studyId of [cancelled, missing])
      expect((await call(world.a, world.casey, { url: `/api/studies/${studyId}/lease` })).statusCode).toBe(404);
  });

  it('checks the path and body before anything is stored or asked of Avara', async () => {
    upstream.requests.length = 0;
    for (const [method, path] of [
      ['POST', '/lease'],
      ['PUT', '/lease'],
      ['GET', '/lease'],
      ['DELETE', '/lease'],
      ['PUT', '/presence'],
      ['GET', '/presence'],
      ['DELETE', '/presence'],
    ] as const) {
      const response = await call(world.a, world.ana, { method, url: `/api/studies/stu_NOT-AN-ID${path}` });
      expect(response.statusCode, `${method} ${path}`).toBe(400);
      expect(response.json().issues).toEqual([
        { in: 'path', name: 'studyId', message: expect.stringContaining('must be a study ID') },
      ]);
    }
    const studyId = newStudyId();
    for (const payload of [{ takeOver: 'yes' }, { takeover: true }, [true]]) {
      expect(
        (await call(world.a, world.ana, { method: 'POST', url: `/api/studies/${studyId}/lease`, payload })).statusCode,
      ).toBe(400);
    }
    expect(upstream.requests.filter((request) => request.url.startsWith('/v1/viewer/studies'))).toEqual([]);
    expect(
      (await call(world.a, world.ana, { url: '/api/leases' }))
        .json()
        .leases.filter((lease: { studyId: string }) => lease.studyId.startsWith('stu_NOT')),
    ).toEqual([]);
  });

  it('refuses anyone not signed in, and calls without the anti-forgery header', async () => {
    const studyId = newStudyId();
    for (const [method, url] of [
      ['GET', '/api/leases'],
      ['POST', `/api/studies/${studyId}/lease`],
      ['PUT', `/api/studies/${studyId}/lease`],
      ['DELETE', `/api/studies/${studyId}/lease`],
      ['PUT', `/api/studies/${studyId}/presence`],
    ] as const) {
      expect((await world.a.inject({ method, url, headers: { 'x-csrf': '1' } })).statusCode, `${method} ${url}`).toBe(
        401,
      );
      expect(
        (await world.a.inject({ method, url, headers: { cookie: world.ana.cookie ?? '' } })).statusCode,
        `${method} ${url}`,
      ).toBe(403);
    }
  });

  it('a lease written stands when its event cannot be published', async () => {
    const failing: SharedState = new Proxy(world.stateA, {
      get(target, property) {
        if (property === 'events') return { ...target.events, publish: () => Promise.reject(new Error('bus down')) };
        return Reflect.get(target, property);
      },
    });
    const studyId = newStudyId();
    const ana = await me(world.a, world.ana);
    const warnings: unknown[] = [];
    const log = { info() {}, error() {}, warn: (entry: unknown) => void warnings.push(entry) };
    expect(await takeLease(failing, studyId, ana, { takeOver: false, leaseMs: 60_000, log })).toMatchObject({
      outcome: 'taken',
    });
    expect(warnings).toHaveLength(1);
    expect((await call(world.b, world.sam, { url: `/api/studies/${studyId}/lease` })).statusCode).toBe(200);
  });

  if (kind === 'redis') {
    it('answers 503 with Retry-After while Redis is down, and works again once it is back', async () => {
      const studyId = newStudyId();
      await redis.stop();
      try {
        await waitFor(
          () => world.stateA.status() === 'unavailable',
          5_000,
          'the shared state to notice Redis is down',
          20,
        );
        const response = await call(world.a, world.ana, { method: 'POST', url: `/api/studies/${studyId}/lease` });
        expect(response.statusCode).toBe(503);
        expect(response.headers['retry-after']).toMatch(/^\d+$/);
        expect(response.headers['content-type']).toContain('application/problem+json');
        expect(response.json()).toMatchObject({
          status: 503,
          retryable: true,
          title: 'Who is reading cannot be checked right now',
        });
        // A heartbeat too: nothing is pretended.
        const heartbeat = await call(world.a, world.ana, { method: 'PUT', url: `/api/studies/${studyId}/presence` });
        expect(heartbeat.statusCode).toBe(503);
        expect(heartbeat.headers['retry-after']).toMatch(/^\d+$/);
      } finally {
        await redis.start();
      }
      await waitFor(() => world.stateA.status() === 'ok', 10_000, 'the shared state to reconnect', 50);
      // Redis came back empty (no persistence), so the sessions are gone: sign in again.
      const ana = await signIn(world.a, DEMO_RADIOLOGIST.email);
      expect((await call(world.a, ana, { method: 'POST', url: `/api/studies/${studyId}/lease` })).statusCode).toBe(200);
    });
  }
});
