/**
 * Access is a property of the matched route: every route the server registers (read from the
 * server, not listed here) is called without a session and without X-CSRF, by its canonical path
 * and by generated spellings of it (percent-encoding in either hex case, doubled and trailing
 * slashes, `;`-parameters, dot segments, mixed-case fixed segments). Each spelling must answer
 * what the canonical path answers, and nothing may reach the upstreams.
 */
import { Agent, request as httpRequest } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateWebhookKey } from '../../src/bff/webhooks/webhook-keys.ts';
import { startEmbeddedAvara, type EmbeddedAvara } from '../../src/bff/services/embedded-avara.ts';
import { buildPacsBff } from '../pacs/pacs-harness.ts';
import { json, oneStudyAvara, startRecordingUpstream, type RecordingUpstream } from '../support/recording-upstream.ts';

const STUDY_ID = `stu_${'5e'.repeat(16)}`;
const UID = '1.2.840.113619.2.55.3.1';
const ORTHANC_ID = 'aaaaaaaa-bbbbbbbb-cccccccc-dddddddd-eeeeeeee';

/** A valid value for each path parameter a route may declare; a new parameter name must be added here. */
const PARAMETER_SAMPLES: Record<string, string> = {
  studyId: STUDY_ID,
  customerId: 'cus_0123456789abcdef0123456789abcdef',
  studyInstanceUid: UID,
  uid: UID,
  instanceId: ORTHANC_ID,
  viewId: 'viw_0123456789abcdef01234567',
  reportId: 'rpt_0123456789abcdef0123456789abcdef',
  '*': `series/${ORTHANC_ID}`,
};

let avara: RecordingUpstream;
let orthanc: RecordingUpstream;
let embedded: EmbeddedAvara;
let folder: string;
const apps: Record<'dev' | 'proxy', FastifyInstance | undefined> = { dev: undefined, proxy: undefined };

beforeAll(async () => {
  avara = await startRecordingUpstream(oneStudyAvara(STUDY_ID));
  orthanc = await startRecordingUpstream(json(200, []));
  folder = mkdtempSync(join(tmpdir(), 'route-access-'));
  const spaRoot = join(folder, 'dist');
  mkdirSync(join(spaRoot, 'assets'), { recursive: true });
  writeFileSync(join(spaRoot, 'index.html'), '<!doctype html><html><head></head><body></body></html>');
  writeFileSync(join(spaRoot, 'assets', 'app.js'), 'export {};');
  embedded = await startEmbeddedAvara({
    databasePath: join(folder, 'avara.sqlite'),
    demoStudies: 0,
    launchBaseUrl: undefined,
    launchTtlSeconds: 60,
  });
  for (const mode of ['dev', 'proxy'] as const) {
    const { app } = await buildPacsBff({
      avaraUrl: avara.url,
      apiKey: 'route-access-key-0123456789',
      orthancUrl: orthanc.url,
      viewer: true,
      spaRoot,
      extraRoutes: embedded.launchRoutes,
      webhooks: {
        keys: [generateWebhookKey()],
        events: ['*'],
        dicomUrlTtlSeconds: 600,
        publicUrl: () => 'http://localhost',
      },
      env: {
        AUTH_MODE: mode,
        ...(mode === 'proxy' ? { TRUSTED_PROXIES: '127.0.0.1' } : {}),
        RATE_LIMIT_PER_MINUTE: '100000',
      },
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    apps[mode] = app;
  }
});

afterAll(async () => {
  agent.destroy();
  for (const app of Object.values(apps)) await app?.close();
  await embedded.close();
  await avara.close();
  await orthanc.close();
  rmSync(folder, { recursive: true, force: true });
});

function appFor(mode: 'dev' | 'proxy'): FastifyInstance {
  const app = apps[mode];
  if (!app) throw new Error(`no ${mode} app`);
  return app;
}

interface Segment {
  text: string;
  /** A fixed segment of the route's pattern (its letter case does not matter); parameters keep theirs. */
  fixed: boolean;
}

/** The route's pattern with each parameter replaced by a valid sample. */
function canonicalSegments(pattern: string): Segment[] {
  return pattern
    .split('/')
    .filter(Boolean)
    .flatMap((part): Segment[] => {
      if (part === '*') return PARAMETER_SAMPLES['*']!.split('/').map((text) => ({ text, fixed: false }));
      if (!part.startsWith(':')) return [{ text: part, fixed: true }];
      const sample = PARAMETER_SAMPLES[part.slice(1)];
      if (!sample) throw new Error(`No sample value for the path parameter ${part} of ${pattern}`);
      return [{ text: sample, fixed: false }];
    });
}

const pathOf = (segments: Segment[]) => `/${segments.map((segment) => segment.text).join('/')}`;

/** One spelling of the same path: every step is one an attacker might try. */
type Step =
  | { kind: 'encode'; at: number; upper: boolean }
  | { kind: 'double-slash'; at: number }
  | { kind: 'trailing-slash' }
  | { kind: 'semicolon'; at: number }
  | { kind: 'dot'; at: number }
  | { kind: 'dot-dot'; at: number }
  | { kind: 'case'; at: number; mask: number };

const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('encode' as const), at: fc.nat(), upper: fc.boolean() }),
  fc.record({ kind: fc.constant('double-slash' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('trailing-slash' as const) }),
  fc.record({ kind: fc.constant('semicolon' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('dot' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('dot-dot' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('case' as const), at: fc.nat(), mask: fc.nat() }),
);

/** Applies the steps: case and segment-level steps first, then percent-encoding of any character of the result. */
function spell(segments: Segment[], steps: Step[]): string {
  const parts = segments.map((segment) => ({ ...segment }));
  let trailing = false;
  const separators = parts.map(() => '/');
  for (const step of steps) {
    if (parts.length === 0) break;
    const index = 'at' in step ? step.at % parts.length : 0;
    const part = parts[index]!;
    switch (step.kind) {
      case 'case':
        if (part.fixed)
          part.text = [...part.text]
            .map((character, i) => ((step.mask >> (i % 30)) & 1 ? character.toUpperCase() : character))
            .join('');
        break;
      case 'double-slash':
        separators[index] += '/';
        break;
      case 'trailing-slash':
        trailing = true;
        break;
      case 'semicolon':
        part.text += ';jsessionid=x';
        break;
      case 'dot':
        separators[index] += './';
        break;
      case 'dot-dot':
        separators[index] += 'elsewhere/../';
        break;
      default:
        break;
    }
  }
  // Units: characters, or escapes already made; an escape is never encoded again (that would be a
  // different path, double-encoded), nor is the leading slash (a request target starts with one).
  const units = [...(parts.map((part, i) => `${separators[i]}${part.text}`).join('') + (trailing ? '/' : '') || '/')];
  for (const step of steps) {
    if (step.kind !== 'encode' || units.length < 2) continue;
    const at = 1 + (step.at % (units.length - 1));
    const unit = units[at]!;
    if (unit.length !== 1) continue;
    const hex = unit.charCodeAt(0).toString(16).padStart(2, '0');
    units[at] = `%${step.upper ? hex.toUpperCase() : hex.toLowerCase()}`;
  }
  return units.join('');
}

const agent = new Agent({ keepAlive: true, maxSockets: 8 });

/**
 * Sends the request target exactly as written, over a real socket: an in-process inject would
 * parse it as a WHATWG URL first (resolving dot segments, reading `//x` as a host), which is not
 * what a client on the network sends.
 */
function send(
  app: FastifyInstance,
  method: string,
  target: string,
  headers: Record<string, string> = {},
): Promise<{ statusCode: number; body: string }> {
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('the app is not listening');
  const body = method === 'GET' || method === 'HEAD' ? undefined : JSON.stringify({ studyInstanceUids: [UID] });
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        agent,
        host: '127.0.0.1',
        port: address.port,
        method,
        path: target,
        headers: {
          ...headers,
          ...(body ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } : {}),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ statusCode: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

describe.each(['dev', 'proxy'] as const)('every registered route in %s mode', (mode) => {
  it('is declared with an access rule, and the catalog lists the routes of every part of the product', () => {
    const catalog = appFor(mode).routeCatalog;
    expect(catalog.every((route) => route.access !== undefined)).toBe(true);
    const urls = new Set(catalog.map((route) => route.url));
    for (const expected of [
      '/api/studies',
      '/api/users',
      '/api/pacs/context',
      '/web-viewer/*',
      '/instances/:instanceId/file',
      '/launch/:studyId',
      '/auth/logout',
      '/webhooks/avara',
      '/dicom-files/:instanceId',
      '/*',
    ]) {
      expect(urls, expected).toContain(expected);
    }
  });

  it('answers every spelling of a protected path as it answers the path itself, and nothing reaches upstream', async () => {
    const app = appFor(mode);
    const protectedRoutes = app.routeCatalog.filter((route) => route.access !== 'public');
    expect(protectedRoutes.length).toBeGreaterThan(15);
    for (const route of protectedRoutes) {
      avara.requests.length = 0;
      orthanc.requests.length = 0;
      const segments = canonicalSegments(route.url);
      const canonical = await send(app, route.method, pathOf(segments));
      const label = `${route.method} ${route.url}`;
      expect([401, 403, 404], label).toContain(canonical.statusCode);
      await fc.assert(
        fc.asyncProperty(fc.array(stepArbitrary, { minLength: 1, maxLength: 5 }), async (steps) => {
          const url = spell(segments, steps);
          const response = await send(app, route.method, url);
          expect(response.statusCode, `${label} as ${url}`).toBe(canonical.statusCode);
        }),
        { numRuns: 40 },
      );
      expect(avara.requests, label).toEqual([]);
      expect(orthanc.requests, label).toEqual([]);
    }
  });

  it('never fails with a 5xx on a spelling of a public path', async () => {
    const app = appFor(mode);
    for (const route of app.routeCatalog.filter((entry) => entry.access === 'public' && entry.url !== '/api/ready')) {
      const segments = canonicalSegments(route.url);
      await fc.assert(
        fc.asyncProperty(fc.array(stepArbitrary, { minLength: 1, maxLength: 4 }), async (steps) => {
          const response = await send(app, route.method, spell(segments, steps), { 'x-csrf': '1' });
          expect(response.statusCode, `${route.method} ${route.url}`).toBeLessThan(500);
        }),
        { numRuns: 10 },
      );
    }
  });
});

describe('the spellings reported', () => {
  it.each([
    ['GET', '/%61pi/users'],
    ['GET', '/%61pi/worklist/counts'],
    ['GET', '/%61pi/studies'],
    ['POST', '/%61pi/pacs/context'],
    ['POST', '/%61uth/logout'],
    ['GET', '/API/users'],
    ['GET', '/api//users/'],
    ['GET', '/api/./users;x=1'],
  ] as const)('%s %s is refused like the plain path', async (method, url) => {
    avara.requests.length = 0;
    const response = await send(appFor('dev'), method, url);
    expect([401, 403]).toContain(response.statusCode);
    expect(avara.requests).toEqual([]);
  });
});
