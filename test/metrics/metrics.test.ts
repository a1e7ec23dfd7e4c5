/**
 * GET /metrics on the real BFF process: after some traffic, an event stream, a lease and a PACS sync
 * against a real Orthanc, every metric of docs/deploy.md ("Metrics") is there with a sensible value;
 * without the token, or on the public port when METRICS_PORT is set, or with neither setting, it is
 * refused. With Redis, two instances report the same worklist-wide session count.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bffProcessGroup, signInOverHttp, type BffProcess } from '../support/bff-process.ts';
import { freePort } from '../support/free-port.ts';
import {
  createOrthancStudy,
  demoStudySpec,
  startOrthanc,
  waitFor,
  type CreatedStudy,
  type RunningOrthanc,
} from '../support/orthanc.ts';
import { startRedis, type RunningRedis } from '../support/redis.ts';
import { openSse, type SseClient } from '../support/sse-client.ts';

const COORDINATOR = 'laura.bennett@stmarys-radiology.example';
const TOKEN = 'metrics-token-for-the-test-0123456789';
const RATE_LIMIT = 30;

let orthanc: RunningOrthanc;
let redis: RunningRedis;
const bffs = bffProcessGroup('rw-metrics-');
const signIn = (url: string) => signInOverHttp(url, COORDINATOR);

beforeAll(async () => {
  [orthanc, redis] = await Promise.all([startOrthanc({ stableAgeSeconds: 1 }), startRedis()]);
});

afterAll(async () => {
  await bffs.dispose();
  await orthanc?.dispose();
  await redis?.dispose();
});

async function start(env: Record<string, string>): Promise<BffProcess> {
  return bffs.start(await freePort(), { DATA_DIR: bffs.dataDir(), ...env });
}

/** One sample of the exposition format: its name, labels and value. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`Not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[pair[1] ?? ''] = pair[2] ?? '';
    samples.push({ name: match[1] ?? '', labels, value: Number(match[3]) });
  }
  return samples;
}

/** The value of the one sample with this name whose labels include `labels`, or undefined. */
function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const found = samples.filter(
    (sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  );
  if (found.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} matches ${found.length} samples`);
  return found[0]?.value;
}

function sumOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter(
      (sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
    )
    .reduce((total, sample) => total + sample.value, 0);
}

async function scrape(url: string, token?: string): Promise<Sample[]> {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const response = await fetch(`${url}/metrics`, { headers });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(await response.text());
}

describe('GET /metrics behind METRICS_TOKEN, after traffic and a PACS sync', () => {
  let bff: BffProcess;
  let cookie: string;
  let arrival: CreatedStudy;
  let stream: SseClient | undefined;

  beforeAll(async () => {
    bff = await start({
      ORTHANC_URL: orthanc.url,
      ORTHANC_SYNC_INTERVAL_MS: '200',
      METRICS_TOKEN: TOKEN,
      RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT),
    });
    cookie = await signIn(bff.url);
  });

  afterAll(() => stream?.close());

  it('refuses a scrape without the token, or with a wrong one, as a problem (401)', async () => {
    const attempts: Array<Record<string, string>> = [
      {},
      { authorization: 'Bearer wrong-token-of-the-same-sort-0123' },
      { authorization: `Basic ${TOKEN}` },
    ];
    for (const headers of attempts) {
      const response = await fetch(`${bff.url}/metrics`, { headers });
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(await response.text()).not.toContain('worklist_');
    }
  });

  it('reports each metric with a sensible value', async () => {
    const api = { cookie, 'x-csrf': '1' };
    // A study arrives in the PACS and the sync puts it on the worklist.
    arrival = await createOrthancStudy(orthanc, {
      ...demoStudySpec(1),
      series: 1,
      instancesPerSeries: 1,
      imageSize: 32,
    });
    await waitFor(
      async () =>
        (await fetch(`${bff.url}/api/studies/by-uid/${arrival.studyInstanceUid}`, { headers: api })).status === 200,
      30_000,
      'the PACS arrival on the worklist',
      250,
    );
    const list = await fetch(`${bff.url}/api/studies?limit=5`, { headers: api });
    expect(list.status).toBe(200);
    const page: unknown = await list.json();
    const studyId =
      typeof page === 'object' && page !== null && 'studies' in page && Array.isArray(page.studies)
        ? String(page.studies[0]?.studyId)
        : '';
    expect((await fetch(`${bff.url}/api/studies/${studyId}`, { headers: api })).status).toBe(200);
    expect(
      (
        await fetch(`${bff.url}/api/studies/${studyId}/lease`, {
          method: 'POST',
          headers: { ...api, 'content-type': 'application/json' },
          body: '{}',
        })
      ).status,
    ).toBe(200);
    expect((await fetch(`${bff.url}/api/no-such-route/${studyId}`, { headers: api })).status).toBe(404);
    stream = await openSse(`${bff.url}/api/events`, api);
    expect(stream.status).toBe(200);
    // Past the limit for callers not signed in: refusals.
    let refused = 0;
    for (let i = 0; i < RATE_LIMIT + 5; i++) if ((await fetch(`${bff.url}/api/health`)).status === 429) refused++;
    expect(refused).toBeGreaterThan(0);

    // The sync follows changes Orthanc records after the study's (StablePatient): caught up within a few polls.
    await waitFor(
      async () => valueOf(await scrape(bff.url, TOKEN), 'worklist_pacs_sync_lag_changes') === 0,
      10_000,
      'the PACS sync to catch up',
      200,
    );
    const samples = await scrape(bff.url, TOKEN);

    // Request latency per route pattern, never per raw URL.
    expect(
      valueOf(samples, 'worklist_http_request_duration_seconds_count', {
        method: 'GET',
        route: '/api/studies/:studyId',
        status: '200',
      }),
    ).toBe(1);
    expect(
      valueOf(samples, 'worklist_http_request_duration_seconds_count', {
        method: 'POST',
        route: '/api/studies/:studyId/lease',
        status: '200',
      }),
    ).toBe(1);
    expect(
      valueOf(samples, 'worklist_http_request_duration_seconds_count', {
        method: 'GET',
        route: '(unmatched)',
        status: '404',
      }),
    ).toBe(1);
    expect(sumOf(samples, 'worklist_http_request_duration_seconds_sum')).toBeGreaterThan(0);
    expect(samples.some((sample) => Object.values(sample.labels).some((value) => value.includes(studyId)))).toBe(false);

    // Upstream latency per upstream and operation; Orthanc's feed was read, Avara was asked.
    expect(
      valueOf(samples, 'worklist_upstream_request_duration_seconds_count', {
        upstream: 'avara',
        operation: 'retrieveStudy',
        outcome: '200',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      valueOf(samples, 'worklist_upstream_request_duration_seconds_count', {
        upstream: 'avara',
        operation: 'createStudy',
        outcome: '200',
      }),
    ).toBe(1);
    expect(
      valueOf(samples, 'worklist_upstream_request_duration_seconds_count', {
        upstream: 'orthanc',
        operation: 'changes',
        outcome: '200',
      }),
    ).toBeGreaterThanOrEqual(1);

    // The PACS sync: its position in Orthanc's feed, Orthanc's newest change, no lag once caught up.
    const position = valueOf(samples, 'worklist_pacs_sync_position') ?? 0;
    expect(position).toBeGreaterThan(0);
    expect(valueOf(samples, 'worklist_pacs_sync_orthanc_last_change')).toBeGreaterThanOrEqual(position);
    expect(valueOf(samples, 'worklist_pacs_sync_lag_changes')).toBe(0);
    expect(valueOf(samples, 'worklist_pacs_arrivals_total', { outcome: 'created' })).toBe(1);
    expect(valueOf(samples, 'worklist_pacs_arrivals_total', { outcome: 'rejected' })).toBe(0);

    // This instance's event streams; the shared state's sessions and leases.
    expect(valueOf(samples, 'worklist_event_stream_clients')).toBe(1);
    expect(valueOf(samples, 'worklist_sessions_active')).toBe(1);
    expect(valueOf(samples, 'worklist_reading_leases_active')).toBe(1);
    expect(valueOf(samples, 'worklist_shared_state_up', { kind: 'in-process' })).toBe(1);

    // Rate-limit refusals by route; audit lines by action.
    expect(valueOf(samples, 'worklist_rate_limit_refusals_total', { route: '/api/health' })).toBe(refused);
    expect(valueOf(samples, 'worklist_audit_lines_total', { action: 'study.list', outcome: 'ok' })).toBe(1);
    expect(valueOf(samples, 'worklist_audit_lines_total', { action: 'session.sign-in', outcome: 'ok' })).toBe(1);
    expect(valueOf(samples, 'worklist_audit_lines_total', { action: 'events.stream', outcome: 'ok' })).toBe(1);

    // The process's own figures (prom-client's defaults).
    expect(valueOf(samples, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('counts upstream errors when Orthanc is down, and the stream client once it left', async () => {
    stream?.close();
    await orthanc.stop();
    try {
      await waitFor(
        async () =>
          sumOf(await scrape(bff.url, TOKEN), 'worklist_upstream_errors_total', {
            upstream: 'orthanc',
            operation: 'changes',
            kind: 'unavailable',
          }) >= 1,
        15_000,
        'an Orthanc error counted',
        250,
      );
      const samples = await scrape(bff.url, TOKEN);
      expect(sumOf(samples, 'worklist_upstream_errors_total', { upstream: 'avara' })).toBe(0);
      expect(valueOf(samples, 'worklist_event_stream_clients')).toBe(0);
    } finally {
      await orthanc.start();
    }
  });
});

describe('where /metrics is served', () => {
  it('with neither METRICS_PORT nor METRICS_TOKEN: nowhere (404 on the public port)', async () => {
    const bff = await start({});
    const response = await fetch(`${bff.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    // Like any address the app does not have: the app's "not found" page when the SPA is built, else a problem.
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain('worklist_');
    await bff.stop();
  });

  it('with METRICS_PORT: on that port only, the token checked there when set; with Redis both instances count the same sessions', async () => {
    const shared = { REDIS_URL: redis.url, SHARED_STATE_KEY_PREFIX: `metrics-${Date.now()}:` };
    const [portA, portB] = [await freePort(), await freePort()];
    const a = await start({ ...shared, METRICS_PORT: String(portA) });
    const b = await start({ ...shared, METRICS_PORT: String(portB), METRICS_TOKEN: TOKEN });
    const metricsA = `http://127.0.0.1:${portA}`;
    const metricsB = `http://127.0.0.1:${portB}`;

    // Not on the public port, whatever is sent.
    for (const url of [a.url, b.url]) {
      const response = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(response.status).toBe(404);
      expect(await response.text()).not.toContain('worklist_');
    }
    // The metrics port serves nothing else.
    expect((await fetch(`${metricsA}/api/health`)).status).toBe(404);
    // The token is required on B's metrics port.
    expect((await fetch(`${metricsB}/metrics`)).status).toBe(401);

    await signIn(a.url);
    await signIn(b.url);
    await signIn(b.url);
    const [samplesA, samplesB] = await Promise.all([scrape(metricsA), scrape(metricsB, TOKEN)]);
    // Computed from the shared store at scrape time: the same worklist-wide figure on both.
    expect(valueOf(samplesA, 'worklist_sessions_active')).toBe(3);
    expect(valueOf(samplesB, 'worklist_sessions_active')).toBe(3);
    expect(valueOf(samplesA, 'worklist_shared_state_up', { kind: 'redis' })).toBe(1);
    // Counters are each instance's own.
    expect(valueOf(samplesA, 'worklist_audit_lines_total', { action: 'session.sign-in', outcome: 'ok' })).toBe(1);
    expect(valueOf(samplesB, 'worklist_audit_lines_total', { action: 'session.sign-in', outcome: 'ok' })).toBe(2);
    await Promise.all([a.stop(), b.stop()]);
  });
});
