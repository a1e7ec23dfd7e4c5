import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { PROBLEM_TYPES } from '../../contract/problem.ts';
import { OVERLOAD_RETRY_AFTER_SECONDS, registerOverloadGuard } from './overload.ts';

const SAMPLE_MS = 100;
const MAX_DELAY_MS = 100;

async function guardedApp(maxEventLoopDelayMs: number) {
  const app = Fastify();
  await registerOverloadGuard(app, { maxEventLoopDelayMs, sampleIntervalMs: SAMPLE_MS });
  app.get('/api/health', async () => ({ status: 'ok' }));
  app.get('/api/studies', async () => ({ studies: [] }));
  await app.ready();
  return app;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Keeps the event loop busy as an overloaded server is: 250 ms of work, a turn of the loop, again,
 * until stopped. Every sample then sees a delay well above the bound, whatever else the machine runs.
 */
function overload(): () => void {
  let running = true;
  const burst = () => {
    if (!running) return;
    const until = Date.now() + 250;
    while (Date.now() < until) {
      // busy: nothing else runs
    }
    setTimeout(burst, 1);
  };
  setTimeout(burst, 1);
  return () => {
    running = false;
  };
}

/** Asks `url` until the answer has `status`, for up to `withinMs`; the last answer. */
async function answerWith(target: NonNullable<typeof app>, url: string, status: number, withinMs: number) {
  const deadline = Date.now() + withinMs;
  let answer = await target.inject(url);
  while (answer.statusCode !== status && Date.now() < deadline) {
    await sleep(20);
    answer = await target.inject(url);
  }
  return answer;
}

let app: Awaited<ReturnType<typeof guardedApp>> | undefined;
let stopOverload: (() => void) | undefined;
afterEach(async () => {
  stopOverload?.();
  await app?.close();
  app = undefined;
});

describe('the overload guard (MAX_EVENT_LOOP_DELAY_MS)', () => {
  it('answers 503 with Retry-After and a problem document while the event loop lags; /api/health still answers', async () => {
    app = await guardedApp(MAX_DELAY_MS);
    expect((await app.inject('/api/studies')).statusCode).toBe(200);
    stopOverload = overload();
    const refused = await answerWith(app, '/api/studies', 503, 5_000);
    const health = await app.inject('/api/health');
    stopOverload();
    expect(refused.statusCode).toBe(503);
    expect(refused.headers['retry-after']).toBe(String(OVERLOAD_RETRY_AFTER_SECONDS));
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.json()).toMatchObject({ type: PROBLEM_TYPES.overloaded, status: 503, retryable: true });
    expect(health.statusCode).toBe(200);
    // Once the loop keeps up again, requests are answered.
    expect((await answerWith(app, '/api/studies', 200, 5_000)).statusCode).toBe(200);
  });

  it('is off with 0', async () => {
    app = await guardedApp(0);
    stopOverload = overload();
    await sleep(SAMPLE_MS * 5);
    const answer = await app.inject('/api/studies');
    stopOverload();
    expect(answer.statusCode).toBe(200);
  });
});
