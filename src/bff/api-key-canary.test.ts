import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_COORDINATOR, studyFixture } from '../../test/support/study-fixture.ts';
import {
  json,
  startRecordingUpstream,
  withUsers,
  type RecordingUpstream,
} from '../../test/support/recording-upstream.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CANARY = `canary-${randomUUID()}`;
const STUDY_ID = `stu_${'ab'.repeat(16)}`;
const STUDY = studyFixture(STUDY_ID, { studyInstanceUid: '1.2.3.4', studyDescription: 'CT Chest', severity: 'high' });

let upstream: RecordingUpstream;
let server: ChildProcess;
let baseUrl: string;
let logs = '';

beforeAll(async () => {
  // Vary the answers so error paths are exercised too, each of which could leak the key.
  upstream = await startRecordingUpstream(
    withUsers((request, response) => {
      if (request.url.includes('reroute-url'))
        return json(200, { url: 'https://viewer.example/launch?t=1' })(request, response);
      // An error that echoes the request's headers (the key among them) in its message and param.
      if (request.url.includes('/cancel')) {
        const echoed = JSON.stringify(request.headers);
        return json(409, {
          error: { type: 'conflict', message: `already cancelled; you sent ${echoed}`, param: echoed },
        })(request, response);
      }
      if (request.method === 'PATCH')
        return json(500, { error: { type: 'internal_error', message: 'boom' } })(request, response);
      if (request.url.includes('by-uid'))
        return json(404, { error: { type: 'not_found', message: 'no such UID' } })(request, response);
      if (request.url.startsWith('/v1/viewer/studies?'))
        return json(200, { studies: [STUDY], hasMore: false, cursor: null })(request, response);
      return json(200, STUDY)(request, response);
    }),
  );

  server = spawn(process.execPath, ['src/bff/server.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'development',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'trace',
      AVARA_API_KEY: CANARY,
      AVARA_BASE_URL: upstream.url,
      UPSTREAM_RETRIES: '0',
      VIEWER_ORIGINS: 'https://viewer.example',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout?.on('data', (chunk: Buffer) => (logs += chunk.toString()));
  server.stderr?.on('data', (chunk: Buffer) => (logs += chunk.toString()));
  baseUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`The BFF did not start:\n${logs}`)), 20_000);
    const poll = setInterval(() => {
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(logs);
      if (match?.[1]) {
        clearInterval(poll);
        clearTimeout(timer);
        resolve(match[1]);
      }
    }, 50);
  });
});

afterAll(async () => {
  server?.kill('SIGTERM');
  await upstream?.close();
});

describe('the Avara API key never leaves the BFF', () => {
  it('is sent to the upstream, and appears in no response, header or log line', async () => {
    const calls: Array<[string, string, unknown?]> = [
      ['GET', '/api/studies?severity=stat&limit=5'],
      ['GET', `/api/studies/${STUDY_ID}`],
      ['GET', '/api/studies/by-uid/1.2.3.4'],
      ['POST', '/api/studies', { severity: 'stat', studyDescription: 'CT Head', studyInstanceUid: '1.2.3.5' }],
      ['PATCH', `/api/studies/${STUDY_ID}`, { severity: 'normal' }],
      ['POST', `/api/studies/${STUDY_ID}/cancel`],
      ['POST', `/api/studies/${STUDY_ID}/uncancel`],
      ['POST', `/api/studies/${STUDY_ID}/viewer-url`],
      ['GET', '/api/studies?limit=0'],
      ['GET', '/api/ready'],
      ['GET', '/api/health'],
      ['GET', '/api/me'],
      ['GET', '/api/users'],
      ['GET', '/auth/config'],
      ['POST', '/auth/logout'],
      ['GET', '/api/unknown'],
      ['GET', '/'],
    ];
    const login = await fetch(`${baseUrl}/auth/login`, {
      method: 'POST',
      headers: { 'x-csrf': '1', 'content-type': 'application/json' },
      body: JSON.stringify({ username: DEMO_COORDINATOR.email }),
    });
    expect(login.status).toBe(200);
    const cookie = login.headers.get('set-cookie')?.split(';')[0] ?? '';
    const statuses: number[] = [];
    for (const [method, path, body] of calls) {
      const response = await fetch(baseUrl + path, {
        method,
        headers: { 'x-csrf': '1', cookie, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      statuses.push(response.status);
      const text = await response.text();
      expect(text, `${method} ${path} body`).not.toContain(CANARY);
      for (const [name, value] of response.headers)
        expect(`${name}: ${value}`, `${method} ${path} header`).not.toContain(CANARY);
    }
    // The calls did reach their error paths, which are the likeliest to leak.
    expect(statuses).toEqual(expect.arrayContaining([200, 201, 400, 404, 409, 502]));

    expect(upstream.requests.length).toBeGreaterThan(5);
    for (const request of upstream.requests) expect(request.headers.authorization).toBe(`Bearer ${CANARY}`);

    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).not.toContain(CANARY);
  });

  it('is absent from the built SPA even when the build runs with the key in its environment', () => {
    const outDir = mkdtempSync(join(tmpdir(), 'canary-dist-'));
    const build = spawnSync(
      join(ROOT, 'node_modules/.bin/vite'),
      ['build', '--outDir', outDir, '--logLevel', 'error'],
      {
        cwd: ROOT,
        env: { ...process.env, AVARA_API_KEY: CANARY },
        encoding: 'utf8',
      },
    );
    expect(build.status, build.stderr).toBe(0);
    const files = listFiles(outDir);
    expect(files.length).toBeGreaterThan(1);
    for (const file of files) expect(readFileSync(file, 'latin1'), file).not.toContain(CANARY);
  }, 120_000);
});

function listFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}
