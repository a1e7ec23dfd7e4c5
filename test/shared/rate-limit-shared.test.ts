/** With Redis, one person's rate limit is one budget across every instance. */
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

it("counts a person's requests on two instances against one limit", async () => {
  const prefix = `limits-${Date.now()}:`;
  for (let index = 0; index < 2; index++)
    states.push(await createSharedState({ redisUrl: redis.url, keyPrefix: prefix, dataDir: '/nonexistent' }));
  const env = { RATE_LIMIT_PER_MINUTE: '4' };
  const a = await buildTestBff({ upstreamUrl: upstream.url, apiKey: 'limits-key-0123456789', shared: states[0], env });
  const b = await buildTestBff({ upstreamUrl: upstream.url, apiKey: 'limits-key-0123456789', shared: states[1], env });
  // Sign-in is a page-side request (its own budget); the API calls below share one.
  const headers = await signIn(a, DEMO_RADIOLOGIST.email);
  const statuses = [];
  for (const app of [a, b, a, b, a]) statuses.push((await app.inject({ url: '/api/me', headers })).statusCode);
  expect(statuses).toEqual([200, 200, 200, 200, 429]);
  await a.close();
  await b.close();
});
