/**
 * The security promises of docs/security.md, checked against the BFF as production assembles it,
 * in front of a recording upstream that shows exactly what reached it.
 */
import fc from 'fast-check';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  json,
  oneStudyAvara,
  startRecordingUpstream,
  type RecordingUpstream,
  type UpstreamResponder,
} from '../support/recording-upstream.ts';
import { DEMO_COORDINATOR, DEMO_RADIOLOGIST, studyFixture } from '../support/study-fixture.ts';
import { buildTestBff, signIn, spaRootWith, useBffOverUpstream } from '../support/test-bff.ts';

const KEY = 'security-suite-key-0123456789';
const STUDY_ID = `stu_${'5e'.repeat(16)}`;
const UID = '1.2.840.113619.2.55.3.1';
const PORTAL = 'https://portal.hospital.example';

/** Answers like Avara would, whatever reaches it, so every route can succeed; `held` is the study it holds. */
const avaraHolding = (held: Record<string, unknown>): UpstreamResponder => {
  const holding = oneStudyAvara(STUDY_ID, held);
  return (request, response) => {
    const path = request.url.split('?')[0] ?? '';
    if (path.endsWith('/reroute-url')) return json(200, { url: 'https://viewer.example/launch/x' })(request, response);
    if (path.endsWith('/cancel') || path.endsWith('/uncancel'))
      return json(200, { success: true, message: 'done' })(request, response);
    return holding(request, response);
  };
};

const PACS_KEYS = {
  accessionNumber: 'SMR2026000123',
  modality: 'CT',
  sourcePacs: 'orthanc:RW',
  orthancStudyId: '0a1b2c3d-0a1b2c3d-0a1b2c3d-0a1b2c3d-0a1b2c3d',
};
/** The study as the upstream holds it: unassigned, the radiologist's own, or someone else's. */
const HELD = {
  unassigned: studyFixture(STUDY_ID, { assignedTo: null, metadata: PACS_KEYS }),
  own: studyFixture(STUDY_ID, {
    assignedTo: { userId: DEMO_RADIOLOGIST.userId, email: DEMO_RADIOLOGIST.email },
    metadata: PACS_KEYS,
  }),
  someoneElses: studyFixture(STUDY_ID, {
    assignedTo: { userId: DEMO_COORDINATOR.userId, email: DEMO_COORDINATOR.email },
    metadata: PACS_KEYS,
  }),
};
const avaraLike = avaraHolding(HELD.unassigned);

/** Every path the BFF may ever ask of the upstream. */
const UPSTREAM_ALLOWLIST =
  /^\/v1\/viewer\/(studies(\/stu_[0-9a-f]{32}|\/by-uid\/(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*|\/cancel|\/uncancel|\/reroute-url)?|users)(\?[^#]*)?$/;

let upstream: RecordingUpstream;
let app: FastifyInstance;
let sessions: Record<'anonymous' | 'radiologist' | 'coordinator', Record<string, string>>;
const auditLines: string[] = [];

const rig = useBffOverUpstream(
  () => ({
    // A built SPA, as in production: every page address answers the app's page.
    spaRoot: spaRootWith({ 'index.html': '<!doctype html><html><head></head><body></body></html>' }),
    apiKey: KEY,
    auditLines,
    env: { PORTAL_ORIGINS: PORTAL, RATE_LIMIT_PER_MINUTE: '100000' },
  }),
  () => avaraLike,
);

beforeAll(() => {
  ({ upstream, app } = rig);
  sessions = { anonymous: { 'x-csrf': '1' }, radiologist: rig.radiologist, coordinator: rig.coordinator };
});

const CREATE = { severity: 'high', studyDescription: 'CT Chest', studyInstanceUid: '1.2.3.4' };

/**
 * The role table of docs/security.md: route → expected status for anonymous, radiologist, coordinator,
 * with the study the upstream holds (unassigned unless said).
 */
const ROLE_TABLE: Array<[string, InjectOptions, [number, number, number], keyof typeof HELD]> = [
  ['list studies', { method: 'GET', url: '/api/studies' }, [401, 200, 200], 'unassigned'],
  ['view a study', { method: 'GET', url: `/api/studies/${STUDY_ID}` }, [401, 200, 200], 'unassigned'],
  ['view by UID', { method: 'GET', url: `/api/studies/by-uid/${UID}` }, [401, 200, 200], 'unassigned'],
  ['create', { method: 'POST', url: '/api/studies', payload: CREATE }, [401, 403, 201], 'unassigned'],
  [
    'change severity',
    { method: 'PATCH', url: `/api/studies/${STUDY_ID}`, payload: { severity: 'stat' } },
    [401, 403, 200],
    'own',
  ],
  [
    'change description',
    { method: 'PATCH', url: `/api/studies/${STUDY_ID}`, payload: { studyDescription: 'X' } },
    [401, 403, 200],
    'own',
  ],
  [
    'assign someone else',
    { method: 'PATCH', url: `/api/studies/${STUDY_ID}`, payload: { assignedTo: DEMO_COORDINATOR.userId } },
    [401, 403, 200],
    'unassigned',
  ],
  [
    'unassign',
    { method: 'PATCH', url: `/api/studies/${STUDY_ID}`, payload: { assignedTo: null } },
    [401, 403, 200],
    'own',
  ],
  [
    'claim for oneself',
    { method: 'PATCH', url: `/api/studies/${STUDY_ID}`, payload: { assignedTo: DEMO_RADIOLOGIST.userId } },
    [401, 200, 200],
    'unassigned',
  ],
  [
    'take someone else’s',
    { method: 'PATCH', url: `/api/studies/${STUDY_ID}`, payload: { assignedTo: DEMO_RADIOLOGIST.userId } },
    [401, 403, 200],
    'someoneElses',
  ],
  [
    'mark read, own',
    { method: 'PATCH', url: `/api/studies/${STUDY_ID}`, payload: { studyViewerStatus: 'complete' } },
    [401, 200, 200],
    'own',
  ],
  [
    'mark read, someone else’s',
    { method: 'PATCH', url: `/api/studies/${STUDY_ID}`, payload: { studyViewerStatus: 'complete' } },
    [401, 403, 200],
    'someoneElses',
  ],
  [
    'mark read, unassigned',
    { method: 'PATCH', url: `/api/studies/${STUDY_ID}`, payload: { studyViewerStatus: 'complete' } },
    [401, 403, 200],
    'unassigned',
  ],
  [
    'claim and mark read, unassigned',
    {
      method: 'PATCH',
      url: `/api/studies/${STUDY_ID}`,
      payload: { assignedTo: DEMO_RADIOLOGIST.userId, studyViewerStatus: 'complete' },
    },
    [401, 200, 200],
    'unassigned',
  ],
  [
    'edit notes, own',
    { method: 'PATCH', url: `/api/studies/${STUDY_ID}`, payload: { metadata: { ...PACS_KEYS, note: 'x' } } },
    [401, 200, 200],
    'own',
  ],
  [
    'edit notes, someone else’s',
    { method: 'PATCH', url: `/api/studies/${STUDY_ID}`, payload: { metadata: { ...PACS_KEYS, note: 'x' } } },
    [401, 403, 200],
    'someoneElses',
  ],
  [
    'change a PACS key, own',
    { method: 'PATCH', url: `/api/studies/${STUDY_ID}`, payload: { metadata: { ...PACS_KEYS, modality: 'MR' } } },
    [401, 403, 200],
    'own',
  ],
  [
    'remove the PACS keys, own',
    { method: 'PATCH', url: `/api/studies/${STUDY_ID}`, payload: { metadata: { note: 'x' } } },
    [401, 403, 200],
    'own',
  ],
  ['cancel', { method: 'POST', url: `/api/studies/${STUDY_ID}/cancel` }, [401, 403, 200], 'unassigned'],
  ['uncancel', { method: 'POST', url: `/api/studies/${STUDY_ID}/uncancel` }, [401, 403, 200], 'unassigned'],
  ['open the viewer', { method: 'POST', url: `/api/studies/${STUDY_ID}/viewer-url` }, [401, 200, 200], 'unassigned'],
  ['who am I', { method: 'GET', url: '/api/me' }, [401, 200, 200], 'unassigned'],
  ['the roster', { method: 'GET', url: '/api/users' }, [401, 200, 200], 'unassigned'],
  ['unread counts', { method: 'GET', url: '/api/worklist/counts' }, [401, 200, 200], 'unassigned'],
  ['health', { method: 'GET', url: '/api/health' }, [200, 200, 200], 'unassigned'],
  ['readiness', { method: 'GET', url: '/api/ready' }, [200, 200, 200], 'unassigned'],
];

describe('every /api route answers as the role table says', () => {
  it.each(ROLE_TABLE)('%s', async (_name, request, [anonymous, radiologist, coordinator], held) => {
    upstream.respond(avaraHolding(HELD[held]));
    const statuses = [];
    for (const who of ['anonymous', 'radiologist', 'coordinator'] as const) {
      const response = await app.inject({ ...request, headers: sessions[who] });
      statuses.push(response.statusCode);
      if (response.statusCode >= 400) expect(response.headers['content-type']).toContain('application/problem+json');
    }
    expect(statuses).toEqual([anonymous, radiologist, coordinator]);
  });

  it('refuses every mutation without X-CSRF, even with a valid session', async () => {
    for (const [name, request] of ROLE_TABLE.filter(([, request]) => request.method !== 'GET')) {
      const { 'x-csrf': _csrf, ...cookieOnly } = sessions.coordinator;
      const response = await app.inject({ ...request, headers: cookieOnly });
      expect(response.statusCode, name).toBe(403);
    }
    expect(upstream.requests).toHaveLength(0);
  });
});

describe('audit', () => {
  it('writes exactly one line per mutation, whatever its outcome', async () => {
    const mutations = ROLE_TABLE.filter(([, request]) => request.method !== 'GET');
    for (const who of ['radiologist', 'coordinator'] as const) {
      for (const [name, request, , held] of mutations) {
        upstream.respond(avaraHolding(HELD[held]));
        auditLines.length = 0;
        const response = await app.inject({ ...request, headers: sessions[who] });
        if (name === 'open the viewer') continue; // Not a change; audited as a view.
        expect(auditLines, `${who}: ${name}`).toHaveLength(1);
        const entry = JSON.parse(auditLines[0] ?? '{}');
        expect(entry).toMatchObject({
          type: 'audit',
          time: expect.stringMatching(/Z$/),
          user: { role: who, email: who === 'coordinator' ? DEMO_COORDINATOR.email : DEMO_RADIOLOGIST.email },
          outcome: response.statusCode < 300 ? 'ok' : 'refused',
        });
        // A refused creation has no study yet; every other line names its study.
        if (!(name === 'create' && response.statusCode >= 300)) expect(entry.studyId, `${who}: ${name}`).toBe(STUDY_ID);
        if (response.statusCode < 300 && request.method === 'PATCH') {
          expect(entry.before).toEqual(expect.any(Object));
          expect(entry.after).toEqual(expect.any(Object));
        }
      }
    }
    expect(auditLines.join('\n')).not.toContain(KEY);
  });
});

describe('headers', () => {
  it.each(['/', '/api/health', '/api/studies'])('%s carries the strict headers', async (url) => {
    const response = await app.inject({ url, headers: sessions.coordinator });
    const csp = String(response.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain(`frame-ancestors 'self' ${PORTAL}`);
    expect(response.headers['x-frame-options']).toBeUndefined();
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    if (url.startsWith('/api/')) expect(response.headers['cache-control']).toBe('no-store');
  });

  it('sends HSTS only behind TLS', async () => {
    expect((await app.inject({ url: '/api/health' })).headers['strict-transport-security']).toBeUndefined();
    const tlsUpstream = await startRecordingUpstream(avaraLike);
    const tls = await buildTestBff({
      upstreamUrl: tlsUpstream.url,
      apiKey: KEY,
      env: { PUBLIC_URL: 'https://worklist.hospital.example' },
    });
    const response = await tls.inject({ url: '/api/health' });
    expect(response.headers['strict-transport-security']).toContain('max-age=');
    await tls.close();
    await tlsUpstream.close();
  });

  it('sets the session cookie HttpOnly, SameSite and __Host- over TLS', async () => {
    const tlsUpstream = await startRecordingUpstream(avaraLike);
    const tls = await buildTestBff({
      upstreamUrl: tlsUpstream.url,
      apiKey: KEY,
      env: { PUBLIC_URL: 'https://worklist.hospital.example' },
    });
    const response = await tls.inject({
      method: 'POST',
      url: '/auth/login',
      headers: { 'x-csrf': '1' },
      payload: { username: DEMO_RADIOLOGIST.email },
    });
    const setCookie = String(response.headers['set-cookie']);
    expect(setCookie).toMatch(/^__Host-rw_session=/);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('Secure');
    expect(setCookie).toContain('SameSite=Lax');
    expect(setCookie).toContain('Path=/');
    await tls.close();
    await tlsUpstream.close();
  });
});

describe('fuzzing paths and queries', () => {
  const nasty = fc.constantFrom(
    '..%2f..%2fadmin',
    '..%2F..%2F',
    '%2e%2e%2f',
    '//evil.example',
    '%2f%2fevil.example',
    'http:%2f%2fevil.example%2fx',
    'https://evil.example',
    '%0d%0aX-Injected:%201',
    '%00',
    'stu_' + 'A'.repeat(32),
    `${STUDY_ID}%2f..%2fcancel`,
    `${STUDY_ID}?x=1`,
    '1.2.3%2f..%2f..',
    'a'.repeat(5000),
    '%E2%80%AE',
    '%ff%fe',
    '~',
    '%25',
    '%u002e',
  );
  const segment = fc.oneof(nasty, fc.string({ maxLength: 60 }).map(encodeURIComponent), fc.webSegment());
  const template = fc.constantFrom(
    (s: string) => `/api/studies/${s}`,
    (s: string) => `/api/studies/by-uid/${s}`,
    (s: string) => `/api/studies/${s}/cancel`,
    (s: string) => `/api/studies/${s}/viewer-url`,
    (s: string) => `/api/studies/${STUDY_ID}/${s}`,
    (s: string) => `/api/${s}`,
  );

  it('never answers 5xx and never reaches an upstream path outside the allowlist', async () => {
    await fc.assert(
      fc.asyncProperty(template, segment, fc.constantFrom('GET', 'POST', 'PATCH'), async (makePath, value, method) => {
        upstream.requests.length = 0;
        const response = await app.inject({
          method,
          url: makePath(value),
          headers: sessions.coordinator,
          ...(method === 'GET' ? {} : { payload: { severity: 'stat' } }),
        });
        expect(response.statusCode).toBeLessThan(500);
        for (const request of upstream.requests) expect(request.url).toMatch(UPSTREAM_ALLOWLIST);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps query strings to the contract', async () => {
    const key = fc.oneof(
      fc.constantFrom(
        'limit',
        'cursor',
        'severity',
        'assignedTo',
        'studyDescription',
        'isCancelled',
        'expressCustomerId',
      ),
      fc.string({ maxLength: 20 }),
    );
    const value = fc.oneof(nasty, fc.string({ maxLength: 300 }));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(key, value), { maxLength: 4 }), async (pairs) => {
        upstream.requests.length = 0;
        const query = pairs.map(([k, v]) => `${encodeURIComponent(k)}=${v}`).join('&');
        const response = await app.inject({ url: `/api/studies?${query}`, headers: sessions.coordinator });
        expect(response.statusCode).toBeLessThan(500);
        for (const request of upstream.requests) {
          expect(request.url).toMatch(UPSTREAM_ALLOWLIST);
          expect(request.url).not.toMatch(/[\r\n]/);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('rate limit', () => {
  it('answers 429 with Retry-After past the limit, per person', async () => {
    const limitedUpstream = await startRecordingUpstream(avaraLike);
    const limited = await buildTestBff({
      upstreamUrl: limitedUpstream.url,
      apiKey: KEY,
      env: { RATE_LIMIT_PER_MINUTE: '3' },
    });
    const radiologist = await signIn(limited, DEMO_RADIOLOGIST.email);
    const coordinator = await signIn(limited, DEMO_COORDINATOR.email);
    const statuses = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await limited.inject({ url: '/api/me', headers: radiologist })).statusCode);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const refused = await limited.inject({ url: '/api/me', headers: radiologist });
    expect(refused.headers['retry-after']).toMatch(/^\d+$/);
    expect(refused.json()).toMatchObject({ type: '/problems/rate-limited', status: 429, retryable: true });
    // Someone else is not held back by the first person's requests.
    expect((await limited.inject({ url: '/api/me', headers: coordinator })).statusCode).toBe(200);
    await limited.close();
    await limitedUpstream.close();
  });

  it('keys a person by who they are, not by how they typed their e-mail, and every spelling of a path counts', async () => {
    const limitedUpstream = await startRecordingUpstream(avaraLike);
    const limited = await buildTestBff({
      upstreamUrl: limitedUpstream.url,
      apiKey: KEY,
      env: { RATE_LIMIT_PER_MINUTE: '3' },
    });
    const lower = await signIn(limited, DEMO_RADIOLOGIST.email);
    const upper = await signIn(limited, DEMO_RADIOLOGIST.email.toUpperCase());
    const statuses = [];
    for (const [url, headers] of [
      ['/api/me', lower],
      ['/%61pi/me', upper],
      ['/API/me', lower],
      ['/api//me/', upper],
    ] as const) {
      statuses.push((await limited.inject({ url, headers })).statusCode);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    await limited.close();
    await limitedUpstream.close();
  });

  it('limits anonymous callers by address on every route, refused ones included', async () => {
    const limitedUpstream = await startRecordingUpstream(avaraLike);
    const limited = await buildTestBff({
      upstreamUrl: limitedUpstream.url,
      apiKey: KEY,
      env: { RATE_LIMIT_PER_MINUTE: '3' },
    });
    const api = [];
    for (let i = 0; i < 4; i++)
      api.push((await limited.inject({ url: '/api/studies', headers: { 'x-csrf': '1' } })).statusCode);
    expect(api).toEqual([401, 401, 401, 429]);
    const health = [];
    for (let i = 0; i < 4; i++)
      health.push((await limited.inject({ url: '/api/health', remoteAddress: '127.0.0.9' })).statusCode);
    expect(health).toEqual([200, 200, 200, 429]);
    expect(limitedUpstream.requests).toHaveLength(0);
    await limited.close();
    await limitedUpstream.close();
  });

  it('behind a trusted load balancer, tells anonymous callers apart by X-Forwarded-For; from anyone else that header is ignored', async () => {
    const limitedUpstream = await startRecordingUpstream(avaraLike);
    const limited = await buildTestBff({
      upstreamUrl: limitedUpstream.url,
      apiKey: KEY,
      env: { RATE_LIMIT_PER_MINUTE: '3', TRUSTED_PROXIES: '10.0.0.0/24' },
    });
    const health = (remoteAddress: string, forwardedFor: string) =>
      limited
        .inject({ url: '/api/health', remoteAddress, headers: { 'x-forwarded-for': forwardedFor } })
        .then((answer) => answer.statusCode);
    const first = [];
    for (let i = 0; i < 4; i++) first.push(await health('10.0.0.5', '192.0.2.1'));
    expect(first).toEqual([200, 200, 200, 429]);
    // Another person behind the same load balancer has their own budget.
    expect(await health('10.0.0.5', '192.0.2.2')).toBe(200);
    // A client that is not a trusted proxy cannot pick a new address for each request.
    const spoofed = [];
    for (let i = 0; i < 4; i++) spoofed.push(await health('198.51.100.7', `192.0.2.${10 + i}`));
    expect(spoofed).toEqual([200, 200, 200, 429]);
    await limited.close();
    await limitedUpstream.close();
  });
});

describe('proxy mode', () => {
  async function proxyBff(trusted: string) {
    const proxyUpstream = await startRecordingUpstream(avaraLike);
    const bff = await buildTestBff({
      upstreamUrl: proxyUpstream.url,
      apiKey: KEY,
      env: { AUTH_MODE: 'proxy', TRUSTED_PROXIES: trusted, COORDINATOR_GROUPS: 'rad-coord' },
    });
    return { bff, close: async () => (await bff.close(), await proxyUpstream.close()) };
  }

  it('takes identity and groups from a trusted proxy', async () => {
    const { bff, close } = await proxyBff('127.0.0.0/8');
    const response = await bff.inject({
      url: '/api/me',
      headers: { 'x-csrf': '1', 'x-forwarded-email': DEMO_RADIOLOGIST.email, 'x-forwarded-groups': 'staff, rad-coord' },
    });
    expect(response.json()).toMatchObject({
      email: DEMO_RADIOLOGIST.email,
      role: 'coordinator',
      userId: DEMO_RADIOLOGIST.userId,
    });
    await close();
  });

  it('ignores identity headers from anyone else', async () => {
    const { bff, close } = await proxyBff('10.1.2.3');
    const response = await bff.inject({
      url: '/api/me',
      headers: { 'x-csrf': '1', 'x-forwarded-email': DEMO_COORDINATOR.email },
    });
    expect(response.statusCode).toBe(401);
    await close();
  });
});

describe('dev sign-in', () => {
  it('is refused at start-up in production', async () => {
    const { loadConfig } = await import('../../src/bff/config/env.ts');
    expect(() => loadConfig({ NODE_ENV: 'production', AVARA_API_KEY: KEY }, false)).toThrow(
      /AUTH_MODE=dev .* refused when NODE_ENV=production/,
    );
  });
});
