/**
 * Upstream answers are untrusted input (DESIGN.md, docs/security.md): bounded in size, parsed and
 * shape-checked before they are relayed, their error text never shown, the key never echoed, 429 and
 * 503 passed on with a valid Retry-After, a trickle cut at the time limit, and error bodies bounded
 * however large the bad input. Checked against the BFF as production assembles it, in front of
 * local upstreams that misbehave on purpose.
 */
import type { ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PROBLEM_LIMITS } from '../../src/contract/problem.ts';
import { buildPacsBff, type PacsBff } from '../pacs/pacs-harness.ts';
import {
  json,
  startRecordingUpstream,
  type RecordingUpstream,
  type UpstreamResponder,
  withUsers,
} from '../support/recording-upstream.ts';
import { DEMO_COORDINATOR, studyFixture } from '../support/study-fixture.ts';
import { buildTestBff, signIn } from '../support/test-bff.ts';

const KEY = 'upstream-faults-key-5f0c2a9e7d';
const STUDY_ID = `stu_${'7a'.repeat(16)}`;
const TIMEOUT_MS = 800;
const RETRIES = 1;
const MiB = 1024 * 1024;

function raw(status: number, body: string, headers: Record<string, string> = {}): UpstreamResponder {
  return (_request, response) => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(body);
  };
}

/**
 * A body of `totalBytes`, streamed in 64 KiB chunks as fast as the reader takes them (never held in
 * memory whole); `sent` counts what went out, so a test can see the reader stopped early.
 */
function hugeBody(
  prefix: string,
  totalBytes: number,
  counter: { sent: number },
  { declareLength = false, status = 200 } = {},
): UpstreamResponder {
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  return (_request, response: ServerResponse) => {
    counter.sent = 0;
    response.on('error', () => undefined);
    response.writeHead(status, {
      'content-type': 'application/json',
      ...(declareLength ? { 'content-length': String(totalBytes + prefix.length + 2) } : {}),
    });
    response.write(prefix);
    const pump = () => {
      while (counter.sent < totalBytes && !response.destroyed) {
        counter.sent += chunk.length;
        if (!response.write(chunk)) {
          response.once('drain', pump);
          return;
        }
      }
      if (!response.destroyed) response.end(']}');
    };
    pump();
  };
}

/** A 200 whose body never ends: a byte every 50 ms, forever. */
const trickle: UpstreamResponder = (_request, response) => {
  response.on('error', () => undefined);
  response.writeHead(200, { 'content-type': 'application/json' });
  response.write('{"studies":[');
  const timer = setInterval(() => response.write(' '), 50);
  response.on('close', () => clearInterval(timer));
};

/** The highest rss and arrayBuffers seen while `work` runs, above what they were before it. */
async function peakGrowth<T>(work: () => Promise<T>): Promise<{ result: T; rss: number; arrayBuffers: number }> {
  const before = process.memoryUsage();
  let peak = { rss: before.rss, arrayBuffers: before.arrayBuffers };
  const sample = setInterval(() => {
    const now = process.memoryUsage();
    peak = { rss: Math.max(peak.rss, now.rss), arrayBuffers: Math.max(peak.arrayBuffers, now.arrayBuffers) };
  }, 5);
  try {
    const result = await work();
    const after = process.memoryUsage();
    peak = { rss: Math.max(peak.rss, after.rss), arrayBuffers: Math.max(peak.arrayBuffers, after.arrayBuffers) };
    return { result, rss: peak.rss - before.rss, arrayBuffers: peak.arrayBuffers - before.arrayBuffers };
  } finally {
    clearInterval(sample);
  }
}

let upstream: RecordingUpstream;
let app: FastifyInstance;
let coordinator: Record<string, string>;
const logLines: string[] = [];

function api(options: InjectOptions) {
  return app.inject({ ...options, headers: { ...coordinator, ...options.headers } });
}

beforeAll(async () => {
  upstream = await startRecordingUpstream(withUsers(json(200, studyFixture(STUDY_ID))));
  const logStream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString('utf8'));
      done();
    },
  });
  app = await buildTestBff({
    upstreamUrl: upstream.url,
    apiKey: KEY,
    timeoutMs: TIMEOUT_MS,
    retries: RETRIES,
    logStream,
  });
  coordinator = await signIn(app, DEMO_COORDINATOR.email);
});

afterAll(async () => {
  await app.close();
  await upstream.close();
});

beforeEach(() => {
  upstream.requests.length = 0;
  upstream.respond(withUsers(json(200, studyFixture(STUDY_ID))));
});

describe('a success body must parse and have its shape', () => {
  it('answers 502 for a 2xx that is not JSON, and does not retry it', async () => {
    upstream.respond(withUsers(raw(200, '{"hasMore": tru')));
    const response = await api({ url: '/api/studies?severity=high' });
    expect(response.statusCode).toBe(502);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({
      type: '/problems/upstream-failed',
      title: 'Avara answered in an unexpected form',
      status: 502,
    });
    expect(response.body).not.toContain('hasMore');
    expect(upstream.requests).toHaveLength(1);
  });

  it.each([
    ['a list page whose studies is not a list', 'GET', '/api/studies', { studies: 'none', hasMore: false }],
    ['a list page without hasMore', 'GET', '/api/studies', { studies: [] }],
    [
      'a list page with a study missing its fields',
      'GET',
      '/api/studies',
      { studies: [{ studyId: STUDY_ID }], hasMore: false, cursor: null },
    ],
    [
      'a list page with an unknown severity',
      'GET',
      '/api/studies',
      { studies: [studyFixture(STUDY_ID, { severity: 'urgent' })], hasMore: false },
    ],
    ['a JSON array for a study', 'GET', `/api/studies/${STUDY_ID}`, [studyFixture(STUDY_ID)]],
    ['an empty object for a study', 'GET', `/api/studies/by-uid/1.2.3`, {}],
    ['a cancel answer without success', 'POST', `/api/studies/${STUDY_ID}/cancel`, { done: true }],
    ['an uncancel answer with a non-boolean success', 'POST', `/api/studies/${STUDY_ID}/uncancel`, { success: 'yes' }],
    [
      'a reroute answer without url',
      'POST',
      `/api/studies/${STUDY_ID}/viewer-url`,
      { link: 'https://viewer.example/x' },
    ],
  ] as const)('answers 502 for %s', async (_case, method, url, body) => {
    upstream.respond(withUsers(json(200, body)));
    const response = await api({ method, url });
    expect(response.statusCode).toBe(502);
    expect(response.json()).toMatchObject({ type: '/problems/upstream-failed', status: 502 });
  });

  it('answers 502 for a PATCH whose answer is not a study (after a good read)', async () => {
    upstream.respond(
      withUsers((request, response) =>
        request.method === 'GET'
          ? json(200, studyFixture(STUDY_ID))(request, response)
          : json(200, { ok: true })(request, response),
      ),
    );
    const response = await api({ method: 'PATCH', url: `/api/studies/${STUDY_ID}`, payload: { severity: 'high' } });
    expect(response.statusCode).toBe(502);
  });

  it('relays a good page unchanged', async () => {
    const page = { studies: [studyFixture(STUDY_ID)], hasMore: true, cursor: 'abc' };
    upstream.respond(withUsers(json(200, page)));
    const response = await api({ url: '/api/studies?severity=high' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe(JSON.stringify(page));
  });
});

describe('answers are bounded in size', () => {
  it('drops a 300 MB body at UPSTREAM_MAX_BYTES with a 502, quickly and without holding it', async () => {
    const counter = { sent: 0 };
    upstream.respond(withUsers(hugeBody('{"studies":[', 300 * MiB, counter)));
    const started = Date.now();
    const { result: response, rss, arrayBuffers } = await peakGrowth(() => api({ url: '/api/studies?severity=high' }));
    expect(response.statusCode).toBe(502);
    expect(response.json()).toMatchObject({
      type: '/problems/upstream-failed',
      title: 'Avara answered with too much data',
      retryable: false,
    });
    expect(Date.now() - started).toBeLessThan(5_000);
    // Not retried, and stopped near the cap (8 MiB) plus what sat in socket buffers.
    expect(upstream.requests).toHaveLength(1);
    expect(counter.sent).toBeLessThan(40 * MiB);
    expect(rss).toBeLessThan(100 * MiB);
    expect(arrayBuffers).toBeLessThan(100 * MiB);
  });

  it('refuses a declared Content-Length over the cap before reading the body', async () => {
    const counter = { sent: 0 };
    upstream.respond(withUsers(hugeBody('{"studies":[', 300 * MiB, counter, { declareLength: true })));
    const response = await api({ url: `/api/studies/${STUDY_ID}` });
    expect(response.statusCode).toBe(502);
    expect(response.json().title).toBe('Avara answered with too much data');
    expect(counter.sent).toBeLessThan(40 * MiB);
  });

  it('bounds error answers too', async () => {
    const counter = { sent: 0 };
    upstream.respond(withUsers(hugeBody('{"error":[', 100 * MiB, counter, { status: 500 })));
    const response = await api({ method: 'POST', url: `/api/studies/${STUDY_ID}/cancel` });
    expect(response.statusCode).toBe(502);
    expect(response.json().title).toBe('Avara answered with too much data');
    expect(counter.sent).toBeLessThan(40 * MiB);
  });
});

describe('upstream error text never reaches the browser', () => {
  it('keeps a 400 that echoes the request headers (the key among them) out of the answer', async () => {
    for (const options of [
      { url: '/api/studies?severity=high' },
      { method: 'PATCH', url: `/api/studies/${STUDY_ID}`, payload: { severity: 'high' } },
      {
        method: 'POST',
        url: '/api/studies',
        payload: { severity: 'stat', studyDescription: 'CT Head', studyInstanceUid: '1.2.3.4' },
      },
    ] as const) {
      upstream.respond(
        withUsers((request, response) => {
          if (request.method === 'GET' && options.method === 'PATCH')
            return json(200, studyFixture(STUDY_ID))(request, response);
          response
            .writeHead(400, {
              'content-type': 'application/json',
              'x-echo': `Bearer ${KEY}`,
              'retry-after': `Bearer ${KEY}`,
            })
            .end(
              JSON.stringify({
                error: {
                  type: 'invalid_request',
                  message: `Bad request headers: ${JSON.stringify(request.headers)}`,
                  param: `authorization: Bearer ${KEY}`,
                },
              }),
            );
        }),
      );
      const response = await api(options);
      expect(response.statusCode).toBe(400);
      const everything = `${response.body}\n${JSON.stringify(response.headers)}`;
      expect(everything).not.toContain(KEY);
      expect(everything).not.toContain('Bearer');
      expect(everything).not.toContain('Bad request headers');
      expect(response.json()).toMatchObject({
        type: '/problems/invalid-request',
        detail: 'Avara refused the request as invalid.',
        issues: [],
      });
      expect(response.headers['retry-after']).toBeUndefined();
    }
  });

  it('names the refused field when the contract knows it, in its own words', async () => {
    upstream.respond(
      withUsers(
        json(400, {
          error: {
            type: 'invalid_request',
            message: 'studyDescription contains <script>x</script>',
            param: 'studyDescription',
          },
        }),
      ),
    );
    const response = await api({
      method: 'POST',
      url: '/api/studies',
      payload: { severity: 'stat', studyDescription: 'CT Head', studyInstanceUid: '1.2.3.4' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      detail: 'Avara refused the value of studyDescription.',
      issues: [{ in: 'body', name: 'studyDescription', message: 'was refused by Avara' }],
    });
    expect(response.body).not.toContain('<script>');

    upstream.respond(
      withUsers(json(400, { error: { type: 'invalid_request', message: 'no', param: 'metadata/<img src=x>' } })),
    );
    const keyed = await api({
      method: 'POST',
      url: '/api/studies',
      payload: { severity: 'stat', studyDescription: 'CT Head', studyInstanceUid: '1.2.3.4' },
    });
    expect(keyed.json().issues).toEqual([{ in: 'body', name: 'metadata', message: 'was refused by Avara' }]);
  });

  it('refuses a success body that carries the key', async () => {
    upstream.respond(withUsers(json(200, studyFixture(STUDY_ID, { studyDescription: `echo: Bearer ${KEY}` }))));
    const response = await api({ url: `/api/studies/${STUDY_ID}` });
    expect(response.statusCode).toBe(502);
    expect(response.body).not.toContain(KEY);
  });
});

describe('429 and 503 pass through with a valid Retry-After', () => {
  it("answers 503 with the upstream's Retry-After in seconds, without retrying", async () => {
    upstream.respond(
      withUsers(raw(503, '{"error":{"type":"internal_error","message":"maintenance"}}', { 'retry-after': '30' })),
    );
    const response = await api({ url: '/api/studies?severity=high' });
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('30');
    expect(response.json()).toMatchObject({ type: '/problems/upstream-unavailable', status: 503, retryable: true });
    expect(response.body).not.toContain('maintenance');
    expect(upstream.requests).toHaveLength(1);
  });

  it('passes an HTTP-date Retry-After on', async () => {
    const when = new Date(Date.now() + 60_000).toUTCString();
    upstream.respond(withUsers(raw(503, '', { 'retry-after': when })));
    const response = await api({ method: 'POST', url: `/api/studies/${STUDY_ID}/cancel` });
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe(when);
  });

  it('leaves out a Retry-After that is neither seconds nor a date', async () => {
    for (const value of ['soon', '-5', '1.5', '99999999999', 'Tue, 99 Foo 2026 xx:00:00 GMT']) {
      upstream.respond(withUsers(raw(503, '', { 'retry-after': value })));
      const response = await api({ method: 'POST', url: `/api/studies/${STUDY_ID}/cancel` });
      expect(response.statusCode, value).toBe(503);
      expect(response.headers['retry-after'], value).toBeUndefined();
    }
  });

  it('answers 429 with Retry-After when Avara limits the BFF', async () => {
    upstream.respond(
      withUsers(raw(429, '{"error":{"type":"internal_error","message":"slow down"}}', { 'retry-after': '5' })),
    );
    const response = await api({ url: '/api/studies?severity=high' });
    expect(response.statusCode).toBe(429);
    expect(response.headers['retry-after']).toBe('5');
    expect(response.json()).toMatchObject({ type: '/problems/upstream-rate-limited', status: 429, retryable: true });
    expect(upstream.requests).toHaveLength(1);
  });
});

describe('a trickling upstream', () => {
  it('ends a change in a 504 within UPSTREAM_TIMEOUT_MS', async () => {
    upstream.respond(withUsers(trickle));
    const started = Date.now();
    const response = await api({ method: 'POST', url: `/api/studies/${STUDY_ID}/cancel` });
    const elapsed = Date.now() - started;
    expect(response.statusCode).toBe(504);
    expect(response.json()).toMatchObject({ type: '/problems/upstream-timeout', retryable: true });
    expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(elapsed).toBeLessThan(TIMEOUT_MS + 1_000);
  });

  it('ends a read in a 504 within UPSTREAM_TIMEOUT_MS per attempt', async () => {
    upstream.respond(withUsers(trickle));
    const started = Date.now();
    const response = await api({ url: '/api/studies?severity=high' });
    expect(response.statusCode).toBe(504);
    expect(upstream.requests).toHaveLength(RETRIES + 1);
    // Each attempt is cut at the limit; the backoff between them is at most 200 ms here.
    expect(Date.now() - started).toBeLessThan((RETRIES + 1) * TIMEOUT_MS + 1_500);
  });
});

describe('error bodies stay small however large the bad input', () => {
  it('bounds the answer to a huge query string', async () => {
    const unknown = Array.from({ length: 6_000 }, (_, index) => `p${index}=${'x'.repeat(20)}`).join('&');
    const url = `/api/studies?severity=${'u'.repeat(50_000)}&${unknown}&${'k'.repeat(20_000)}=1`;
    expect(url.length).toBeGreaterThan(189_000);
    const response = await api({ url });
    expect(response.statusCode).toBe(400);
    expect(response.rawPayload.length).toBeLessThan(16 * 1024);
    const problem = response.json();
    expect(problem.issues).toHaveLength(PROBLEM_LIMITS.issues);
    expect(problem.moreIssues).toBeGreaterThan(5_000);
    expect(problem.detail).toMatch(/and \d+ more issues$/);
    for (const issue of problem.issues) {
      expect(issue.name.length).toBeLessThanOrEqual(PROBLEM_LIMITS.text);
      expect(issue.message.length).toBeLessThanOrEqual(PROBLEM_LIMITS.text);
    }
    expect(upstream.requests).toHaveLength(0);
  });

  it('bounds the answer to a huge bad body', async () => {
    // Each value of the wrong type is an issue of its own, named by its (longest allowed) key.
    const metadata = Object.fromEntries(
      Array.from({ length: 2_000 }, (_, index) => [`${index}`.padStart(100, 'm'), index]),
    );
    const payload = {
      severity: 'stat',
      studyDescription: 'CT Head',
      studyInstanceUid: '1.2.3.4',
      metadata,
      [`${'z'.repeat(5_000)}`]: 1,
    };
    expect(JSON.stringify(payload).length).toBeGreaterThan(200_000);
    const response = await api({ method: 'POST', url: '/api/studies', payload });
    expect(response.statusCode).toBe(400);
    expect(response.rawPayload.length).toBeLessThan(16 * 1024);
    expect(response.json().moreIssues).toBeGreaterThan(1_900);
    expect(upstream.requests).toHaveLength(0);
  });
});

describe('the PACS (Orthanc) answers and context input', () => {
  let orthanc: RecordingUpstream;
  let pacs: PacsBff;
  let headers: Record<string, string>;
  const UID = '1.2.840.113619.2.55.3.99';

  beforeAll(async () => {
    orthanc = await startRecordingUpstream(json(200, []));
    pacs = await buildPacsBff({ avaraUrl: upstream.url, apiKey: KEY, orthancUrl: orthanc.url });
    headers = await signIn(pacs.app, DEMO_COORDINATOR.email);
  });

  afterAll(async () => {
    await pacs.app.close();
    await orthanc.close();
  });

  const context = (payload: object) => pacs.app.inject({ method: 'POST', url: '/api/pacs/context', headers, payload });

  it('bounds the answer to 80 KB of bad UIDs', async () => {
    const payload = { studyInstanceUids: Array.from({ length: 40_000 }, () => 1) };
    expect(JSON.stringify(payload).length).toBeGreaterThan(80_000);
    const response = await context(payload);
    expect(response.statusCode).toBe(400);
    expect(response.rawPayload.length).toBeLessThan(16 * 1024);
    expect(response.json().moreIssues).toBeGreaterThan(39_000);
    expect(orthanc.requests).toHaveLength(0);
  });

  it('answers 502 when Orthanc answers more than UPSTREAM_MAX_BYTES, without holding it', async () => {
    const counter = { sent: 0 };
    orthanc.respond(hugeBody('[', 300 * MiB, counter));
    const { result: response, rss } = await peakGrowth(() => context({ studyInstanceUids: [UID] }));
    expect(response.statusCode).toBe(502);
    expect(response.json()).toMatchObject({ type: '/problems/upstream-failed', status: 502 });
    expect(counter.sent).toBeLessThan(40 * MiB);
    expect(rss).toBeLessThan(100 * MiB);
  });

  it('answers 502 when Orthanc answers something other than JSON', async () => {
    orthanc.respond(raw(200, '[{"0020000D": '));
    const response = await context({ studyInstanceUids: ['1.2.840.113619.2.55.3.98'] });
    expect(response.statusCode).toBe(502);
    expect(response.body).not.toContain('0020000D');
  });
});

describe('logs', () => {
  it('carry the key on no line, whatever the upstream sent', () => {
    expect(logLines.length).toBeGreaterThan(0);
    for (const line of logLines) expect(line).not.toContain(KEY);
  });
});
