/**
 * The official Avara TypeScript SDK's wire forms (what it sends, and the shapes its types expect
 * back), replayed against the bundled Avara-compatible server and the MSW handlers. Every answer
 * is checked against the contract, whose answer schemas write an empty optional field as absent,
 * and walked for a `null` or an `org` where the SDK's types have none.
 */
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OperationId } from '../../src/contract/avara-types.ts';
import { CLINIC_ROLES } from '../../src/contract/avara-types.ts';
import { startAvaraServer, type RunningAvaraServer } from '../../src/avara-server/create-avara-server.ts';
import { createApiHandlers, createMockStudyService } from '../../src/mocks/api-handlers.ts';
import type { StudyService } from '../../src/avara-server/store/study-service.ts';
import { createContractValidator } from '../../src/contract/contract-validator.ts';
import { loadAvaraContract } from '../../src/contract/load-contract.ts';
import { callJson, type JsonAnswer } from '../support/json-call.ts';

const KEY = 'sdk wire forms key with spaces 0123';
const contract = createContractValidator(loadAvaraContract());
const MOCK_ORIGIN = 'http://worklist.test';

type Answer = JsonAnswer;

/** Fields the SDK types as optional and not nullable: absent when empty, never null. */
const ABSENT_WHEN_EMPTY = new Set(['middleName', 'suffix1', 'suffix2', 'phoneNumber', 'metadata', 'cursor', 'message']);

/** Every path in an answer where an optional field is null, or where `org` is sent. */
function nullOptionals(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((entry, index) => nullOptionals(entry, `${path}[${index}]`));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) => {
    const here = path ? `${path}.${key}` : key;
    if (key === 'org') return [here];
    if (inner === null && ABSENT_WHEN_EMPTY.has(key)) return [here];
    return nullOptionals(inner, here);
  });
}

const call = callJson;

/** A success answer: the contract's schema holds and no optional field is null. */
function expectFaithful(answer: Answer, operationId: OperationId, status = 200): void {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expect(contract.validateResponse(operationId, status, answer.body)).toEqual([]);
  expect(nullOptionals(answer.body)).toEqual([]);
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? Reflect.get(value, key) : undefined;
}

function listOf(value: unknown, key: string): unknown[] {
  const found = field(value, key);
  if (!Array.isArray(found)) throw new Error(`expected an array at ${key}`);
  return found;
}

/** A study of the store with no metadata, and one whose assignee has no middle name. */
function prepare(service: StudyService) {
  const plain = service.createStudy({
    severity: 'normal',
    studyDescription: 'XR Chest 2 Views',
    studyInstanceUid: `1.2.826.0.1.${process.pid}.${Date.now()}.1`,
  });
  const other = service.createStudy({
    severity: 'high',
    studyDescription: 'CT Head',
    studyInstanceUid: `1.2.826.0.1.${process.pid}.${Date.now()}.2`,
    metadata: { a: '1' },
  });
  const users = service.listUsers({ limit: 100 }).users;
  const withoutMiddleName = users.find((user) => user.middleName === undefined);
  if (!withoutMiddleName) throw new Error('the demo roster has nobody without a middle name');
  service.updateStudy(plain.studyId, { assignedTo: withoutMiddleName.userId });
  return { plain: service.retrieveStudy(plain.studyId), other, users };
}

describe('the SDK wire forms, against the bundled Avara-compatible server', () => {
  let server: RunningAvaraServer;
  let studies: ReturnType<typeof prepare>;
  const headers = { authorization: `Bearer ${KEY}` };
  const at = (path: string) => `${server.url}/v1/viewer${path}`;

  beforeAll(async () => {
    server = await startAvaraServer({ databasePath: ':memory:', apiKey: KEY, demoStudies: 45 });
    studies = prepare(server.service);
  });
  afterAll(async () => server.close());

  it('takes an API key with spaces as it is, and no other', async () => {
    expect((await call(at('/studies?limit=1'), 'GET', undefined, headers)).status).toBe(200);
    expect(
      (await call(at('/studies?limit=1'), 'GET', undefined, { authorization: `Bearer ${KEY.split(' ')[0] ?? ''}` }))
        .status,
    ).toBe(401);
    expect((await call(at('/studies?limit=1'), 'GET', undefined, { authorization: `Bearer ${KEY}x` })).status).toBe(
      401,
    );
  });

  it('reads isCancelled= (null) as no filter, and pages 20 studies by default', async () => {
    const all = await call(at('/studies?isCancelled='), 'GET', undefined, headers);
    expectFaithful(all, 'listStudies');
    expect(listOf(all.body, 'studies')).toHaveLength(20);
    expect(field(all.body, 'hasMore')).toBe(true);
    const nulls = await call(
      at('/studies?isCancelled=&severity=&studyViewerStatus=&limit=&studyDescription='),
      'GET',
      undefined,
      headers,
    );
    expectFaithful(nulls, 'listStudies');
    expect(nulls.body).toEqual(all.body);
    // assignedTo= keeps its own meaning: explicitly unassigned.
    const unassigned = await call(at('/studies?assignedTo=&limit=100'), 'GET', undefined, headers);
    expectFaithful(unassigned, 'listStudies');
    expect(
      listOf(unassigned.body, 'studies').every(
        (study) => field(study, 'assignedTo') === undefined || field(study, 'assignedTo') === null,
      ),
    ).toBe(true);
  });

  it('walks to a last page whose cursor is absent', async () => {
    let page = await call(at('/studies?limit=100'), 'GET', undefined, headers);
    while (field(page.body, 'hasMore') === true) {
      expectFaithful(page, 'listStudies');
      page = await call(
        at(`/studies?limit=100&cursor=${encodeURIComponent(String(field(page.body, 'cursor')))}`),
        'GET',
        undefined,
        headers,
      );
    }
    expectFaithful(page, 'listStudies');
    expect(page.body).not.toHaveProperty('cursor');
    const users = await call(at('/users?limit=100'), 'GET', undefined, headers);
    expectFaithful(users, 'listUsers');
    expect(users.body).not.toHaveProperty('cursor');
  });

  it('answers PATCH {} and PATCH without a body with the study unchanged, and clears metadata on null', async () => {
    const { other } = studies;
    const before = await call(at(`/studies/${other.studyId}`), 'GET', undefined, headers);
    expectFaithful(before, 'retrieveStudy');
    const empty = await call(at(`/studies/${other.studyId}`), 'PATCH', {}, headers);
    expectFaithful(empty, 'updateStudy');
    expect(empty.body).toEqual(before.body);
    const none = await call(at(`/studies/${other.studyId}`), 'PATCH', undefined, headers);
    expectFaithful(none, 'updateStudy');
    expect(none.body).toEqual(before.body);
    const cleared = await call(at(`/studies/${other.studyId}`), 'PATCH', { metadata: null }, headers);
    expectFaithful(cleared, 'updateStudy');
    expect(cleared.body).not.toHaveProperty('metadata');
    expect(field(cleared.body, 'updatedAt')).not.toBe(field(before.body, 'updatedAt'));
  });

  it('writes a study without metadata, and a person without a middle name or suffix, with those fields absent', async () => {
    const { plain } = studies;
    const answer = await call(at(`/studies/${plain.studyId}`), 'GET', undefined, headers);
    expectFaithful(answer, 'retrieveStudy');
    expect(answer.body).not.toHaveProperty('metadata');
    expect(field(answer.body, 'assignedTo')).not.toHaveProperty('middleName');
    const byUid = await call(at(`/studies/by-uid/${plain.studyInstanceUid}`), 'GET', undefined, headers);
    expectFaithful(byUid, 'retrieveStudyByUid');
  });

  it('names a study by studyId and studyInstanceUid together, and refuses two that name different studies', async () => {
    const { plain, other } = studies;
    const same = { studyId: plain.studyId, studyInstanceUid: plain.studyInstanceUid };
    expectFaithful(await call(at('/studies/reroute-url'), 'POST', same, headers), 'rerouteStudyUrl');
    expectFaithful(await call(at('/studies/cancel'), 'POST', same, headers), 'cancelStudy');
    expectFaithful(await call(at('/studies/uncancel'), 'POST', same, headers), 'uncancelStudy');
    for (const operation of ['cancel', 'uncancel', 'reroute-url']) {
      const mixed = await call(
        at(`/studies/${operation}`),
        'POST',
        { studyId: plain.studyId, studyInstanceUid: other.studyInstanceUid },
        headers,
      );
      expect(mixed.status).toBe(400);
      expect(mixed.body).toMatchObject({
        error: { type: 'invalid_request', param: 'studyInstanceUid', message: expect.stringContaining(plain.studyId) },
      });
    }
  });

  it('answers users with the SDK clinic roles and invitation sources, and nothing null', async () => {
    const users = await call(at('/users?limit=100'), 'GET', undefined, headers);
    expectFaithful(users, 'listUsers');
    for (const user of listOf(users.body, 'users')) {
      expect(CLINIC_ROLES).toContain(field(user, 'clinicRole'));
      expect(['dashboard', 'api']).toContain(field(user, 'invitedSource'));
    }
    const one = await call(at(`/users/${studies.users[0]?.userId ?? ''}`), 'GET', undefined, headers);
    expectFaithful(one, 'retrieveUser');
  });

  it('answers 404 for a path of the Viewer API it does not have', async () => {
    for (const path of ['/users/invitations', '/users/invitations/inv_1', '/studies/external', '/nothing-here']) {
      const answer = await call(at(path), 'GET', undefined, headers);
      expect(answer.status, path).toBe(404);
      expect(answer.body).toMatchObject({ error: { type: 'not_found' } });
    }
    // A segment with the ID's prefix is still this route: a malformed ID is a bad request.
    expect((await call(at('/users/usr_XYZ'), 'GET', undefined, headers)).status).toBe(400);
    // Behind the key like every other path.
    expect((await call(at('/users/invitations'), 'GET', undefined, {})).status).toBe(401);
  });
});

describe('the SDK wire forms, against the MSW handlers', () => {
  const service = createMockStudyService({ demoStudies: 45 });
  const mock = setupServer(...createApiHandlers({ service }));
  const headers = { 'x-csrf': '1' };
  const at = (path: string) => `${MOCK_ORIGIN}/api${path}`;
  let studies: ReturnType<typeof prepare>;

  beforeAll(() => {
    mock.listen({ onUnhandledFrame: 'error' });
    studies = prepare(service);
  });
  afterAll(() => mock.close());

  it('reads isCancelled= (null) as no filter, pages 20 by default, and ends without a cursor', async () => {
    const all = await call(at('/studies?isCancelled='), 'GET', undefined, headers);
    expectFaithful(all, 'listStudies');
    expect(listOf(all.body, 'studies')).toHaveLength(20);
    const nulls = await call(
      at('/studies?isCancelled=&severity=&studyViewerStatus=&limit=&studyDescription='),
      'GET',
      undefined,
      headers,
    );
    expect(nulls.body).toEqual(all.body);
    const last = await call(at('/studies?limit=100'), 'GET', undefined, headers);
    expectFaithful(last, 'listStudies');
    expect(field(last.body, 'hasMore')).toBe(false);
    expect(last.body).not.toHaveProperty('cursor');
  });

  it('answers PATCH {} with the study unchanged and clears metadata on null', async () => {
    const { other, plain } = studies;
    const change = (studyId: string, body: unknown) =>
      call(at(`/studies/${studyId}`), 'PATCH', body, { ...headers, 'if-match': '*' });
    const before = await call(at(`/studies/${other.studyId}`), 'GET', undefined, headers);
    const empty = await change(other.studyId, {});
    expectFaithful(empty, 'updateStudy');
    expect(empty.body).toEqual(before.body);
    const cleared = await change(other.studyId, { metadata: null });
    expectFaithful(cleared, 'updateStudy');
    expect(cleared.body).not.toHaveProperty('metadata');
    const answer = await call(at(`/studies/${plain.studyId}`), 'GET', undefined, headers);
    expectFaithful(answer, 'retrieveStudy');
    expect(answer.body).not.toHaveProperty('metadata');
    expect(field(answer.body, 'assignedTo')).not.toHaveProperty('middleName');
  });

  it('answers cancel, uncancel and the viewer URL in the SDK shapes', async () => {
    const { plain } = studies;
    expectFaithful(await call(at(`/studies/${plain.studyId}/cancel`), 'POST', undefined, headers), 'cancelStudy');
    expectFaithful(await call(at(`/studies/${plain.studyId}/uncancel`), 'POST', undefined, headers), 'uncancelStudy');
    expectFaithful(
      await call(at(`/studies/${plain.studyId}/viewer-url`), 'POST', undefined, headers),
      'rerouteStudyUrl',
    );
  });

  it('lists people with nothing null, under the role canManageStudies gives them', async () => {
    const people = await call(at('/users'), 'GET', undefined, headers);
    expect(nullOptionals(people.body)).toEqual([]);
    const config = await call(`${MOCK_ORIGIN}/auth/config`, 'GET', undefined, {});
    for (const demoUser of listOf(config.body, 'demoUsers')) {
      const user = studies.users.find((candidate) => candidate.email === field(demoUser, 'username'));
      expect(field(demoUser, 'role')).toBe(user?.canManageStudies ? 'coordinator' : 'radiologist');
    }
  });
});
