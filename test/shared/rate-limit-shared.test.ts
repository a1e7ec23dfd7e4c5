/**
 * With Redis, one person's rate limit is one budget across every instance, counted with the session's
 * read in one round trip (auth/rate-limit-store.ts).
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createSharedState } from '../../src/bff/shared-state/create-shared-state.ts';
import type { SharedState } from '../../src/bff/shared-state/shared-state.ts';
import { json, startRecordingUpstream, type RecordingUpstream } from '../support/recording-upstream.ts';
import { startRedis, type RunningRedis } from '../support/redis.ts';
import { DEMO_RADIOLOGIST, usersPageFixture } from '../support/study-fixture.ts';
import { buildTestBff, signIn } from '../support/test-bff.ts';

let redis: RunningRedis;
let upstream: RecordingUpstream;
const states: SharedState[] = [];

beforeAll(async () => {
  redis = await startRedis();
  upstream = await startRecordingUpstream(json(200, usersPageFixture()));
});

afterAll(async () => {
  for (const state of states) await state.close();
  await upstream.close();
  await redis.dispose();
});

async function twoInstances(limit: number) {
  const prefix = `limits-${Date.now()}-${states.length}:`;
  const opened = [];
  for (let index = 0; index < 2; index++) {
    const state = await createSharedState({ redisUrl: redis.url, keyPrefix: prefix, dataDir: '/nonexistent' });
    states.push(state);
    opened.push(state);
  }
  const env = { RATE_LIMIT_PER_MINUTE: String(limit) };
  const apiKey = 'limits-key-0123456789';
  return Promise.all(opened.map((shared) => buildTestBff({ upstreamUrl: upstream.url, apiKey, shared, env })));
}

/** Scripts Redis has run so far (each round trip of a request sends one). */
async function scriptsRun(): Promise<number> {
  const client = new Redis(redis.url);
  try {
    const info = await client.info('commandstats');
    return [...info.matchAll(/^cmdstat_(?:evalsha|eval):calls=(\d+)/gm)].reduce(
      (sum, match) => sum + Number(match[1]),
      0,
    );
  } finally {
    client.disconnect();
  }
}

it("counts a person's requests on two instances against one limit, and answers 429 with Retry-After", async () => {
  const [a, b] = await twoInstances(4);
  if (!a || !b) throw new Error('no instances');
  // Sign-in is a page-side request (its own budget); the API calls below share one.
  const headers = await signIn(a, DEMO_RADIOLOGIST.email);
  const answers = [];
  for (const app of [a, b, a, b, a]) answers.push(await app.inject({ url: '/api/me', headers }));
  expect(answers.map((answer) => answer.statusCode)).toEqual([200, 200, 200, 200, 429]);
  expect(answers.map((answer) => answer.headers['x-ratelimit-remaining'])).toEqual(['3', '2', '1', '0', '0']);
  const refused = answers[4];
  expect(refused?.headers['retry-after']).toMatch(/^\d+$/);
  expect(Number(refused?.headers['retry-after'])).toBeGreaterThan(0);
  expect(Number(refused?.headers['retry-after'])).toBeLessThanOrEqual(60);
  expect(refused?.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(refused?.json()).toMatchObject({ type: '/problems/rate-limited', status: 429 });
  await a.close();
  await b.close();
});

it("takes a signed-in request's session and its count in one script, and a signed-out one's count from the address's budget", async () => {
  const [a, b] = await twoInstances(3);
  if (!a || !b) throw new Error('no instances');
  const headers = await signIn(a, DEMO_RADIOLOGIST.email);
  await a.inject({ url: '/api/me', headers });
  const before = await scriptsRun();
  expect((await b.inject({ url: '/api/me', headers })).statusCode).toBe(200);
  // The session's read and the rate limit's count: one script (a refresh of the idle clock is
  // written at most every 15 s, and not for this request).
  expect((await scriptsRun()) - before).toBe(1);
  // Signed out on A: the cookie on B counts against the address's budget, not the person's.
  expect((await a.inject({ method: 'POST', url: '/auth/logout', headers })).statusCode).toBeLessThan(300);
  const signedOut = [];
  for (let index = 0; index < 4; index++) signedOut.push((await b.inject({ url: '/api/me', headers })).statusCode);
  expect(signedOut).toEqual([401, 401, 401, 429]);
  // The person's own budget is untouched by those: signed in again, one request of three is left.
  const again = await signIn(b, DEMO_RADIOLOGIST.email);
  const left = await a.inject({ url: '/api/me', headers: again });
  expect(left.statusCode).toBe(200);
  expect(left.headers['x-ratelimit-remaining']).toBe('0');
  await a.close();
  await b.close();
});
