/**
 * Behind a reverse proxy every connection comes from the proxy: with TRUSTED_PROXIES naming it, the
 * client's address (X-Forwarded-For) is what the request log, the audit line and the rate-limit key
 * carry; the same header from anyone else is ignored. Over real sockets on loopback: the trusted
 * proxy is 127.0.0.1, the untrusted caller is 127.0.0.1 too when only 127.0.0.2 is trusted.
 */
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { oneStudyAvara, startRecordingUpstream, type RecordingUpstream } from '../support/recording-upstream.ts';
import { DEMO_RADIOLOGIST } from '../support/study-fixture.ts';
import { buildTestBff } from '../support/test-bff.ts';

const KEY = 'behind-proxy-suite-key-0123456789';
const CLIENT = '192.0.2.44';
const STUDY_ID = `stu_${'7a'.repeat(16)}`;

const avaraLike = oneStudyAvara(STUDY_ID);

interface Running {
  app: FastifyInstance;
  upstream: RecordingUpstream;
  url: string;
  logs: Record<string, unknown>[];
  /** The audit lines written so far. */
  audit: () => Record<string, unknown>[];
}

let running: Running | undefined;
afterEach(async () => {
  await running?.app.close();
  await running?.upstream.close();
  running = undefined;
});

async function start(trustedProxies: string): Promise<Running> {
  const upstream = await startRecordingUpstream(avaraLike);
  const logs: Record<string, unknown>[] = [];
  const logStream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n'))
        if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const auditLines: string[] = [];
  const audit = () => auditLines.map((line) => JSON.parse(line) as Record<string, unknown>);
  const app = await buildTestBff({
    upstreamUrl: upstream.url,
    apiKey: KEY,
    logStream,
    auditLines,
    env: { TRUSTED_PROXIES: trustedProxies, RATE_LIMIT_PER_MINUTE: '3' },
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  running = { app, upstream, url, logs, audit };
  return running;
}

/** A request as the proxy sends it: the client's address in X-Forwarded-For. */
function viaProxy(url: string, path: string, forwardedFor: string, init: RequestInit = {}) {
  return fetch(`${url}${path}`, {
    ...init,
    headers: {
      'x-forwarded-for': forwardedFor,
      'x-csrf': '1',
      ...(init.headers as Record<string, string> | undefined),
    },
  });
}

async function signedInCookie(url: string, forwardedFor: string): Promise<string> {
  const answer = await viaProxy(url, '/auth/login', forwardedFor, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: DEMO_RADIOLOGIST.email }),
  });
  expect(answer.status).toBe(200);
  return (answer.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
}

const requestLines = (logs: Record<string, unknown>[], path: string) =>
  logs.filter((line) => {
    const req = line.req as { url?: string } | undefined;
    return req?.url?.startsWith(path) === true;
  });

describe('behind a trusted proxy (TRUSTED_PROXIES=127.0.0.1)', () => {
  it("logs, audits and rate-limits by the client's address", async () => {
    const { url, logs, audit } = await start('127.0.0.1');
    const cookie = await signedInCookie(url, `198.51.100.250, ${CLIENT}`);
    const studies = await viaProxy(url, '/api/studies?severity=stat', `198.51.100.250, ${CLIENT}`, {
      headers: { cookie },
    });
    expect(studies.status).toBe(200);

    // The request log: the client (the last hop the trusted proxy added), not the proxy.
    const logged = requestLines(logs, '/api/studies');
    expect(logged.length).toBeGreaterThan(0);
    for (const line of logged) expect((line.req as { remoteAddress: string }).remoteAddress).toBe(CLIENT);
    // The audit lines of the sign-in and of the list.
    expect(
      audit()
        .filter((line) => line.action === 'session.sign-in' || line.action === 'study.list')
        .map((line) => [line.action, line.address]),
    ).toEqual([
      ['session.sign-in', CLIENT],
      ['study.list', CLIENT],
    ]);

    // The rate-limit key of someone not signed in: their address, so each client has their own budget.
    const anonymous = [];
    for (let i = 0; i < 4; i++) anonymous.push((await viaProxy(url, '/api/health', CLIENT)).status);
    expect(anonymous).toEqual([200, 200, 200, 429]);
    expect(logs.filter((line) => line.msg === 'rate limit reached').map((line) => line.rateLimitKey)).toEqual([
      `api:ip:${CLIENT}`,
    ]);
    expect((await viaProxy(url, '/api/health', '192.0.2.45')).status).toBe(200);
  });
});

describe('X-Forwarded-For from an address that is not a trusted proxy', () => {
  it('is ignored: the log, the audit line and the rate-limit key carry the connection address', async () => {
    const { url, logs, audit } = await start('127.0.0.2');
    const cookie = await signedInCookie(url, CLIENT);
    expect((await viaProxy(url, '/api/studies?severity=stat', CLIENT, { headers: { cookie } })).status).toBe(200);
    for (const line of requestLines(logs, '/api/studies'))
      expect((line.req as { remoteAddress: string }).remoteAddress).toBe('127.0.0.1');
    expect(
      audit()
        .filter((line) => line.action === 'study.list')
        .map((line) => line.address),
    ).toEqual(['127.0.0.1']);

    // A new spoofed address on every request buys no new budget.
    const spoofed = [];
    for (let i = 0; i < 4; i++) spoofed.push((await viaProxy(url, '/api/health', `192.0.2.${100 + i}`)).status);
    expect(spoofed).toEqual([200, 200, 200, 429]);
    expect(logs.filter((line) => line.msg === 'rate limit reached').map((line) => line.rateLimitKey)).toEqual([
      'api:ip:127.0.0.1',
    ]);
  });
});
