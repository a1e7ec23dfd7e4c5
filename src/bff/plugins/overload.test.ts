import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { PROBLEM_TYPES } from '../../contract/problem.ts';
import { OVERLOAD_RETRY_AFTER_SECONDS, registerOverloadGuard } from './overload.ts';

const SAMPLE_MS = 100;

async function guardedApp(maxEventLoopDelayMs: number) {
  const app = Fastify();
  await registerOverloadGuard(app, { maxEventLoopDelayMs, sampleIntervalMs: SAMPLE_MS });
  app.get('/api/health', async () => ({ status: 'ok' }));
  app.get('/api/studies', async () => ({ studies: [] }));
  await app.ready();
  return app;
}

/** Holds the event loop as an overloaded server would, then lets the sampler run once. */
async function blockEventLoop(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS * 2));
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // busy: nothing else runs
  }
}

/** The first answer to `url` that is a refusal, asked every 10 ms for up to three samples. */
async function firstRefusal(target: NonNullable<typeof app>, url: string) {
  let answer = await target.inject(url);
  for (let tries = 0; answer.statusCode !== 503 && tries < (SAMPLE_MS * 3) / 10; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    answer = await target.inject(url);
  }
  return answer;
}

let app: Awaited<ReturnType<typeof guardedApp>> | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('the overload guard (MAX_EVENT_LOOP_DELAY_MS)', () => {
  it('answers 503 with Retry-After and a problem document while the event loop lags; /api/health still answers', async () => {
    app = await guardedApp(50);
    expect((await app.inject('/api/studies')).statusCode).toBe(200);
    await blockEventLoop(600);
    // The sampler sees the delay within a sample or two; until the next one, requests are refused.
    const refused = await firstRefusal(app, '/api/studies');
    const health = await app.inject('/api/health');
    expect(refused.statusCode).toBe(503);
    expect(refused.headers['retry-after']).toBe(String(OVERLOAD_RETRY_AFTER_SECONDS));
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.json()).toMatchObject({ type: PROBLEM_TYPES.overloaded, status: 503, retryable: true });
    expect(health.statusCode).toBe(200);
    // Once the loop keeps up again, requests are answered.
    await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS * 3));
    expect((await app.inject('/api/studies')).statusCode).toBe(200);
  });

  it('is off with 0', async () => {
    app = await guardedApp(0);
    await blockEventLoop(300);
    expect((await firstRefusal(app, '/api/studies')).statusCode).toBe(200);
  });
});
