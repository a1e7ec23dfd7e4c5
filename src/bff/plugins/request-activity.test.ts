import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { registerRequestActivity } from './request-activity.ts';

const apps: Array<{ close(): Promise<unknown> }> = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

async function server() {
  const app = Fastify();
  apps.push(app);
  const activity = registerRequestActivity(app);
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  app.get('/slow', async () => {
    await held;
    return { ok: true };
  });
  app.get('/stream', { config: { longLived: true } }, async (_request, reply) => {
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream' });
    reply.raw.write(': open\n\n');
    return reply.hijack();
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, activity, url, release };
}

describe('request activity', () => {
  it('is quiet with no request, waits for a request being answered, and ends the wait when it is', async () => {
    const { activity, url, release } = await server();
    await activity.whenQuiet(10_000);
    const answer = fetch(`${url}/slow`);
    await expect.poll(() => activity.answering()).toBe(1);
    let quiet = false;
    const waited = activity.whenQuiet(10_000).then(() => (quiet = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(quiet).toBe(false);
    release();
    expect((await answer).status).toBe(200);
    await waited;
    expect(activity.answering()).toBe(0);
  });

  it('waits no longer than it was asked to under steady requests', async () => {
    const { activity, url, release } = await server();
    const answer = fetch(`${url}/slow`);
    await expect.poll(() => activity.answering()).toBe(1);
    const started = performance.now();
    await activity.whenQuiet(60);
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
    release();
    await answer;
  });

  it('does not count an open event stream, nor a request whose client went away', async () => {
    const { activity, url } = await server();
    const stream = new AbortController();
    const response = await fetch(`${url}/stream`, { signal: stream.signal });
    expect(response.status).toBe(200);
    expect(activity.answering()).toBe(0);
    stream.abort();
    const gone = new AbortController();
    fetch(`${url}/slow`, { signal: gone.signal }).catch(() => undefined);
    await expect.poll(() => activity.answering()).toBe(1);
    gone.abort();
    await expect.poll(() => activity.answering()).toBe(0);
  });
});
