import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OperationId } from '../contract/avara-types.ts';
import { createContractValidator } from '../contract/contract-validator.ts';
import { loadAvaraContract } from '../contract/load-contract.ts';
import { buildAvaraServer, startAvaraServer } from './create-avara-server.ts';

const API_KEY = 'test-key-0123456789';
const LAUNCH_SECRET = 'launch-secret-for-tests';
const AUTH = { authorization: `Bearer ${API_KEY}` };
const UNKNOWN_STUDY = `stu_${'0'.repeat(32)}`;
const validator = createContractValidator(loadAvaraContract());

let app: FastifyInstance;

beforeAll(async () => {
  app = await buildAvaraServer({
    databasePath: ':memory:',
    apiKey: API_KEY,
    demoStudies: 60,
    launchSecret: LAUNCH_SECRET,
    launchBaseUrl: 'http://avara.test',
  });
});

afterAll(async () => {
  await app.close();
});

/** Sends a request and checks the answer against the contract's declared response for its status. */
async function call(operationId: OperationId, options: InjectOptions) {
  const response = await app.inject({ ...options, headers: { ...AUTH, ...options.headers } });
  const body: unknown = response.json();
  expect(validator.validateResponse(operationId, response.statusCode, body)).toEqual([]);
  expect(JSON.stringify(body)).not.toMatch(/ at .*\.ts:\d+/);
  return { status: response.statusCode, body, headers: response.headers };
}

/** The string at a path in a JSON answer; fails the test when it is not one. */
function text(value: unknown, ...path: Array<string | number>): string {
  const found = at(value, path);
  if (typeof found !== 'string') throw new Error(`expected a string at ${path.join('.')}`);
  return found;
}

function items(value: unknown, key: string): unknown[] {
  const found = at(value, [key]);
  if (!Array.isArray(found)) throw new Error(`expected an array at ${key}`);
  return found;
}

function at(value: unknown, path: Array<string | number>): unknown {
  let current = value;
  for (const key of path)
    current = typeof current === 'object' && current !== null ? Reflect.get(current, key) : undefined;
  return current;
}

function studyBody(overrides: Record<string, unknown> = {}) {
  return {
    severity: 'high',
    studyDescription: 'CT Chest with Contrast',
    studyInstanceUid: `1.2.826.0.1.${Math.floor(Math.random() * 1e12)}`,
    ...overrides,
  };
}

describe('authentication', () => {
  it.each([
    ['no header', {}],
    ['a wrong key', { authorization: 'Bearer wrong-key' }],
    ['a key that is a prefix of the right one', { authorization: `Bearer ${API_KEY.slice(0, -1)}` }],
    ['another scheme', { authorization: `Basic ${API_KEY}` }],
  ])('answers 401 for %s', async (_case, headers) => {
    const response = await app.inject({ method: 'GET', url: '/v1/viewer/studies', headers });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer');
    expect(response.json()).toEqual({
      error: { type: 'authentication_error', message: expect.stringContaining('API key') },
    });
    expect(validator.validateResponse('listStudies', 401, response.json())).toEqual([]);
  });

  it('asks for the key before saying whether a /v1/viewer route exists', async () => {
    expect((await app.inject({ method: 'GET', url: '/v1/viewer/nothing' })).statusCode).toBe(401);
    const known = await app.inject({ method: 'GET', url: '/v1/viewer/nothing', headers: AUTH });
    expect(known.statusCode).toBe(404);
    expect(known.json()).toEqual({ error: { type: 'not_found', message: 'No route GET /v1/viewer/nothing' } });
    const root = await app.inject({ method: 'GET', url: '/elsewhere?x=1' });
    expect(root.json()).toEqual({ error: { type: 'not_found', message: 'No route GET /elsewhere' } });
  });
});

describe('studies', () => {
  it('lists 20 studies by default and walks on with the cursor', async () => {
    const first = await call('listStudies', { method: 'GET', url: '/v1/viewer/studies' });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ hasMore: true, cursor: expect.any(String) });
    const cursor = text(first.body, 'cursor');
    const second = await call('listStudies', {
      method: 'GET',
      url: `/v1/viewer/studies?limit=100&cursor=${encodeURIComponent(cursor)}`,
    });
    expect(second.body).toMatchObject({ hasMore: false, studies: expect.any(Array) });
    expect(second.body).not.toHaveProperty('cursor');
  });

  it('filters, with an empty assignedTo meaning unassigned', async () => {
    const { body } = await call('listStudies', {
      method: 'GET',
      url: '/v1/viewer/studies?assignedTo=&severity=normal&isCancelled=false&limit=100',
    });
    const studies = items(body, 'studies');
    expect(studies.length).toBeGreaterThan(0);
    for (const study of studies)
      expect(study).toMatchObject({ assignedTo: null, severity: 'normal', isCancelled: false });
  });

  it.each([
    ['limit=0', 'limit', 'limit must be >= 1'],
    ['limit=101', 'limit', 'limit must be <= 100'],
    ['severity=urgent', 'severity', 'severity must be one of: normal, high, stat'],
    ['isCancelled=maybe', 'isCancelled', 'isCancelled must be boolean'],
    ['assignedTo=bob', 'assignedTo', expect.stringContaining('user ID')],
    ['severity=stat&severity=high', 'severity', 'severity must appear only once'],
    ['sort=createdAt', 'sort', 'sort is not a parameter of this request'],
    ['cursor=bm9wZQ', 'cursor', expect.stringContaining('cursor')],
  ])('answers 400 for ?%s', async (query, param, message) => {
    const { status, body } = await call('listStudies', { method: 'GET', url: `/v1/viewer/studies?${query}` });
    expect(status).toBe(400);
    expect(body).toEqual({ error: { type: 'invalid_request', message, param } });
  });

  it('refuses a cursor reused with other filters', async () => {
    const first = await call('listStudies', { method: 'GET', url: '/v1/viewer/studies?severity=normal&limit=1' });
    const cursor = text(first.body, 'cursor');
    const { status, body } = await call('listStudies', {
      method: 'GET',
      url: `/v1/viewer/studies?severity=high&cursor=${cursor}`,
    });
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: { type: 'invalid_request', param: 'cursor' } });
  });

  it('creates, retrieves, updates, cancels and restores a study', async () => {
    const users = await call('listUsers', { method: 'GET', url: '/v1/viewer/users?lastName=Okafor' });
    const userId = text(users.body, 'users', 0, 'userId');
    const created = await call('createStudy', {
      method: 'POST',
      url: '/v1/viewer/studies',
      payload: studyBody({ assignedTo: userId, metadata: { accessionNumber: 'A1' } }),
    });
    expect(created.status).toBe(200);
    const study = { studyId: text(created.body, 'studyId'), studyInstanceUid: text(created.body, 'studyInstanceUid') };
    expect(created.body).toMatchObject({
      assignedTo: { userId, lastName: 'Okafor' },
      createdByApiKey: { description: 'Radiology Worklist (bundled)', isViewerEnabled: true },
    });

    expect((await call('retrieveStudy', { method: 'GET', url: `/v1/viewer/studies/${study.studyId}` })).body).toEqual(
      created.body,
    );
    expect(
      (await call('retrieveStudyByUid', { method: 'GET', url: `/v1/viewer/studies/by-uid/${study.studyInstanceUid}` }))
        .body,
    ).toEqual(created.body);

    const updated = await call('updateStudy', {
      method: 'PATCH',
      url: `/v1/viewer/studies/${study.studyId}`,
      payload: { assignedTo: null, studyViewerStatus: 'complete' },
    });
    expect(updated.body).toMatchObject({
      assignedTo: null,
      studyViewerStatus: 'complete',
      metadata: { accessionNumber: 'A1' },
    });

    const cancelled = await call('cancelStudy', {
      method: 'POST',
      url: '/v1/viewer/studies/cancel',
      payload: { studyId: study.studyId },
    });
    expect(cancelled).toMatchObject({ status: 200, body: { success: true } });
    const again = await call('cancelStudy', {
      method: 'POST',
      url: '/v1/viewer/studies/cancel',
      payload: { studyInstanceUid: study.studyInstanceUid },
    });
    expect(again).toMatchObject({ status: 409, body: { error: { type: 'conflict' } } });
    const restored = await call('uncancelStudy', {
      method: 'POST',
      url: '/v1/viewer/studies/uncancel',
      payload: { studyInstanceUid: study.studyInstanceUid },
    });
    expect(restored).toMatchObject({ status: 200, body: { success: true } });
    const restoredAgain = await call('uncancelStudy', {
      method: 'POST',
      url: '/v1/viewer/studies/uncancel',
      payload: { studyId: study.studyId },
    });
    expect(restoredAgain).toMatchObject({ status: 409, body: { error: { type: 'conflict' } } });
  });

  it('answers 409 for a duplicate Study Instance UID', async () => {
    const payload = studyBody();
    expect((await call('createStudy', { method: 'POST', url: '/v1/viewer/studies', payload })).status).toBe(200);
    const duplicate = await call('createStudy', { method: 'POST', url: '/v1/viewer/studies', payload });
    expect(duplicate).toMatchObject({ status: 409, body: { error: { type: 'conflict', param: 'studyInstanceUid' } } });
  });

  it('answers 400 naming the field for an unknown assignee', async () => {
    const { status, body } = await call('createStudy', {
      method: 'POST',
      url: '/v1/viewer/studies',
      payload: studyBody({ assignedTo: `usr_${'1'.repeat(32)}` }),
    });
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: { type: 'invalid_request', param: 'assignedTo' } });
  });

  it.each([
    [
      '51 metadata pairs',
      studyBody({ metadata: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) }),
      'metadata',
      'metadata must have at most 50 entries',
    ],
    [
      'a 101-character metadata key',
      studyBody({ metadata: { ['k'.repeat(101)]: 'v' } }),
      'metadata',
      expect.stringContaining('must be at most 100 characters'),
    ],
    [
      'a 1001-character metadata value',
      studyBody({ metadata: { note: 'v'.repeat(1001) } }),
      'metadata/note',
      'metadata/note must be at most 1000 characters',
    ],
    [
      'a UID with letters',
      studyBody({ studyInstanceUid: '1.2.abc' }),
      'studyInstanceUid',
      expect.stringContaining('DICOM UID'),
    ],
    [
      'an unknown severity',
      studyBody({ severity: 'urgent' }),
      'severity',
      'severity must be one of: normal, high, stat',
    ],
    [
      'a missing description',
      { severity: 'stat', studyInstanceUid: '1.2.3' },
      'studyDescription',
      'studyDescription is required',
    ],
    ['an unknown field', studyBody({ patientName: 'Doe^John' }), 'patientName', 'patientName is not a known field'],
  ])('answers 400 for %s', async (_case, payload, param, message) => {
    const { status, body } = await call('createStudy', { method: 'POST', url: '/v1/viewer/studies', payload });
    expect(status).toBe(400);
    expect(body).toEqual({ error: { type: 'invalid_request', message, param } });
  });

  it.each([
    ['malformed JSON', '{"severity": "stat",', 'application/json', 'body is not valid JSON'],
    ['an empty JSON body', '', 'application/json', 'body is empty but Content-Type says JSON'],
    [
      'a body over 1 MB',
      JSON.stringify({ studyDescription: 'x'.repeat(1_100_000) }),
      'application/json',
      'body is larger than 1 MB',
    ],
    ['a text body', 'severity=stat', 'text/plain', 'body must be object'],
  ])('answers 400 for %s', async (_case, payload, contentType, message) => {
    const { status, body } = await call('createStudy', {
      method: 'POST',
      url: '/v1/viewer/studies',
      payload,
      headers: { 'content-type': contentType },
    });
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: { type: 'invalid_request', message } });
  });

  it('answers 400 for a malformed study ID and 404 for an unknown one', async () => {
    const bad = await call('retrieveStudy', { method: 'GET', url: '/v1/viewer/studies/stu_XYZ' });
    expect(bad).toMatchObject({
      status: 400,
      body: { error: { type: 'invalid_request', param: 'studyId', message: expect.stringContaining('study ID') } },
    });
    // Not a study ID at all: a path this server does not have.
    const traversal = await call('retrieveStudy', { method: 'GET', url: '/v1/viewer/studies/..%2F..%2Fetc' });
    expect(traversal.status).toBe(404);
    const unknown = await call('retrieveStudy', { method: 'GET', url: `/v1/viewer/studies/${UNKNOWN_STUDY}` });
    expect(unknown).toMatchObject({ status: 404, body: { error: { type: 'not_found' } } });
    const patch = await call('updateStudy', {
      method: 'PATCH',
      url: `/v1/viewer/studies/${UNKNOWN_STUDY}`,
      payload: { severity: 'stat' },
    });
    expect(patch.status).toBe(404);
    const byUid = await call('retrieveStudyByUid', {
      method: 'GET',
      url: '/v1/viewer/studies/by-uid/1.2.3.4.5.6.7.8.9',
    });
    expect(byUid.status).toBe(404);
    const cancel = await call('cancelStudy', {
      method: 'POST',
      url: '/v1/viewer/studies/cancel',
      payload: { studyId: UNKNOWN_STUDY },
    });
    expect(cancel.status).toBe(404);
  });

  it('answers 404 for an empty update of an unknown study, and 400 for a reference naming nothing', async () => {
    const empty = await call('updateStudy', {
      method: 'PATCH',
      url: `/v1/viewer/studies/${UNKNOWN_STUDY}`,
      payload: {},
    });
    expect(empty.status).toBe(404);
    const none = await call('cancelStudy', { method: 'POST', url: '/v1/viewer/studies/cancel', payload: {} });
    expect(none).toMatchObject({ status: 400, body: { error: { message: 'body must have at least one field' } } });
  });
});

describe('users', () => {
  it('lists and retrieves users, 404 for an unknown one', async () => {
    const list = await call('listUsers', { method: 'GET', url: '/v1/viewer/users?level=admin' });
    expect(items(list.body, 'users')).toHaveLength(2);
    const one = await call('retrieveUser', {
      method: 'GET',
      url: `/v1/viewer/users/${text(list.body, 'users', 0, 'userId')}`,
    });
    expect(one.body).toMatchObject({ level: 'admin', canManageStudies: true });
    expect((await call('retrieveUser', { method: 'GET', url: `/v1/viewer/users/usr_${'0'.repeat(32)}` })).status).toBe(
      404,
    );
    expect((await call('listUsers', { method: 'GET', url: '/v1/viewer/users?limit=101' })).status).toBe(400);
  });
});

describe('reroute URL and launch page', () => {
  async function someStudy() {
    const { body } = await call('listStudies', { method: 'GET', url: '/v1/viewer/studies?limit=1&severity=stat' });
    return {
      studyId: text(body, 'studies', 0, 'studyId'),
      studyInstanceUid: text(body, 'studies', 0, 'studyInstanceUid'),
    };
  }

  function signed(studyId: string, expires: number): string {
    const signature = createHmac('sha256', LAUNCH_SECRET).update(`${studyId}.${expires}`).digest('hex');
    return `/launch/${studyId}?expires=${expires}&signature=${signature}`;
  }

  it('answers a signed, expiring URL that opens a page naming the study', async () => {
    const study = await someStudy();
    const { status, body } = await call('rerouteStudyUrl', {
      method: 'POST',
      url: '/v1/viewer/studies/reroute-url',
      payload: { studyInstanceUid: study.studyInstanceUid },
    });
    expect(status).toBe(200);
    const url = new URL(text(body, 'url'));
    expect(url.origin).toBe('http://avara.test');
    expect(Number(url.searchParams.get('expires'))).toBeGreaterThan(Date.now() / 1000 + 290);

    const page = await app.inject({ method: 'GET', url: `${url.pathname}${url.search}` });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.body).toContain(study.studyInstanceUid);
    expect(page.body).toContain(study.studyId);
    expect(page.body).toContain('STAT');
    expect(page.body).not.toMatch(/<script|<style|style=/);

    const css = await app.inject({ method: 'GET', url: '/launch/launch.css' });
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
  });

  it('answers 403 for an expired or tampered link and 404 for an unknown study', async () => {
    const study = await someStudy();
    const now = Math.floor(Date.now() / 1000);
    const expired = await app.inject({ method: 'GET', url: signed(study.studyId, now - 10) });
    expect(expired.statusCode).toBe(403);
    expect(expired.body).toContain('This viewer link has expired or is not valid.');
    expect(expired.body).toContain('Open the study again from the worklist.');

    const tampered = await app.inject({
      method: 'GET',
      url: signed(study.studyId, now + 300).replace(/expires=\d+/, `expires=${now + 3600}`),
    });
    expect(tampered.statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: `/launch/${study.studyId}` })).statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: '/launch/not-a-study?expires=1&signature=00' })).statusCode).toBe(
      403,
    );

    const unknown = await app.inject({ method: 'GET', url: signed(UNKNOWN_STUDY, now + 300) });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body).toContain('no longer exists');
  });
});

describe('startAvaraServer', () => {
  it('listens on loopback, creates the database folder and links launches to itself', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'avara-server-'));
    const databasePath = join(folder, 'data', 'avara.sqlite');
    const server = await startAvaraServer({ databasePath, apiKey: API_KEY, demoStudies: 10 });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(existsSync(databasePath)).toBe(true);
      const list = await fetch(`${server.url}/v1/viewer/studies?limit=1`, { headers: AUTH });
      expect(list.status).toBe(200);
      const studies: unknown = await list.json();
      const studyId = server.service.listStudies({ limit: 1 }).studies[0]?.studyId;
      expect(studies).toMatchObject({ studies: [{ studyId }] });

      const reroute = await fetch(`${server.url}/v1/viewer/studies/reroute-url`, {
        method: 'POST',
        headers: { ...AUTH, 'content-type': 'application/json' },
        body: JSON.stringify({ studyId }),
      });
      const url = text(await reroute.json(), 'url');
      expect(url.startsWith(`${server.url}/launch/${studyId}?`)).toBe(true);
      expect((await fetch(url)).status).toBe(200);
    } finally {
      await server.close();
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
