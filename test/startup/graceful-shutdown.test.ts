/**
 * SIGTERM (docker stop, a rolling restart) on the real BFF process: the event streams end at once
 * with an SSE `retry:` hint, a request in progress still gets its answer, and the process exits 0
 * within SHUTDOWN_TIMEOUT_SECONDS; a request that outlasts the bound does not keep it alive (exit 1).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startBffProcess, type BffProcess } from '../support/bff-process.ts';
import { freePort } from '../support/free-port.ts';
import { oneStudyAvara, startRecordingUpstream, type RecordingUpstream } from '../support/recording-upstream.ts';
import { openSse } from '../support/sse-client.ts';
import { DEMO_RADIOLOGIST } from '../support/study-fixture.ts';

const KEY = 'graceful-shutdown-key-0123456789';
const STUDY_ID = `stu_${'5d'.repeat(16)}`;

let bff: BffProcess | undefined;
let upstream: RecordingUpstream | undefined;
afterEach(async () => {
  await bff?.kill();
  await upstream?.close();
  bff = undefined;
  upstream = undefined;
});

async function start(slowMs: number, shutdownSeconds: number) {
  // Avara, with a list filtered on "slow" that takes `slowMs` to answer.
  const avara = oneStudyAvara(STUDY_ID);
  upstream = await startRecordingUpstream((request, response) => {
    if (request.url.includes('studyDescription=slow')) setTimeout(() => avara(request, response), slowMs);
    else avara(request, response);
  });
  bff = await startBffProcess(await freePort(), {
    NODE_ENV: 'test',
    AUTH_MODE: 'dev',
    AVARA_API_KEY: KEY,
    AVARA_BASE_URL: upstream.url,
    SHUTDOWN_TIMEOUT_SECONDS: String(shutdownSeconds),
    LOG_LEVEL: 'info',
    DATA_DIR: `/tmp/rw-shutdown-${process.pid}-${Date.now()}`,
  });
  const login = await fetch(`${bff.url}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-csrf': '1' },
    body: JSON.stringify({ username: DEMO_RADIOLOGIST.email }),
  });
  expect(login.status).toBe(200);
  const headers = { cookie: (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '', 'x-csrf': '1' };
  return { bff, upstream, headers };
}

function exitOf(process_: BffProcess): Promise<{ code: number | null; atMs: number }> {
  const { child } = process_;
  if (child.exitCode !== null) return Promise.resolve({ code: child.exitCode, atMs: Date.now() });
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, atMs: Date.now() })));
}

async function untilUpstreamHas(recording: RecordingUpstream, part: string): Promise<void> {
  for (let waited = 0; !recording.requests.some((request) => request.url.includes(part)); waited += 20) {
    if (waited > 5_000) throw new Error(`The upstream never received ${part}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('SIGTERM', () => {
  it('ends the event streams with a retry hint, finishes the request in progress, and exits 0 within the bound', async () => {
    const { bff: running, upstream: avara, headers } = await start(1_500, 5);
    const streams = await Promise.all([
      openSse(`${running.url}/api/events`, headers),
      openSse(`${running.url}/api/events`, headers),
    ]);
    for (const stream of streams) {
      expect(stream.status).toBe(200);
      await stream.waitFor((message) => message.event === 'stream.status');
    }
    const slow = fetch(`${running.url}/api/studies?studyDescription=slow`, { headers });
    await untilUpstreamHas(avara, 'studyDescription=slow');

    const exited = exitOf(running);
    const signalledAt = Date.now();
    running.child.kill('SIGTERM');

    // The streams end first, each with a `retry:` line, while the request is still waiting on Avara.
    for (const stream of streams) {
      await stream.ended;
      expect(stream.messages.at(-1)).toMatchObject({ retry: '1000' });
    }
    const answer = await slow;
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as { studies: unknown[] }).studies).toHaveLength(1);
    const { code, atMs } = await exited;
    expect(code, running.output().slice(-3000)).toBe(0);
    expect(atMs - signalledAt).toBeLessThan(5_000);
    expect(running.output()).toContain('"msg":"shutting down"');
  });

  it('exits 1 once SHUTDOWN_TIMEOUT_SECONDS have passed, whatever is still running', async () => {
    const { bff: running, upstream: avara, headers } = await start(8_000, 1);
    const slow = fetch(`${running.url}/api/studies?studyDescription=slow`, { headers }).then(
      (answer) => answer.status,
      () => 'cut',
    );
    await untilUpstreamHas(avara, 'studyDescription=slow');
    const exited = exitOf(running);
    const signalledAt = Date.now();
    running.child.kill('SIGTERM');
    const { code, atMs } = await exited;
    expect(code).toBe(1);
    expect(atMs - signalledAt).toBeGreaterThanOrEqual(900);
    expect(atMs - signalledAt).toBeLessThan(3_000);
    expect(await slow).toBe('cut');
  });
});
