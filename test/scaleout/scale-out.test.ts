/**
 * Several instances behind a load balancer, all real processes: two BFFs (`node src/bff/server.ts`)
 * sharing one Redis and one Avara-compatible upstream, behind Debian's nginx doing round robin with
 * no stickiness. A person signs in once and is served by either instance; an event made on one
 * reaches a stream on the other; an instance killed with SIGKILL costs nobody their session or an
 * event; Redis restarted empty is recovered from without restarting anything, and Redis with an
 * append-only file keeps the sessions across its restart (docs/deploy.md).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAvaraServer, type RunningAvaraServer } from '../../src/avara-server/create-avara-server.ts';
import { signInOverHttp, startBffProcess, type BffProcess } from '../support/bff-process.ts';
import { startNginx, type RunningNginx } from '../support/nginx.ts';
import { freePort } from '../support/free-port.ts';
import { waitFor } from '../support/orthanc.ts';
import { startRedis, type RunningRedis } from '../support/redis.ts';
import { dataOf, openSse, type SseClient } from '../support/sse-client.ts';

const KEY = 'scale-out-upstream-key-0123456789';
const COORDINATOR = 'laura.bennett@stmarys-radiology.example';
const STEP_TIMEOUT = 180_000;

interface Study {
  studyId: string;
  studyDescription: string;
  updatedAt: string;
}

interface Answer {
  status: number;
  /** The instance that answered, as nginx names it (`127.0.0.1:<port>`); null when asked directly. */
  upstream: string | null;
  retryAfter: string | null;
  body: unknown;
}

let folder: string;
let avara: RunningAvaraServer;
let redis: RunningRedis;
let nginx: RunningNginx;
const instances: { a?: BffProcess; b?: BffProcess } = {};
const ports = { a: 0, b: 0, nginx: 0 };
const streams: SseClient[] = [];
const extraProcesses: BffProcess[] = [];
const extraRedis: RunningRedis[] = [];

function instanceEnv(name: string, redisUrl: string, prefix = 'scale-out:'): Record<string, string> {
  return {
    REDIS_URL: redisUrl,
    SHARED_STATE_KEY_PREFIX: prefix,
    DATA_DIR: mkdtempSync(join(folder, `${name}-`)),
    AVARA_API_KEY: KEY,
    AVARA_BASE_URL: avara.url,
    AUTH_MODE: 'dev',
    // nginx connects from loopback: the client's address comes from X-Forwarded-For.
    TRUSTED_PROXIES: '127.0.0.1',
    // Every instance is reached at the load balancer's address.
    PUBLIC_URL: `http://127.0.0.1:${ports.nginx}`,
    LOG_LEVEL: 'warn',
    AUDIT_LOG: join(folder, `${name}-audit.log`),
    RATE_LIMIT_PER_MINUTE: '100000',
    // Keep-alive comments every 2 s (15 s by default): the tests see them pass nginx, and a stream
    // whose session is gone ends within that.
    EVENTS_HEARTBEAT_SECONDS: '2',
  };
}

async function startInstance(name: 'a' | 'b'): Promise<BffProcess> {
  const bff = await startBffProcess(ports[name], instanceEnv(name, redis.url), 90_000);
  instances[name] = bff;
  return bff;
}

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'rw-scale-out-'));
  avara = await startAvaraServer({ databasePath: join(folder, 'avara.sqlite'), apiKey: KEY, demoStudies: 0 });
  redis = await startRedis();
  ports.a = await freePort();
  ports.b = await freePort();
  ports.nginx = await freePort();
  await Promise.all([startInstance('a'), startInstance('b')]);
  // An instance that refused a connection is left out for 2 s only, so a restarted one is back soon.
  nginx = await startNginx({ upstreamPorts: [ports.a, ports.b], port: ports.nginx, failTimeoutSeconds: 2 });
}, STEP_TIMEOUT);

afterAll(async () => {
  for (const stream of streams) stream.close();
  await Promise.all([instances.a?.stop(), instances.b?.stop(), ...extraProcesses.map((bff) => bff.stop())]);
  await nginx?.dispose();
  await redis?.dispose();
  for (const other of extraRedis) await other.dispose();
  await avara?.close();
  rmSync(folder, { recursive: true, force: true });
}, STEP_TIMEOUT);

const upstreamOf = (name: 'a' | 'b') => `127.0.0.1:${ports[name]}`;

async function call(
  baseUrl: string,
  path: string,
  options: { cookie?: string; method?: string; body?: unknown; ifMatch?: string } = {},
): Promise<Answer> {
  const response = await fetch(`${baseUrl}${path}`, {
    method: options.method ?? 'GET',
    headers: {
      'x-csrf': '1',
      ...(options.cookie ? { cookie: options.cookie } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(options.ifMatch ? { 'if-match': options.ifMatch } : {}),
    },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: kept as text
  }
  return {
    status: response.status,
    upstream: response.headers.get('x-upstream'),
    retryAfter: response.headers.get('retry-after'),
    body,
  };
}

const signIn = (baseUrl: string) => signInOverHttp(baseUrl, COORDINATOR);

let uidSequence = 0;
async function createStudy(baseUrl: string, cookie: string, description: string): Promise<Study> {
  uidSequence += 1;
  const answer = await call(baseUrl, '/api/studies', {
    cookie,
    method: 'POST',
    body: {
      severity: 'high',
      studyDescription: description,
      studyInstanceUid: `1.2.826.0.1.3680043.10.${Date.now()}.${uidSequence}`,
    },
  });
  expect(answer.status).toBe(201);
  return answer.body as Study;
}

async function describeStudy(baseUrl: string, cookie: string, study: Study, description: string): Promise<Answer> {
  return call(baseUrl, `/api/studies/${study.studyId}`, {
    cookie,
    method: 'PATCH',
    ifMatch: `"${study.updatedAt}"`,
    body: { studyDescription: description },
  });
}

/** The study as the upstream holds it, asked directly with its key. */
async function upstreamStudy(studyId: string): Promise<Study> {
  const response = await fetch(`${avara.url}/v1/viewer/studies/${studyId}`, {
    headers: { authorization: `Bearer ${KEY}` },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Study;
}

/** `promise`, or a failure naming `what` after `timeoutMs`. */
async function within(promise: Promise<unknown>, timeoutMs: number, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
  });
  try {
    await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Opens `GET /api/events` at `baseUrl` as the SPA does (fetch, X-CSRF, the cookie), resuming after `lastEventId`. */
async function openEventStream(
  baseUrl: string,
  options: { cookie: string; lastEventId?: string | undefined },
): Promise<SseClient> {
  const stream = await openSse(`${baseUrl}/api/events`, {
    accept: 'text/event-stream',
    'x-csrf': '1',
    cookie: options.cookie,
    ...(options.lastEventId ? { 'last-event-id': options.lastEventId } : {}),
  });
  streams.push(stream);
  // The stream's position is set by its first message (`stream.status`, carrying the newest id), not
  // by its headers: an event published in between is before that position, so the tests wait for it.
  if (stream.status === 200)
    await stream.waitFor((message) => message.event === 'stream.status', { timeoutMs: 30_000 });
  return stream;
}

/** The instance that served a stream, as nginx names it. */
const upstreamOfStream = (stream: SseClient) => stream.headers.get('x-upstream');

/** The id of the last message that carried one: what a client sends as Last-Event-ID. */
function lastEventId(stream: SseClient): string | undefined {
  return stream.messages.findLast((message) => message.id !== undefined)?.id;
}

function eventsOf(stream: SseClient, type: string): unknown[] {
  return stream
    .events()
    .filter((message) => message.event === type)
    .map(dataOf);
}

/**
 * The description of every `study.changed` event made through the worklist that a stream has
 * received, in order. The queue watcher may announce the same state again (origin `watcher`,
 * docs/decisions/015) when its walk reads a change before the change's own event: not counted.
 */
function changedDescriptions(stream: SseClient): string[] {
  return eventsOf(stream, 'study.changed')
    .filter((data) => typeof data === 'object' && data !== null && 'origin' in data && data.origin === 'worklist')
    .map((data) => studyOf(data).studyDescription);
}

function studyOf(data: unknown): Study {
  if (
    typeof data === 'object' &&
    data !== null &&
    'study' in data &&
    typeof data.study === 'object' &&
    data.study !== null
  )
    return data.study as Study;
  throw new Error(`not a study event: ${JSON.stringify(data)}`);
}

function hasStatus(stream: SseClient, status: 'ok' | 'degraded'): boolean {
  return eventsOf(stream, 'stream.status').some(
    (data) => typeof data === 'object' && data !== null && 'status' in data && data.status === status,
  );
}

/** Opens streams through nginx until one is served by `instance` (round robin: the first or the second). */
async function streamThroughNginxOn(instance: 'a' | 'b', cookie: string): Promise<SseClient> {
  for (let attempt = 0; attempt < 6; attempt++) {
    const stream = await openEventStream(nginx.url, { cookie });
    if (upstreamOfStream(stream) === upstreamOf(instance)) return stream;
    stream.close();
  }
  throw new Error(`no stream through nginx landed on instance ${instance}`);
}

describe('two instances behind nginx, one Redis, one upstream', () => {
  let cookie: string;

  it(
    'signs in once through nginx, and either instance serves the person with that cookie',
    { timeout: STEP_TIMEOUT },
    async () => {
      cookie = await signIn(nginx.url);
      const answers: Answer[] = [];
      for (let index = 0; index < 10; index++) {
        answers.push(
          await call(nginx.url, index % 2 === 0 ? '/api/me' : '/api/studies?limit=5&severity=high', { cookie }),
        );
      }
      expect(answers.map((answer) => answer.status)).toEqual(Array(10).fill(200));
      const served = new Set(answers.map((answer) => answer.upstream));
      expect(served).toEqual(new Set([upstreamOf('a'), upstreamOf('b')]));
      // nginx's log says the same.
      const logged = new Set(
        nginx
          .accessLog()
          .filter((line) => line.path.startsWith('/api/'))
          .flatMap((line) => line.upstreams),
      );
      expect(logged).toEqual(new Set([upstreamOf('a'), upstreamOf('b')]));
    },
  );

  it(
    'a change made on instance A reaches an event stream connected to instance B',
    { timeout: STEP_TIMEOUT },
    async () => {
      const { a, b } = instances;
      if (!a || !b) throw new Error('instances not running');
      const study = await createStudy(a.url, cookie, 'CT Chest without Contrast');
      const onB = await openEventStream(b.url, { cookie });
      const changed = await describeStudy(a.url, cookie, study, 'CT Chest with Contrast');
      expect(changed.status).toBe(200);
      await waitFor(
        () => changedDescriptions(onB).includes('CT Chest with Contrast'),
        30_000,
        'the change made on A to reach the stream on B',
      );
      const event = onB
        .events()
        .find(
          (message) =>
            message.event === 'study.changed' && studyOf(dataOf(message)).studyDescription === 'CT Chest with Contrast',
        );
      expect(studyOf(event ? dataOf(event) : undefined).studyId).toBe(study.studyId);
      expect(event?.id).toBeTruthy();
      onB.close();
    },
  );

  it(
    'instance A killed mid-session: nginx sends everything to B, the cookie still works, and a stream that was on A resumes on B with every event it missed',
    { timeout: STEP_TIMEOUT },
    async () => {
      const { a, b } = instances;
      if (!a || !b) throw new Error('instances not running');
      const study = await createStudy(nginx.url, cookie, 'MRI Brain without Contrast');
      const stream = await streamThroughNginxOn('a', cookie);
      // nginx passes the stream on as it comes: its first event (openEventStream waited for it) and keep-alive comments.
      expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
      await stream.waitFor((message) => message.comment === 'keep-alive', { timeoutMs: 30_000 });
      // One event seen before the crash, so the stream has an id to resume from.
      let current = (await describeStudy(b.url, cookie, study, 'MRI Brain, before the crash')).body as Study;
      await waitFor(
        () => changedDescriptions(stream).includes('MRI Brain, before the crash'),
        30_000,
        'the first event on the stream through nginx',
      );

      await a.kill();
      await within(stream.ended, 30_000, 'the stream on A to break');

      // While the stream is away, three changes are made (through nginx: B answers them all).
      const missed = ['MRI Brain, missed 1', 'MRI Brain, missed 2', 'MRI Brain, missed 3'];
      for (const description of missed) {
        const answer = await describeStudy(nginx.url, cookie, current, description);
        expect(answer.status).toBe(200);
        expect(answer.upstream?.split(/,\s*/).at(-1)).toBe(upstreamOf('b'));
        current = answer.body as Study;
      }
      // Reads through nginx: every one answered, by B, with the same cookie (no sign-in).
      for (let index = 0; index < 6; index++) {
        const answer = await call(nginx.url, index % 2 === 0 ? '/api/me' : `/api/studies/${study.studyId}`, { cookie });
        expect(answer.status).toBe(200);
        expect(answer.upstream?.split(/,\s*/).at(-1)).toBe(upstreamOf('b'));
      }

      // The stream comes back as an EventSource would: through nginx, with the last id it saw.
      const resumeAfter = lastEventId(stream);
      expect(resumeAfter).toBeTruthy();
      const resumed = await openEventStream(nginx.url, { cookie, lastEventId: resumeAfter });
      expect(resumed.status).toBe(200);
      expect(upstreamOfStream(resumed)).toBe(upstreamOf('b'));
      await waitFor(
        () => missed.every((description) => changedDescriptions(resumed).includes(description)),
        30_000,
        'the missed events to be replayed',
      );
      expect(changedDescriptions(resumed).slice(0, 3)).toEqual(missed);
      expect(eventsOf(resumed, 'resync')).toEqual([]);
      // And the stream goes on live.
      expect((await describeStudy(b.url, cookie, current, 'MRI Brain, after the resume')).status).toBe(200);
      await waitFor(
        () => changedDescriptions(resumed).includes('MRI Brain, after the resume'),
        30_000,
        'a live event after the resume',
      );
      resumed.close();

      // A restarted on its port rejoins the rotation by itself.
      await startInstance('a');
      await waitFor(
        async () => (await call(nginx.url, '/api/me', { cookie })).upstream === upstreamOf('a'),
        30_000,
        'nginx to send requests to the restarted instance A again',
        200,
      );
    },
  );

  it(
    'Redis down: reads go on, changes answer 503 with Retry-After; Redis back empty: the same processes recover, everyone signs in again, and streams resync',
    { timeout: STEP_TIMEOUT },
    async () => {
      const study = await createStudy(nginx.url, cookie, 'XR Chest PA and Lateral');
      const stream = await openEventStream(nginx.url, { cookie });
      await describeStudy(nginx.url, cookie, study, 'XR Chest, before the outage');
      await waitFor(
        () => changedDescriptions(stream).includes('XR Chest, before the outage'),
        30_000,
        'an event before the outage',
      );
      const before = (await call(nginx.url, `/api/studies/${study.studyId}`, { cookie })).body as Study;

      await redis.stop();
      await waitFor(
        async () => {
          const ready = await Promise.all([instances.a, instances.b].map((bff) => call(bff?.url ?? '', '/api/ready')));
          return ready.every(
            (answer) => answer.status === 200 && (answer.body as { status?: string }).status === 'degraded',
          );
        },
        30_000,
        'both instances to report degraded',
        200,
      );
      // Reads go on, on both instances (each still knows this recent session).
      for (const bff of [instances.a, instances.b]) {
        expect((await call(bff?.url ?? '', `/api/studies/${study.studyId}`, { cookie })).status).toBe(200);
      }
      // Changes wait: 503 with Retry-After, and nothing was written.
      const refused = await describeStudy(nginx.url, cookie, before, 'XR Chest, during the outage');
      expect(refused.status).toBe(503);
      expect(refused.retryAfter).toMatch(/^\d+$/);
      expect((await upstreamStudy(study.studyId)).studyDescription).toBe('XR Chest, before the outage');
      await waitFor(() => hasStatus(stream, 'degraded'), 30_000, 'the stream to say degraded');

      // Redis comes back with nothing in it (this test Redis keeps no files).
      await redis.start();
      await waitFor(
        async () => {
          const ready = await Promise.all([instances.a, instances.b].map((bff) => call(bff?.url ?? '', '/api/ready')));
          return ready.every(
            (answer) => answer.status === 200 && (answer.body as { status?: string }).status === 'ready',
          );
        },
        30_000,
        'both instances to be ready again, without a restart',
        200,
      );
      // The open stream belonged to a session that is gone: it ends (its tab would find it must sign in).
      await within(stream.ended, 30_000, 'the stream of the lost session to end');
      // The session went with Redis's data: 401 (sign in again), on either instance.
      for (const bff of [instances.a, instances.b]) {
        await waitFor(
          async () => (await call(bff?.url ?? '', '/api/me', { cookie })).status === 401,
          30_000,
          'the old session to be gone',
        );
      }
      const again = await signIn(nginx.url);
      for (let index = 0; index < 4; index++)
        expect((await call(nginx.url, '/api/me', { cookie: again })).status).toBe(200);
      // Changes work again, through either instance.
      const changed = await describeStudy(nginx.url, again, before, 'XR Chest, after the outage');
      expect(changed.status).toBe(200);
      // A stream that resumes with an id from before Redis lost its data is told to resync.
      const resumed = await openEventStream(nginx.url, { cookie: again, lastEventId: lastEventId(stream) });
      await waitFor(() => eventsOf(resumed, 'resync').length > 0, 30_000, 'a resync for an id from the lost history');
    },
  );

  it(
    'with Redis persistent (append-only file), sessions survive its restart: nobody signs in again',
    { timeout: STEP_TIMEOUT },
    async () => {
      const persistent = await startRedis({ appendOnly: true });
      extraRedis.push(persistent);
      const bff = await startBffProcess(
        await freePort(),
        instanceEnv('persistent', persistent.url, 'persistent:'),
        90_000,
      );
      extraProcesses.push(bff);
      const session = await signIn(bff.url);
      const study = await createStudy(bff.url, session, 'US Abdomen Complete');
      expect((await call(bff.url, '/api/me', { cookie: session })).status).toBe(200);

      await persistent.stop();
      await persistent.start();
      await waitFor(
        async () => ((await call(bff.url, '/api/ready')).body as { status?: string }).status === 'ready',
        30_000,
        'the instance to be ready again',
        200,
      );
      expect((await call(bff.url, '/api/me', { cookie: session })).status).toBe(200);
      expect((await describeStudy(bff.url, session, study, 'US Abdomen Limited')).status).toBe(200);
    },
  );
});
