/**
 * Next study (POST /api/reading/next) through two BFF instances that share one state, for both
 * shared-state implementations (two in-process objects on one SQLite file; two Redis clients on one
 * real redis-server), in front of one bundled Avara-compatible server per test (a fresh queue).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAvaraServer, type RunningAvaraServer } from '../../src/avara-server/create-avara-server.ts';
import { createSharedState } from '../../src/bff/shared-state/create-shared-state.ts';
import type { BusEvent, SharedState } from '../../src/bff/shared-state/shared-state.ts';
import { waitFor } from '../support/orthanc.ts';
import type { Severity } from '../../src/contract/avara-types.ts';
import type { NextStudyAnswer } from '../../src/contract/worklist-api.ts';
import { startRedis, type RunningRedis } from '../support/redis.ts';
import { buildTestBff, signIn } from '../support/test-bff.ts';

const KEY = 'next-study-key-0123456789';

interface DemoUser {
  userId: string;
  email: string;
  clinicRole: string;
  canManageStudies: boolean;
}

let redis: RunningRedis;
let folder: string;

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'rw-next-'));
  redis = await startRedis();
});

afterAll(async () => {
  await redis.dispose();
  rmSync(folder, { recursive: true, force: true });
});

interface World {
  avara: RunningAvaraServer;
  a: FastifyInstance;
  b: FastifyInstance;
  audit: string[];
  /** Every event published on the shared bus, as the event streams relay them. */
  events: BusEvent[];
  radiologists: DemoUser[];
  coordinator: DemoUser;
  upstream(method: string, path: string, body?: unknown): Promise<Record<string, unknown>>;
  newStudy(severity: Severity, assignedTo?: string): Promise<{ studyId: string; updatedAt: string }>;
  close(): Promise<void>;
}

let worldCounter = 0;

async function openWorld(kind: 'in-process' | 'redis', env: Record<string, string> = {}): Promise<World> {
  worldCounter += 1;
  const avara = await startAvaraServer({
    databasePath: join(folder, `avara-${worldCounter}.sqlite`),
    apiKey: KEY,
    demoStudies: 0,
  });
  const upstream = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${avara.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${KEY}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const answer: Record<string, unknown> = await response.json();
    return answer;
  };
  const page = await upstream('GET', '/v1/viewer/users?limit=100');
  const users = Array.isArray(page.users) ? (page.users as DemoUser[]) : [];
  const dataDir = mkdtempSync(join(folder, 'shared-'));
  const prefix = `next-${process.pid}-${worldCounter}:`;
  const states: SharedState[] = [];
  for (let index = 0; index < 2; index++) {
    states.push(
      await createSharedState(kind === 'redis' ? { redisUrl: redis.url, keyPrefix: prefix, dataDir } : { dataDir }),
    );
  }
  const audit: string[] = [];
  const events: BusEvent[] = [];
  const stopEvents = await states[0]?.events.subscribe({ onEvent: (event) => events.push(event) });
  const common = {
    upstreamUrl: avara.url,
    apiKey: KEY,
    auditLines: audit,
    env: { RATE_LIMIT_PER_MINUTE: '100000', ...env },
  };
  const a = await buildTestBff({ ...common, shared: states[0] });
  const b = await buildTestBff({ ...common, shared: states[1] });
  let uid = 0;
  const coordinator = users.find((user) => user.canManageStudies && user.clinicRole === 'Patient Care Coordinator');
  if (!coordinator) throw new Error('no coordinator in the roster');
  return {
    avara,
    a,
    b,
    audit,
    events,
    radiologists: users.filter((user) => user.clinicRole === 'Radiologist' && !user.canManageStudies),
    coordinator,
    upstream,
    async newStudy(severity, assignedTo) {
      uid += 1;
      const created = await upstream('POST', '/v1/viewer/studies', {
        severity,
        studyDescription: `${severity} study ${uid}`,
        studyInstanceUid: `1.2.826.0.1.${Date.now()}.${uid}`,
        ...(assignedTo ? { assignedTo } : {}),
      });
      return { studyId: String(created.studyId), updatedAt: String(created.updatedAt) };
    },
    async close() {
      stopEvents?.();
      await a.close();
      await b.close();
      for (const state of states) await state.close();
      await avara.close();
    },
  };
}

async function next(app: FastifyInstance, headers: Record<string, string>) {
  return app.inject({ method: 'POST', url: '/api/reading/next', headers });
}

async function markRead(app: FastifyInstance, headers: Record<string, string>, studyId: string) {
  const answer = await app.inject({
    method: 'PATCH',
    url: `/api/studies/${studyId}`,
    headers,
    payload: { studyViewerStatus: 'complete' },
  });
  expect(answer.statusCode).toBe(200);
}

function given(answer: NextStudyAnswer): Extract<NextStudyAnswer, { study: object }> {
  if (answer.study === null) throw new Error('Next gave nothing');
  return answer;
}

describe.each(['in-process', 'redis'] as const)('Next study (%s)', (kind) => {
  it("gives studies in the rule's order: own STAT, unassigned STAT, own High, unassigned High, own Normal, unassigned Normal; then nothing", async () => {
    const world = await openWorld(kind);
    try {
      const [me, other] = world.radiologists;
      if (!me || !other) throw new Error('two radiologists needed');
      // Created oldest first; the order of creation is the list's order.
      const unassignedNormal = await world.newStudy('normal');
      const ownNormal = await world.newStudy('normal', me.userId);
      const unassignedHighLeased = await world.newStudy('high');
      const unassignedHigh = await world.newStudy('high');
      const ownHigh = await world.newStudy('high', me.userId);
      await world.newStudy('stat', other.userId);
      const cancelledStat = await world.newStudy('stat');
      await world.upstream('POST', '/v1/viewer/studies/cancel', { studyId: cancelledStat.studyId });
      const readStat = await world.newStudy('stat', me.userId);
      await world.upstream('PATCH', `/v1/viewer/studies/${readStat.studyId}`, { studyViewerStatus: 'complete' });
      const unassignedStat = await world.newStudy('stat');
      const ownStat = await world.newStudy('stat', me.userId);

      const headers = await signIn(world.a, me.email);
      const otherHeaders = await signIn(world.b, other.email);
      // Someone else is reading this unassigned High one: Next passes it over.
      const leased = await world.b.inject({
        method: 'POST',
        url: `/api/studies/${unassignedHighLeased.studyId}/lease`,
        headers: otherHeaders,
      });
      expect(leased.statusCode).toBe(200);

      const expected = [
        [ownStat, 'own-stat', false],
        [unassignedStat, 'unassigned-stat', true],
        [ownHigh, 'own-high', false],
        [unassignedHigh, 'unassigned-high', true],
        [ownNormal, 'own-normal', false],
        [unassignedNormal, 'unassigned-normal', true],
      ] as const;
      for (const [index, [study, step, claimed]] of expected.entries()) {
        // Alternate instances: the queue and the leases are the same on both.
        const app = index % 2 === 0 ? world.a : world.b;
        const answer = await next(app, headers);
        expect(answer.statusCode).toBe(200);
        const body = given(answer.json());
        expect([body.study.studyId, body.step, body.claimed]).toEqual([study.studyId, step, claimed]);
        expect(body.study.assignedTo?.userId).toBe(me.userId);
        expect(body.lease.studyId).toBe(study.studyId);
        expect(body.lease.holder.email).toBe(me.email);
        const stored = await world.upstream('GET', `/v1/viewer/studies/${study.studyId}`);
        expect((stored.assignedTo as { userId: string }).userId).toBe(me.userId);
        await markRead(app, headers, study.studyId);
      }
      const nothing = await next(world.a, headers);
      expect(nothing.statusCode).toBe(200);
      expect(nothing.json()).toEqual({ study: null });
    } finally {
      await world.close();
    }
  });

  it('gives five radiologists calling at once five different studies, the first five by the rule', async () => {
    const world = await openWorld(kind);
    try {
      const five = world.radiologists.slice(0, 5);
      expect(five).toHaveLength(5);
      const normal = await world.newStudy('normal');
      const highs = [await world.newStudy('high'), await world.newStudy('high'), await world.newStudy('high')];
      const stats = [await world.newStudy('stat'), await world.newStudy('stat'), await world.newStudy('stat')];
      const sessions = await Promise.all(
        five.map((user, index) => signIn(index % 2 === 0 ? world.a : world.b, user.email)),
      );
      const answers = await Promise.all(
        five.map((_, index) => next(index % 2 === 0 ? world.a : world.b, sessions[index] ?? {})),
      );
      expect(answers.map((answer) => answer.statusCode)).toEqual([200, 200, 200, 200, 200]);
      const bodies = answers.map((answer) => given(answer.json()));
      const ids = bodies.map((body) => body.study.studyId);
      expect(new Set(ids).size).toBe(5);
      // The three STATs and the two oldest High ones; never the Normal one while those wait.
      expect(new Set(ids)).toEqual(new Set([...stats, highs[0], highs[1]].map((study) => study?.studyId)));
      expect(ids).not.toContain(normal.studyId);
      for (const [index, body] of bodies.entries()) {
        expect(body.study.assignedTo?.userId).toBe(five[index]?.userId);
        expect(body.lease.holder.email).toBe(five[index]?.email);
        expect(body.step === 'unassigned-stat' || body.step === 'unassigned-high').toBe(true);
      }
      // Whoever got a High one asked after the STATs were gone.
      expect(bodies.filter((body) => body.step === 'unassigned-stat')).toHaveLength(3);
    } finally {
      await world.close();
    }
  });

  it('refuses a second study while the reader holds READING_MAX_LEASES leases (409 naming it); gives the next once it is read', async () => {
    const world = await openWorld(kind);
    try {
      const [me] = world.radiologists;
      if (!me) throw new Error('a radiologist needed');
      const first = await world.newStudy('stat');
      const second = await world.newStudy('high');
      const headers = await signIn(world.a, me.email);
      expect(given((await next(world.a, headers)).json()).study.studyId).toBe(first.studyId);
      const refused = await next(world.b, headers);
      expect(refused.statusCode).toBe(409);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      const problem = refused.json();
      expect(problem.leases.map((lease: { studyId: string }) => lease.studyId)).toEqual([first.studyId]);
      expect(problem.detail).toBe(`You are reading ${first.studyId} already: mark it read or release it first.`);
      // Releasing it (not reading it) frees the reader too; it is theirs now, so it comes back first.
      expect(
        (await world.a.inject({ method: 'DELETE', url: `/api/studies/${first.studyId}/lease`, headers })).statusCode,
      ).toBe(204);
      expect(given((await next(world.b, headers)).json()).study.studyId).toBe(first.studyId);
      await markRead(world.a, headers, first.studyId);
      const then = given((await next(world.a, headers)).json());
      expect([then.study.studyId, then.step]).toEqual([second.studyId, 'unassigned-high']);
    } finally {
      await world.close();
    }
  });

  it('with READING_MAX_LEASES=2 gives a second, different study', async () => {
    const world = await openWorld(kind, { READING_MAX_LEASES: '2' });
    try {
      const [me] = world.radiologists;
      if (!me) throw new Error('a radiologist needed');
      const first = await world.newStudy('stat');
      const second = await world.newStudy('stat');
      await world.newStudy('stat');
      const headers = await signIn(world.a, me.email);
      expect(given((await next(world.a, headers)).json()).study.studyId).toBe(first.studyId);
      // The first is theirs and leased by them now: not given again.
      expect(given((await next(world.a, headers)).json()).study.studyId).toBe(second.studyId);
      expect((await next(world.a, headers)).statusCode).toBe(409);
    } finally {
      await world.close();
    }
  });

  it('answers {study: null} when nothing waits, 403 to a coordinator, 400 to a body', async () => {
    const world = await openWorld(kind);
    try {
      const [me] = world.radiologists;
      if (!me) throw new Error('a radiologist needed');
      const headers = await signIn(world.a, me.email);
      const nothing = await next(world.a, headers);
      expect([nothing.statusCode, nothing.json()]).toEqual([200, { study: null }]);
      await world.newStudy('stat');
      const coordinator = await signIn(world.a, world.coordinator.email);
      const refused = await next(world.a, coordinator);
      expect(refused.statusCode).toBe(403);
      expect(refused.json().detail).toMatch(/Next study is for radiologists/);
      const withBody = await world.a.inject({
        method: 'POST',
        url: '/api/reading/next',
        headers,
        payload: { step: 'own-stat' },
      });
      expect(withBody.statusCode).toBe(400);
    } finally {
      await world.close();
    }
  });

  it('writes who got which study by which rule step to the audit log', async () => {
    const world = await openWorld(kind);
    try {
      const [me] = world.radiologists;
      if (!me) throw new Error('a radiologist needed');
      const study = await world.newStudy('high');
      const headers = await signIn(world.a, me.email);
      expect((await next(world.a, headers)).statusCode).toBe(200);
      const lines = world.audit.map((line) => JSON.parse(line)).filter((entry) => entry.action === 'study.next');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({
        action: 'study.next',
        user: { email: me.email, role: 'radiologist', userId: me.userId },
        studyId: study.studyId,
        before: { assignedTo: null, leaseHolder: null },
        after: { assignedTo: me.userId, leaseHolder: me.email, nextStep: 'unassigned-high', claimed: true },
        outcome: 'ok',
      });
      // The claim is a change like any other, and the lease is taken: every screen hears of both.
      const about = (type: string) =>
        world.events.filter((event) => event.type === type && JSON.stringify(event.data).includes(study.studyId));
      await waitFor(
        () => about('study.changed').length > 0 && about('lease.taken').length > 0,
        5_000,
        "the claim's events",
        20,
      );
      expect(JSON.stringify(about('study.changed')[0]?.data)).toContain(me.userId);
      const refused = await next(world.a, headers);
      expect(refused.statusCode).toBe(409);
      const last = world.audit
        .map((line) => JSON.parse(line))
        .filter((entry) => entry.action === 'study.next')
        .at(-1);
      expect(last).toMatchObject({ outcome: 'refused', studyIds: [study.studyId] });
    } finally {
      await world.close();
    }
  });

  // Only Redis can be taken away under a running instance; the in-process store is the process itself.
  if (kind === 'redis') {
    it('while the shared store is down, answers 503 with Retry-After and claims nothing', async () => {
      const world = await openWorld(kind);
      try {
        const [me] = world.radiologists;
        if (!me) throw new Error('a radiologist needed');
        const study = await world.newStudy('stat');
        const headers = await signIn(world.a, me.email);
        await redis.stop();
        try {
          const refused = await next(world.a, headers);
          expect(refused.statusCode).toBe(503);
          expect(refused.headers['retry-after']).toMatch(/^\d+$/);
          expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
          expect((await world.upstream('GET', `/v1/viewer/studies/${study.studyId}`)).assignedTo ?? null).toBeNull();
        } finally {
          await redis.start();
        }
      } finally {
        await world.close();
      }
    });
  }
});
