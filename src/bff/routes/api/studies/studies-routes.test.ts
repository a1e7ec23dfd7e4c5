import { brotliCompressSync, brotliDecompressSync, gzipSync } from 'node:zlib';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_COORDINATOR,
  DEMO_RADIOLOGIST,
  studyFixture,
  usersPageFixture,
} from '../../../../../test/support/study-fixture.ts';
import {
  json,
  startRecordingUpstream,
  type RecordingUpstream,
} from '../../../../../test/support/recording-upstream.ts';
import { buildTestBff, signIn, spaRootWith, useBffOverUpstream } from '../../../../../test/support/test-bff.ts';

const KEY = 'test-key-0123456789';
const ASSET = `export const rows = [${Array.from({ length: 400 }, (_, index) => `"row ${index}"`).join(',')}];\n`;
const STUDY_ID = `stu_${'0123456789abcdef'.repeat(2)}`;
const STUDY = studyFixture(STUDY_ID);

let upstream: RecordingUpstream;
let app: FastifyInstance;
let coordinator: Record<string, string>;
let radiologist: Record<string, string>;
const auditLines: string[] = [];

/** An API call as the signed-in coordinator (unless the options' headers say otherwise). */
function api(options: InjectOptions) {
  return app.inject({ ...options, headers: { ...coordinator, ...options.headers } });
}

const rig = useBffOverUpstream(
  () => ({
    apiKey: KEY,
    timeoutMs: 500,
    spaRoot: spaRootWith({
      'index.html': '<!doctype html><html><head><title>Radiology Worklist</title></head><body></body></html>',
      'assets/app-0123.js': ASSET,
      'assets/app-0123.js.br': brotliCompressSync(ASSET),
      'assets/app-0123.js.gz': gzipSync(ASSET),
    }),
    auditLines,
  }),
  () => json(200, STUDY),
);
beforeAll(() => ({ upstream, app, coordinator, radiologist } = rig));

describe('forwarding to the upstream', () => {
  it('lists with the same query names, the bearer key, and passes the page through', async () => {
    const page = { studies: [STUDY], hasMore: true, cursor: 'abc' };
    upstream.respond(json(200, page));
    const response = await api({ url: '/api/studies?severity=stat&limit=5&assignedTo=' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual(page);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(upstream.requests).toHaveLength(1);
    const [sent] = upstream.requests;
    expect(sent?.method).toBe('GET');
    expect(new URL(sent?.url ?? '', upstream.url).pathname).toBe('/v1/viewer/studies');
    expect(Object.fromEntries(new URL(sent?.url ?? '', upstream.url).searchParams)).toEqual({
      severity: 'stat',
      limit: '5',
      assignedTo: '',
    });
    expect(sent?.headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it('creates with 201 and a Location header', async () => {
    const body = { severity: 'high', studyDescription: 'MRI Brain', studyInstanceUid: '1.2.3.4' };
    const response = await api({ method: 'POST', url: '/api/studies', payload: body });
    expect(response.statusCode).toBe(201);
    expect(response.headers.location).toBe(`/api/studies/${STUDY_ID}`);
    expect(JSON.parse(upstream.requests[0]?.body ?? '')).toEqual(body);
  });

  it('updates with null to unassign', async () => {
    const response = await api({ method: 'PATCH', url: `/api/studies/${STUDY_ID}`, payload: { assignedTo: null } });
    expect(response.statusCode).toBe(200);
    // The current study is read first (role rules and the audit line need it), then patched.
    expect(upstream.requests.map((request) => request.method)).toEqual(['GET', 'PATCH']);
    expect(upstream.requests[1]?.url).toBe(`/v1/viewer/studies/${STUDY_ID}`);
    expect(JSON.parse(upstream.requests[1]?.body ?? '')).toEqual({ assignedTo: null });
  });

  it.each([
    ['cancel', '/v1/viewer/studies/cancel'],
    ['uncancel', '/v1/viewer/studies/uncancel'],
    ['viewer-url', '/v1/viewer/studies/reroute-url'],
  ])('%s names the study in the upstream body', async (action, upstreamPath) => {
    upstream.respond(json(200, action === 'viewer-url' ? { url: 'https://viewer.example/x' } : { success: true }));
    const response = await api({ method: 'POST', url: `/api/studies/${STUDY_ID}/${action}` });
    expect(response.statusCode).toBe(200);
    expect(upstream.requests[0]?.url).toBe(upstreamPath);
    expect(JSON.parse(upstream.requests[0]?.body ?? '')).toEqual({ studyId: STUDY_ID });
  });

  it('retrieves by UID', async () => {
    const response = await api({ url: '/api/studies/by-uid/1.2.840.113619.2.55.3.1' });
    expect(response.statusCode).toBe(200);
    expect(upstream.requests[0]?.url).toBe('/v1/viewer/studies/by-uid/1.2.840.113619.2.55.3.1');
  });
});

describe('bad input is refused before any upstream call', () => {
  const tooManyPairs = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`key${i}`, 'value']));
  const create = { severity: 'normal', studyDescription: 'XR Chest', studyInstanceUid: '1.2.3' };

  it.each([
    ['limit=0', 'GET', '/api/studies?limit=0', undefined, 'limit'],
    ['limit=101', 'GET', '/api/studies?limit=101', undefined, 'limit'],
    ['severity=urgent', 'GET', '/api/studies?severity=urgent', undefined, 'severity'],
    ['an unknown parameter', 'GET', '/api/studies?sort=desc', undefined, 'sort'],
    ['a malformed studyId', 'GET', '/api/studies/stu_1234', undefined, 'studyId'],
    ['a malformed studyId on PATCH', 'PATCH', '/api/studies/stu_XYZ', { severity: 'stat' }, 'studyId'],
    ['a malformed studyId on cancel', 'POST', '/api/studies/x.y/cancel', undefined, 'studyId'],
    ['51 metadata pairs', 'POST', '/api/studies', { ...create, metadata: tooManyPairs }, 'metadata'],
    ['51 metadata pairs on PATCH', 'PATCH', `/api/studies/${STUDY_ID}`, { metadata: tooManyPairs }, 'metadata'],
    [
      'a 101-character metadata key',
      'POST',
      '/api/studies',
      { ...create, metadata: { ['k'.repeat(101)]: 'v' } },
      'metadata',
    ],
    ['a UID with letters', 'POST', '/api/studies', { ...create, studyInstanceUid: '1.2.abc' }, 'studyInstanceUid'],
    ['a UID with letters by path', 'GET', '/api/studies/by-uid/1.2.abc', undefined, 'studyInstanceUid'],
    ['an unknown field', 'PATCH', `/api/studies/${STUDY_ID}`, { colour: 'red' }, 'colour'],
  ] as const)('%s', async (_case, method, url, payload, field) => {
    const response = await api({ method, url, ...(payload ? { payload } : {}) });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    const problem = response.json();
    expect(problem).toMatchObject({
      type: '/problems/invalid-request',
      status: 400,
      title: 'The request is not valid',
    });
    expect(problem.issues.map((issue: { name: string }) => issue.name)).toContain(field);
    expect(problem.detail).toEqual(expect.any(String));
    expect(upstream.requests).toHaveLength(0);
  });

  it.each([
    ['GET', '/api/studies/..%2F..%2Fx'],
    ['PATCH', '/api/studies/..%2F..%2Fx'],
    ['POST', '/api/studies/..%2F..%2Fx/cancel'],
  ] as const)(
    '%s %s: a path that leaves its route is no route at all (404), and nothing reaches upstream',
    async (method, url) => {
      const response = await api({ method, url, ...(method === 'GET' ? {} : { payload: { severity: 'stat' } }) });
      expect(response.statusCode).toBe(404);
      expect(upstream.requests).toHaveLength(0);
    },
  );

  it('answers malformed JSON with a 400 problem', async () => {
    const response = await api({
      method: 'POST',
      url: '/api/studies',
      headers: { 'content-type': 'application/json' },
      payload: '{"severity": ',
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.body).not.toMatch(/at .*\.js:\d+/);
    expect(upstream.requests).toHaveLength(0);
  });
});

describe('upstream faults become clear problems', () => {
  it("answers 404 and 409 in its own words, not the upstream's", async () => {
    upstream.respond(json(404, { error: { type: 'not_found', message: `No study ${STUDY_ID} (shard 7)` } }));
    const missing = await api({ url: `/api/studies/${STUDY_ID}` });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({
      type: '/problems/not-found',
      title: 'Study not found',
      detail: 'No such study.',
    });

    upstream.respond(json(409, { error: { type: 'conflict', message: 'Study is already cancelled (shard 7)' } }));
    const conflict = await api({ method: 'POST', url: `/api/studies/${STUDY_ID}/cancel` });
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json()).toMatchObject({ type: '/problems/conflict', title: 'Conflict' });
    expect(conflict.body).not.toContain('shard');
  });

  it('cancels with If-Match only if the study is still that version, compared under the lock', async () => {
    upstream.respond((request, response) =>
      request.method === 'GET'
        ? json(200, STUDY)(request, response)
        : json(200, { success: true, message: 'Study cancelled' })(request, response),
    );
    const stale = await api({
      method: 'POST',
      url: `/api/studies/${STUDY_ID}/cancel`,
      headers: { 'if-match': '"2020-01-01T00:00:00.000Z"' },
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ type: '/problems/conflict', current: { studyId: STUDY_ID } });
    expect(upstream.requests.map((request) => request.method)).toEqual(['GET']);
    expect(auditLines.map((line) => JSON.parse(line))).toMatchObject([
      { action: 'study.cancel', studyId: STUDY_ID, outcome: 'refused', status: 409 },
    ]);

    upstream.requests.length = 0;
    const current = await api({
      method: 'POST',
      url: `/api/studies/${STUDY_ID}/cancel`,
      headers: { 'if-match': `"${String(STUDY.updatedAt)}"` },
    });
    expect(current.statusCode).toBe(200);
    expect(upstream.requests.map((request) => request.method)).toEqual(['GET', 'POST', 'GET']);
  });

  it('retries an idempotent read after a 503 and succeeds', async () => {
    let calls = 0;
    upstream.respond((request, response) => {
      calls += 1;
      if (calls === 1) return json(503, { error: { type: 'internal_error', message: 'busy' } })(request, response);
      return json(200, { studies: [], hasMore: false, cursor: null })(request, response);
    });
    const response = await api({ url: '/api/studies' });
    expect(response.statusCode).toBe(200);
    expect(upstream.requests).toHaveLength(2);
  });

  it('never retries a change, and says the upstream failed', async () => {
    upstream.respond((request, response) =>
      request.method === 'GET'
        ? json(200, STUDY)(request, response)
        : json(500, { error: { type: 'internal_error', message: 'database exploded at line 12' } })(request, response),
    );
    const response = await api({ method: 'PATCH', url: `/api/studies/${STUDY_ID}`, payload: { severity: 'high' } });
    expect(response.statusCode).toBe(502);
    expect(response.json()).toMatchObject({ type: '/problems/upstream-failed', retryable: true });
    expect(response.body).not.toContain('exploded');
    expect(upstream.requests.map((request) => request.method)).toEqual(['GET', 'PATCH']);
  });

  it('hides an authentication failure behind a 502 for the administrator', async () => {
    upstream.respond(json(401, { error: { type: 'authentication_error', message: 'bad key' } }));
    const response = await api({ url: '/api/studies' });
    expect(response.statusCode).toBe(502);
    expect(response.json().detail).toMatch(/API key/);
  });

  it('answers 504 when the upstream is too slow, after retrying', async () => {
    upstream.respond(() => {
      /* never answers */
    });
    const response = await api({ url: '/api/studies' });
    expect(response.statusCode).toBe(504);
    expect(response.json()).toMatchObject({ type: '/problems/upstream-timeout', retryable: true });
    expect(upstream.requests.length).toBe(3);
  });

  it('answers 502 when a success body is not JSON', async () => {
    upstream.respond((_request, response) => response.writeHead(200, { 'content-type': 'text/html' }).end('<html>'));
    const response = await api({ url: `/api/studies/${STUDY_ID}` });
    expect(response.statusCode).toBe(502);
  });
});

describe('the rest of the surface', () => {
  it('answers 404 problems for unknown API routes', async () => {
    const response = await api({ url: '/api/nothing-here' });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toContain('application/problem+json');
  });

  it('serves the SPA at the root, revalidated on every visit', async () => {
    const response = await app.inject({ url: '/', headers: { accept: 'text/html' } });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('Radiology Worklist');
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(response.body).not.toContain('rw-me');
  });

  it('sends built assets compressed when the browser accepts it (brotli first), cached for a year', async () => {
    const brotli = await app.inject({
      url: '/assets/app-0123.js',
      headers: { 'accept-encoding': 'gzip, deflate, br' },
    });
    expect(brotli.statusCode).toBe(200);
    expect(brotli.headers['content-encoding']).toBe('br');
    expect(brotli.headers.vary).toContain('accept-encoding');
    expect(brotli.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(brotliDecompressSync(brotli.rawPayload).toString('utf8')).toBe(ASSET);
    const gzip = await app.inject({ url: '/assets/app-0123.js', headers: { 'accept-encoding': 'gzip' } });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    const plain = await app.inject({ url: '/assets/app-0123.js' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(ASSET);
  });

  it('puts the signed-in person in the page, as /api/me answers, and never lets that page be stored', async () => {
    const cookie = radiologist.cookie ?? '';
    for (const url of ['/', '/studies/stu_x?assignee=me']) {
      const response = await app.inject({ url, headers: { accept: 'text/html', cookie } });
      expect(response.statusCode).toBe(200);
      expect(response.headers['cache-control']).toBe('no-store');
      const content = /<meta name="rw-me" content="([^"]*)"><\/head>/.exec(response.body)?.[1] ?? '';
      const decoded = content
        .replaceAll('&quot;', '"')
        .replaceAll('&lt;', '<')
        .replaceAll('&gt;', '>')
        .replaceAll('&amp;', '&');
      const me = (await api({ url: '/api/me', headers: radiologist })).json();
      expect(JSON.parse(decoded)).toEqual(me);
      expect(me).toMatchObject({ role: 'radiologist', email: DEMO_RADIOLOGIST.email });
    }
    // A cookie that names no session gets the generic page.
    const stranger = await app.inject({ url: '/', headers: { accept: 'text/html', cookie: 'rw_session=forged' } });
    expect(stranger.body).not.toContain('rw-me');
    expect(stranger.headers['cache-control']).toBe('no-cache');
  });

  it('serves the SPA for client-side routes, with strict headers', async () => {
    const response = await api({ url: '/studies/stu_x', headers: { accept: 'text/html' } });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('Radiology Worklist');
    const csp = String(response.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'self'");
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['x-frame-options']).toBeUndefined();
  });

  it('reports health without the upstream and readiness with it', async () => {
    expect((await api({ url: '/api/health' })).json()).toEqual({ status: 'ok' });
    upstream.respond(json(200, { studies: [], hasMore: false, cursor: null }));
    expect((await api({ url: '/api/ready' })).json()).toEqual({
      status: 'ready',
      upstream: 'avara',
      sharedState: { kind: 'in-process', status: 'ok' },
    });
    upstream.respond(json(401, { error: { type: 'authentication_error', message: 'no' } }));
    const notReady = await api({ url: '/api/ready' });
    expect(notReady.statusCode).toBe(503);
    expect(notReady.json().detail).toBe('Avara refuses the configured API key.');
  });
});

describe('logging', () => {
  it('logs a query only for matched routes that allow it', async () => {
    const { loggableRequest } = await import('../../../app.ts');
    const request = (url: string, route: { url?: string; logQuery?: boolean }, originalUrl = url) => ({
      method: 'GET',
      url,
      originalUrl,
      ip: '127.0.0.1',
      routeOptions: {
        url: route.url,
        config: { ...(route.logQuery === undefined ? {} : { logQuery: route.logQuery }) },
      },
    });
    const launch = request(
      '/launch/stu_x?expires=1&signature=abc',
      { url: '/launch/:studyId', logQuery: false },
      '/%6Caunch/stu_x?expires=1&signature=abc',
    );
    expect(loggableRequest(launch)).toEqual({
      method: 'GET',
      url: '/launch/stu_x',
      rawPath: '/%6Caunch/stu_x',
      remoteAddress: '127.0.0.1',
    });
    expect(loggableRequest(request('/api/studies?severity=stat', { url: '/api/studies' })).url).toBe(
      '/api/studies?severity=stat',
    );
    expect(loggableRequest(request('/nowhere?token=abc', {})).url).toBe('/nowhere');
  });
});

describe('who may call', () => {
  it('answers 401 problem+json without a session, and never redirects', async () => {
    const response = await app.inject({ url: '/api/studies', headers: { 'x-csrf': '1' } });
    expect(response.statusCode).toBe(401);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.headers.location).toBeUndefined();
    expect(upstream.requests).toHaveLength(0);
  });

  it('answers 403 to any /api call without the anti-forgery header, reads included', async () => {
    for (const [method, url] of [
      ['GET', '/api/studies'],
      ['PATCH', `/api/studies/${STUDY_ID}`],
      ['POST', '/auth/logout'],
    ] as const) {
      const response = await app.inject({
        method,
        url,
        headers: { cookie: coordinator.cookie ?? '' },
        payload: { severity: 'stat' },
      });
      expect(response.statusCode, `${method} ${url}`).toBe(403);
      expect(response.json().detail).toContain('X-CSRF');
    }
    expect(upstream.requests).toHaveLength(0);
  });

  it('says who is signed in, with role and Avara user ID', async () => {
    const me = await api({ url: '/api/me' });
    expect(me.json()).toMatchObject({
      email: DEMO_COORDINATOR.email,
      role: 'coordinator',
      userId: DEMO_COORDINATOR.userId,
    });
    const radiologistMe = await api({ url: '/api/me', headers: radiologist });
    expect(radiologistMe.json()).toMatchObject({
      role: 'radiologist',
      userId: DEMO_RADIOLOGIST.userId,
      name: 'Riley Radiologist, MD',
    });
  });

  it('refuses a sign-in as someone who is not a user', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/auth/login',
      headers: { 'x-csrf': '1' },
      payload: { username: 'mallory@example.org' },
    });
    expect(response.statusCode).toBe(403);
    expect(response.cookies).toHaveLength(0);
  });

  it('ends the session on sign-out', async () => {
    const headers = await signIn(app, DEMO_RADIOLOGIST.email);
    expect((await app.inject({ url: '/api/me', headers })).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: '/auth/logout', headers })).json()).toMatchObject({
      signedOut: true,
    });
    expect((await app.inject({ url: '/api/me', headers })).statusCode).toBe(401);
  });
});

describe('radiologists', () => {
  const pacsKeys = {
    accessionNumber: 'SMR2026000123',
    modality: 'CT',
    sourcePacs: 'orthanc:RW',
    orthancStudyId: '0a1b2c3d-0a1b2c3d-0a1b2c3d-0a1b2c3d-0a1b2c3d',
  };
  const unassigned = studyFixture(STUDY_ID, { assignedTo: null, metadata: pacsKeys });
  const someoneElses = studyFixture(STUDY_ID, {
    assignedTo: { userId: DEMO_COORDINATOR.userId, email: DEMO_COORDINATOR.email },
    metadata: pacsKeys,
  });
  const own = studyFixture(STUDY_ID, {
    assignedTo: { userId: DEMO_RADIOLOGIST.userId, email: DEMO_RADIOLOGIST.email },
    metadata: { ...pacsKeys, note: 'prior' },
  });
  const { accessionNumber: _removed, ...withoutAccession } = pacsKeys;
  /** The radiologist's PATCH of the study, which the upstream holds as `current`. */
  const radiologistPatch = (current: Record<string, unknown>, changes: Record<string, unknown>) => {
    upstream.respond(json(200, current));
    return api({ method: 'PATCH', url: `/api/studies/${STUDY_ID}`, headers: radiologist, payload: changes });
  };

  it.each([
    ['change severity', { severity: 'normal' }, unassigned],
    ['change the description', { studyDescription: 'Other' }, unassigned],
    ['assign someone else', { assignedTo: DEMO_COORDINATOR.userId }, unassigned],
    ['take a study assigned to someone else', { assignedTo: DEMO_RADIOLOGIST.userId }, someoneElses],
    ['mark read a study assigned to someone else', { studyViewerStatus: 'complete' }, someoneElses],
    ['edit notes of a study assigned to someone else', { metadata: { ...pacsKeys, note: 'x' } }, someoneElses],
    ['mark read an unassigned study without claiming it', { studyViewerStatus: 'complete' }, unassigned],
    ['change a PACS key of their own study', { metadata: { ...pacsKeys, modality: 'MR', note: 'prior' } }, own],
    ['remove a PACS key of their own study', { metadata: { ...withoutAccession, note: 'prior' } }, own],
    [
      'add a PACS key',
      { metadata: { note: 'prior', accessionNumber: 'X1' } },
      studyFixture(STUDY_ID, { assignedTo: own.assignedTo, metadata: { note: 'prior' } }),
    ],
  ])('may not %s', async (_case, changes, current) => {
    const response = await radiologistPatch(current, changes);
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ type: '/problems/forbidden', status: 403, detail: expect.any(String) });
    expect(upstream.requests.map((request) => request.method)).toEqual(['GET']);
    expect(auditLines.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({ action: 'study.update', outcome: 'refused', status: 403, studyId: STUDY_ID }),
    ]);
  });

  it('is told which PACS keys may not change', async () => {
    const response = await radiologistPatch(own, { metadata: { note: 'prior' } });
    expect(response.statusCode).toBe(403);
    expect(response.json().detail).toBe(
      'accessionNumber, modality, sourcePacs, orthancStudyId are written by the PACS: only a coordinator may add, change or remove them.',
    );
  });

  it.each([
    ['claim an unassigned study', { assignedTo: DEMO_RADIOLOGIST.userId }, unassigned],
    [
      'claim an unassigned study and mark it read in one change',
      { assignedTo: DEMO_RADIOLOGIST.userId, studyViewerStatus: 'complete' },
      unassigned,
    ],
    ['mark their own study read', { studyViewerStatus: 'complete' }, own],
    ['reopen their own study', { studyViewerStatus: 'incomplete' }, own],
    [
      'edit notes of their own study, keeping the PACS keys',
      { metadata: { ...pacsKeys, note: 'compare with prior' } },
      own,
    ],
  ])('may %s', async (_case, changes, current) => {
    const response = await radiologistPatch(current, changes);
    expect(response.statusCode).toBe(200);
    expect(upstream.requests.map((request) => request.method)).toEqual(['GET', 'PATCH']);
    expect(JSON.parse(upstream.requests[1]?.body ?? '')).toEqual(changes);
  });

  it.each([
    ['change', { ...pacsKeys, modality: 'MR' }],
    ['remove', { note: 'reviewed' }],
  ])('a coordinator may %s PACS keys', async (_case, metadata) => {
    upstream.respond(json(200, someoneElses));
    const response = await api({ method: 'PATCH', url: `/api/studies/${STUDY_ID}`, payload: { metadata } });
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(upstream.requests[1]?.body ?? '')).toEqual({ metadata });
  });

  it.each([
    ['create', 'POST', '/api/studies'],
    ['cancel', 'POST', `/api/studies/${STUDY_ID}/cancel`],
    ['uncancel', 'POST', `/api/studies/${STUDY_ID}/uncancel`],
  ] as const)('may not %s', async (_case, method, url) => {
    const payload =
      url === '/api/studies' ? { severity: 'stat', studyDescription: 'CT', studyInstanceUid: '1.2.3' } : undefined;
    const response = await api({ method, url, headers: radiologist, ...(payload ? { payload } : {}) });
    expect(response.statusCode).toBe(403);
    expect(upstream.requests).toHaveLength(0);
  });

  it('may open the viewer', async () => {
    upstream.respond(json(200, { url: 'https://viewer.example/x' }));
    expect(
      (await api({ method: 'POST', url: `/api/studies/${STUDY_ID}/viewer-url`, headers: radiologist })).statusCode,
    ).toBe(200);
  });
});

describe('audit', () => {
  it('writes one line per change with who, what, before and after, and nothing secret', async () => {
    upstream.respond((request, response) =>
      json(200, request.method === 'PATCH' ? studyFixture(STUDY_ID, { severity: 'normal' }) : studyFixture(STUDY_ID))(
        request,
        response,
      ),
    );
    await api({ method: 'PATCH', url: `/api/studies/${STUDY_ID}`, payload: { severity: 'normal' } });
    expect(auditLines).toHaveLength(1);
    const entry = JSON.parse(auditLines[0] ?? '');
    expect(entry).toEqual({
      time: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T.*Z$/),
      type: 'audit',
      action: 'study.update',
      user: { email: DEMO_COORDINATOR.email, role: 'coordinator', userId: DEMO_COORDINATOR.userId },
      address: '127.0.0.1',
      studyId: STUDY_ID,
      studyInstanceUid: '1.2.840.113619.2.55.3.1',
      before: { severity: 'stat' },
      after: { severity: 'normal' },
      outcome: 'ok',
    });
    expect(auditLines.join('')).not.toContain(KEY);
  });

  it('lists the studies a list showed', async () => {
    upstream.respond(json(200, { studies: [studyFixture(STUDY_ID)], hasMore: false, cursor: null }));
    await api({ url: '/api/studies' });
    expect(JSON.parse(auditLines[0] ?? '')).toMatchObject({ action: 'study.list', studyIds: [STUDY_ID] });
  });

  it('keeps a line on one line whatever the values hold', async () => {
    const tricky = studyFixture(STUDY_ID, { studyDescription: 'CT\n{"type":"audit","forged":true}' });
    upstream.respond(json(200, tricky));
    await api({ method: 'PATCH', url: `/api/studies/${STUDY_ID}`, payload: { studyDescription: 'CT Head' } });
    expect(auditLines).toHaveLength(1);
    expect(auditLines[0]?.trimEnd().split('\n')).toHaveLength(1);
  });
});

describe('no silent overwrite', () => {
  it('refuses a change made against an older version with 409 and the current study', async () => {
    // A study of its own: the instance remembers the newer version it is shown here.
    const studyId = `stu_${'fedcba9876543210'.repeat(2)}`;
    const current = studyFixture(studyId, { updatedAt: '2026-11-23T11:00:00.000Z', severity: 'high' });
    upstream.respond(json(200, current));
    const response = await api({
      method: 'PATCH',
      url: `/api/studies/${studyId}`,
      headers: { 'if-match': '"2026-11-23T10:00:00.000Z"' },
      payload: { severity: 'normal' },
    });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({ type: '/problems/conflict', title: 'Changed by someone else', current });
    expect(upstream.requests.map((request) => request.method)).toEqual(['GET']);

    // Known now: a second change against the old version is answered without the upstream.
    upstream.requests.length = 0;
    const again = await api({
      method: 'PATCH',
      url: `/api/studies/${studyId}`,
      headers: { 'if-match': '"2026-11-23T10:00:00.000Z"' },
      payload: { severity: 'stat' },
    });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ current });
    expect(upstream.requests).toEqual([]);
  });

  it('applies a change made against the current version', async () => {
    upstream.respond(json(200, STUDY));
    const response = await api({
      method: 'PATCH',
      url: `/api/studies/${STUDY_ID}`,
      headers: { 'if-match': String(STUDY.updatedAt) },
      payload: { severity: 'normal' },
    });
    expect(response.statusCode).toBe(200);
    expect(upstream.requests.map((request) => request.method)).toEqual(['GET', 'PATCH']);
  });
});

describe('viewer links', () => {
  it('relays only URLs on an allowed viewer origin', async () => {
    upstream.respond(json(200, { url: 'https://elsewhere.example/launch?token=x' }));
    const response = await api({ method: 'POST', url: `/api/studies/${STUDY_ID}/viewer-url` });
    expect(response.statusCode).toBe(502);
    expect(response.body).not.toContain('elsewhere.example');
  });

  it('publishes the allowed origins for the SPA', async () => {
    const response = await app.inject({ url: '/auth/config' });
    expect(response.json()).toMatchObject({ mode: 'dev', viewerOrigins: ['https://viewer.example'] });
  });
});

describe('viewer links of the bundled server', () => {
  it('are given on the origin the person uses, which /auth/config then allows', async () => {
    const bundledUpstream = await startRecordingUpstream(json(200, usersPageFixture()));
    const bundled = await buildTestBff({
      upstreamUrl: bundledUpstream.url,
      apiKey: KEY,
      bundledViewerUrl: 'http://localhost:8080',
    });
    const headers = { ...(await signIn(bundled, DEMO_RADIOLOGIST.email)), host: '127.0.0.1:8080' };
    bundledUpstream.respond(json(200, { url: `http://localhost:8080/launch/${STUDY_ID}?expires=1&signature=s` }));
    const link = await bundled.inject({ method: 'POST', url: `/api/studies/${STUDY_ID}/viewer-url`, headers });
    expect(link.statusCode).toBe(200);
    expect(link.json()).toEqual({ url: `http://127.0.0.1:8080/launch/${STUDY_ID}?expires=1&signature=s` });
    const config = await bundled.inject({ url: '/auth/config', headers: { host: '127.0.0.1:8080' } });
    expect(config.json().viewerOrigins).toContain('http://127.0.0.1:8080');
    // Anything else the upstream names is still held to VIEWER_ORIGINS.
    bundledUpstream.respond(json(200, { url: 'https://elsewhere.example/launch/x' }));
    expect(
      (await bundled.inject({ method: 'POST', url: `/api/studies/${STUDY_ID}/viewer-url`, headers })).statusCode,
    ).toBe(502);
    await bundled.close();
    await bundledUpstream.close();
  });
});
