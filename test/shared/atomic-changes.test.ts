/**
 * One shared queue: changes of a study through any instance are serialized, and the If-Match
 * comparison happens under the study's lock. Two BFF instances, each with its own shared-state
 * client (two in-process objects on one SQLite file, or two Redis clients on one Redis), in front of
 * one bundled Avara-compatible server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAvaraServer, type RunningAvaraServer } from '../../src/avara-server/create-avara-server.ts';
import { createSharedState } from '../../src/bff/shared-state/create-shared-state.ts';
import type { SharedState } from '../../src/bff/shared-state/shared-state.ts';
import { startRedis, type RunningRedis } from '../support/redis.ts';
import { buildTestBff, signIn } from '../support/test-bff.ts';

const KEY = 'atomic-changes-key-0123456789';

interface DemoUser {
  userId: string;
  email: string;
  clinicRole: string;
  canManageStudies: boolean;
}

let avara: RunningAvaraServer;
let redis: RunningRedis;
let folder: string;
let users: DemoUser[];

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'rw-atomic-'));
  avara = await startAvaraServer({ databasePath: join(folder, 'avara.sqlite'), apiKey: KEY, demoStudies: 0 });
  redis = await startRedis();
  const page = await upstream('GET', '/v1/viewer/users?limit=100');
  users = page.users;
});

afterAll(async () => {
  await avara.close();
  await redis.dispose();
  rmSync(folder, { recursive: true, force: true });
});

/** Straight to the upstream, with its key: what a change made outside the product looks like. */
async function upstream(method: string, path: string, body?: unknown) {
  const response = await fetch(`${avara.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${KEY}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return response.json();
}

let uidCounter = 0;
async function newStudy(): Promise<{ studyId: string; updatedAt: string }> {
  uidCounter += 1;
  return upstream('POST', '/v1/viewer/studies', {
    severity: 'high',
    studyDescription: 'CT Chest',
    studyInstanceUid: `1.2.826.0.1.${Date.now()}.${uidCounter}`,
  });
}

describe.each(['in-process', 'redis'] as const)('through two instances (%s)', (kind) => {
  const states: SharedState[] = [];
  let a: FastifyInstance;
  let b: FastifyInstance;

  beforeAll(async () => {
    const dataDir = mkdtempSync(join(folder, 'shared-'));
    const prefix = `atomic-${Date.now()}:`;
    for (let index = 0; index < 2; index++) {
      states.push(
        await createSharedState(kind === 'redis' ? { redisUrl: redis.url, keyPrefix: prefix, dataDir } : { dataDir }),
      );
    }
    const env = { RATE_LIMIT_PER_MINUTE: '100000' };
    a = await buildTestBff({ upstreamUrl: avara.url, apiKey: KEY, shared: states[0], env });
    b = await buildTestBff({ upstreamUrl: avara.url, apiKey: KEY, shared: states[1], env });
  });

  afterAll(async () => {
    await a.close();
    await b.close();
    for (const state of states) await state.close();
  });

  const coordinatorEmail = () =>
    users.find((user) => user.canManageStudies && user.clinicRole === 'Patient Care Coordinator')?.email ?? '';

  it('of 20 pairs of changes made against the same version, exactly one of each pair succeeds, and nothing is lost', async () => {
    const headers = { ...(await signIn(a, coordinatorEmail())) };
    const studies = await Promise.all(Array.from({ length: 20 }, () => newStudy()));
    const outcomes = await Promise.all(
      studies.map(async (study, index) => {
        const ifMatch = `"${study.updatedAt}"`;
        const [first, second] = await Promise.all([
          a.inject({
            method: 'PATCH',
            url: `/api/studies/${study.studyId}`,
            headers: { ...headers, 'if-match': ifMatch },
            payload: { metadata: { note: `from A ${index}` } },
          }),
          b.inject({
            method: 'PATCH',
            url: `/api/studies/${study.studyId}`,
            headers: { ...headers, 'if-match': ifMatch },
            payload: { metadata: { note: `from B ${index}` } },
          }),
        ]);
        return {
          study,
          statuses: [first.statusCode, second.statusCode].sort(),
          winner: first.statusCode === 200 ? 'A' : 'B',
          loser: first.statusCode === 200 ? second : first,
        };
      }),
    );
    for (const { study, statuses, winner, loser } of outcomes) {
      expect(statuses).toEqual([200, 409]);
      // The loser is shown the study as it is now: the winner's note.
      expect(loser.json().current.metadata).toEqual({ note: `from ${winner} ${studies.indexOf(study)}` });
      const stored = await upstream('GET', `/v1/viewer/studies/${study.studyId}`);
      expect(stored.metadata).toEqual({ note: `from ${winner} ${studies.indexOf(study)}` });
    }
  });

  it('of 10 radiologists claiming one study at once, exactly one wins and the others are told who has it', async () => {
    const radiologists = users
      .filter((user) => user.clinicRole === 'Radiologist' && !user.canManageStudies)
      .slice(0, 10);
    expect(radiologists).toHaveLength(10);
    const sessions = await Promise.all(radiologists.map((user, index) => signIn(index % 2 === 0 ? a : b, user.email)));
    const study = await newStudy();
    const answers = await Promise.all(
      radiologists.map((user, index) =>
        (index % 2 === 0 ? a : b).inject({
          method: 'PATCH',
          url: `/api/studies/${study.studyId}`,
          headers: { ...sessions[index], 'if-match': `"${study.updatedAt}"` },
          payload: { assignedTo: user.userId },
        }),
      ),
    );
    const winners = answers.filter((answer) => answer.statusCode === 200);
    expect(winners).toHaveLength(1);
    const winner = winners[0]?.json();
    for (const answer of answers.filter((candidate) => candidate.statusCode !== 200)) {
      expect(answer.statusCode).toBe(409);
      expect(answer.json().detail).toMatch(/has claimed this study already/);
      expect(answer.json().current.assignedTo.userId).toBe(winner.assignedTo.userId);
    }
    expect((await upstream('GET', `/v1/viewer/studies/${study.studyId}`)).assignedTo.userId).toBe(
      winner.assignedTo.userId,
    );
  });

  it("ends the reader's lease when they mark the study read, on whichever instance", async () => {
    const radiologist = users.find((user) => user.clinicRole === 'Radiologist' && !user.canManageStudies);
    if (!radiologist) throw new Error('no radiologist in the roster');
    const headers = await signIn(a, radiologist.email);
    const study = await newStudy();
    const claimed = await a.inject({
      method: 'PATCH',
      url: `/api/studies/${study.studyId}`,
      headers: { ...headers, 'if-match': `"${study.updatedAt}"` },
      payload: { assignedTo: radiologist.userId },
    });
    expect(claimed.statusCode).toBe(200);
    expect(
      (await a.inject({ method: 'POST', url: `/api/studies/${study.studyId}/lease`, headers, payload: {} })).statusCode,
    ).toBe(200);
    expect((await b.inject({ url: `/api/studies/${study.studyId}/lease`, headers })).statusCode).toBe(200);
    const read = await b.inject({
      method: 'PATCH',
      url: `/api/studies/${study.studyId}`,
      headers: { ...headers, 'if-match': `"${claimed.json().updatedAt}"` },
      payload: { studyViewerStatus: 'complete' },
    });
    expect(read.statusCode).toBe(200);
    expect((await a.inject({ url: `/api/studies/${study.studyId}/lease`, headers })).statusCode).toBe(404);
  });

  it('refuses a change without If-Match with 428, and sends nothing upstream', async () => {
    const headers = await signIn(a, coordinatorEmail());
    const study = await newStudy();
    const { 'if-match': _ifMatch, ...withoutIfMatch } = headers;
    const answer = await a.inject({
      method: 'PATCH',
      url: `/api/studies/${study.studyId}`,
      headers: withoutIfMatch,
      payload: { severity: 'stat' },
    });
    expect(answer.statusCode).toBe(428);
    expect(answer.json()).toMatchObject({ type: '/problems/precondition-required', status: 428 });
    expect((await upstream('GET', `/v1/viewer/studies/${study.studyId}`)).severity).toBe('high');
  });

  if (kind === 'redis') {
    it('while Redis is down, answers a change 503 with Retry-After and writes nothing; recovers by itself', async () => {
      const headers = await signIn(a, coordinatorEmail());
      const study = await newStudy();
      // A read first, so this instance has seen the session.
      expect((await a.inject({ url: `/api/studies/${study.studyId}`, headers })).statusCode).toBe(200);
      await redis.stop();
      try {
        const refused = await a.inject({
          method: 'PATCH',
          url: `/api/studies/${study.studyId}`,
          headers: { ...headers, 'if-match': `"${study.updatedAt}"` },
          payload: { severity: 'stat' },
        });
        expect(refused.statusCode).toBe(503);
        expect(refused.headers['retry-after']).toMatch(/^\d+$/);
        expect((await upstream('GET', `/v1/viewer/studies/${study.studyId}`)).severity).toBe('high');
        // Reads go on.
        expect((await a.inject({ url: `/api/studies/${study.studyId}`, headers })).statusCode).toBe(200);
        expect((await a.inject({ url: '/api/ready' })).json()).toMatchObject({
          status: 'degraded',
          sharedState: { kind: 'redis', status: 'unavailable' },
        });
      } finally {
        await redis.start();
      }
      // Redis came back empty: the session is gone with it, so sign in again (503 until the client
      // has reconnected) and change.
      const deadline = Date.now() + 10_000;
      let again: Record<string, string> | undefined;
      while (!again && Date.now() < deadline) {
        again = await signIn(a, coordinatorEmail()).catch(async (error: unknown) => {
          expect(String(error)).toMatch(/failed: 503/);
          await new Promise((resolve) => setTimeout(resolve, 200));
          return undefined;
        });
      }
      let status = 0;
      while (again && Date.now() < deadline && status !== 200) {
        status = (
          await a.inject({
            method: 'PATCH',
            url: `/api/studies/${study.studyId}`,
            headers: { ...again, 'if-match': `"${study.updatedAt}"` },
            payload: { severity: 'stat' },
          })
        ).statusCode;
        if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(status).toBe(200);
    });
  }
});
