/**
 * One suite of the studies contract, run against every implementation of it: the bundled
 * Avara-compatible server over HTTP, the BFF in front of it, and the MSW handlers the component
 * tests use. Each answer is checked against the OpenAPI document, so the three cannot drift apart.
 */
import type { FastifyInstance } from 'fastify';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OperationId } from '../../src/contract/avara-types.ts';
import { isProblem } from '../../src/contract/problem.ts';
import { startAvaraServer, type RunningAvaraServer } from '../../src/avara-server/create-avara-server.ts';
import { createApiHandlers, createMockStudyService } from '../../src/mocks/api-handlers.ts';
import { buildTestBff, contract } from '../support/test-bff.ts';
import { callJson, type JsonAnswer } from '../support/json-call.ts';

type Answer = JsonAnswer;

interface Reference {
  studyId?: string;
  studyInstanceUid?: string;
}

/** The operations, however a target spells them on the wire. */
interface StudiesApi {
  /** 'avara': the upstream's paths and error bodies; 'bff': the BFF's paths and problem+json. */
  kind: 'avara' | 'bff';
  list(query: Record<string, string>): Promise<Answer>;
  create(body: unknown): Promise<Answer>;
  retrieve(studyId: string): Promise<Answer>;
  retrieveByUid(uid: string): Promise<Answer>;
  update(studyId: string, body: unknown): Promise<Answer>;
  cancel(reference: Reference): Promise<Answer>;
  uncancel(reference: Reference): Promise<Answer>;
  viewerUrl(reference: Reference): Promise<Answer>;
  /** A user that studies can be assigned to. */
  userId: string;
}

interface Target {
  name: string;
  start(): Promise<{ api: StudiesApi; stop(): Promise<void> }>;
}

const KEY = 'contract-suite-key-0123456789';

const call = callJson;

function avaraApi(baseUrl: string, userId: string): StudiesApi {
  const headers = { authorization: `Bearer ${KEY}` };
  const at = (path: string) => `${baseUrl}/v1/viewer/studies${path}`;
  return {
    kind: 'avara',
    userId,
    list: (query) => call(at(`?${new URLSearchParams(query)}`), 'GET', undefined, headers),
    create: (body) => call(at(''), 'POST', body, headers),
    retrieve: (id) => call(at(`/${encodeURIComponent(id)}`), 'GET', undefined, headers),
    retrieveByUid: (uid) => call(at(`/by-uid/${encodeURIComponent(uid)}`), 'GET', undefined, headers),
    update: (id, body) => call(at(`/${encodeURIComponent(id)}`), 'PATCH', body, headers),
    cancel: (reference) => call(at('/cancel'), 'POST', reference, headers),
    uncancel: (reference) => call(at('/uncancel'), 'POST', reference, headers),
    viewerUrl: (reference) => call(at('/reroute-url'), 'POST', reference, headers),
  };
}

function bffApi(baseUrl: string, userId: string, sessionCookie = ''): StudiesApi {
  const headers = { 'x-csrf': '1', ...(sessionCookie ? { cookie: sessionCookie } : {}) };
  const at = (path: string) => `${baseUrl}/api/studies${path}`;
  const byId = (reference: Reference) => encodeURIComponent(reference.studyId ?? '');
  return {
    kind: 'bff',
    userId,
    list: (query) => call(at(`?${new URLSearchParams(query)}`), 'GET', undefined, headers),
    create: (body) => call(at(''), 'POST', body, headers),
    retrieve: (id) => call(at(`/${encodeURIComponent(id)}`), 'GET', undefined, headers),
    retrieveByUid: (uid) => call(at(`/by-uid/${encodeURIComponent(uid)}`), 'GET', undefined, headers),
    // The BFF takes a change only with If-Match; `*` is "whatever the study is now", as Avara's own PATCH does.
    update: (id, body) => call(at(`/${encodeURIComponent(id)}`), 'PATCH', body, { ...headers, 'if-match': '*' }),
    cancel: (reference) => call(at(`/${byId(reference)}/cancel`), 'POST', undefined, headers),
    uncancel: (reference) => call(at(`/${byId(reference)}/uncancel`), 'POST', undefined, headers),
    viewerUrl: (reference) => call(at(`/${byId(reference)}/viewer-url`), 'POST', undefined, headers),
  };
}

async function firstUserId(server: RunningAvaraServer): Promise<string> {
  const [user] = server.service.listUsers({ limit: 1 }).users;
  if (!user) throw new Error('The bundled server has no users');
  return user.userId;
}

/** Signs in to the BFF as a coordinator of the bundled roster; answers the session cookie. */
async function signInAsCoordinator(bffUrl: string, server: RunningAvaraServer): Promise<string> {
  const coordinator = server.service.listUsers({ limit: 100 }).users.find((user) => user.canManageStudies);
  if (!coordinator) throw new Error('The bundled roster has no coordinator');
  const response = await fetch(`${bffUrl}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-csrf': '1' },
    body: JSON.stringify({ username: coordinator.email }),
  });
  const cookie = response.headers.get('set-cookie')?.split(';')[0];
  if (response.status !== 200 || !cookie) throw new Error(`Sign-in failed: ${response.status}`);
  return cookie;
}

const targets: Target[] = [
  {
    name: 'the bundled Avara-compatible server',
    async start() {
      const server = await startAvaraServer({ databasePath: ':memory:', apiKey: KEY, demoStudies: false });
      return { api: avaraApi(server.url, await firstUserId(server)), stop: () => server.close() };
    },
  },
  {
    name: 'the BFF in front of the bundled server',
    async start() {
      const server = await startAvaraServer({ databasePath: ':memory:', apiKey: KEY, demoStudies: false });
      const bff: FastifyInstance = await buildTestBff({
        upstreamUrl: server.url,
        apiKey: KEY,
        env: { VIEWER_ORIGINS: server.url },
      });
      const address = await bff.listen({ host: '127.0.0.1', port: 0 });
      return {
        api: bffApi(address, await firstUserId(server), await signInAsCoordinator(address, server)),
        stop: async () => {
          await bff.close();
          await server.close();
        },
      };
    },
  },
  {
    name: 'the MSW handlers',
    async start() {
      const service = createMockStudyService({ demoStudies: 0 });
      const mock = setupServer(...createApiHandlers({ service }));
      mock.listen({ onUnhandledFrame: 'error' });
      const [user] = service.listUsers({ limit: 1 }).users;
      if (!user) throw new Error('The mock store has no users');
      return {
        api: bffApi('http://worklist.test', user.userId),
        stop: async () => mock.close(),
      };
    },
  },
];

let uidCounter = 0;
/** A fresh, valid DICOM UID for each study the suite creates. */
function newUid(): string {
  uidCounter += 1;
  return `1.2.826.0.1.3680043.10.${process.pid}.${Date.now()}.${uidCounter}`;
}

describe.each(targets)('the studies contract, against $name', (target) => {
  let api: StudiesApi;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    ({ api, stop } = await target.start());
  });
  afterAll(async () => stop());

  /** Asserts the status, and that the body is what the contract (or the BFF's problem format) says. */
  function expectAnswer(answer: Answer, operationId: OperationId, status: number): void {
    expect(answer.status, JSON.stringify(answer.body)).toBe(status);
    if (status < 400) {
      // The BFF answers a creation with 201; the body is the upstream's 200 body.
      const declared = operationId === 'createStudy' && api.kind === 'bff' ? 200 : status;
      expect(contract.validateResponse(operationId, declared, answer.body)).toEqual([]);
    } else if (api.kind === 'avara') {
      expect(contract.validateResponse(operationId, status, answer.body)).toEqual([]);
    } else {
      expect(isProblem(answer.body) && answer.body.status === status).toBe(true);
    }
  }

  async function createStudy(overrides: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const answer = await api.create({
      severity: 'normal',
      studyDescription: 'XR Chest 2 Views',
      studyInstanceUid: newUid(),
      ...overrides,
    });
    expectAnswer(answer, 'createStudy', api.kind === 'bff' ? 201 : 200);
    expect(typeof answer.body === 'object' && answer.body !== null).toBe(true);
    return Object.fromEntries(Object.entries(answer.body ?? {}));
  }

  it('creates a study and reads it back by ID and by UID', async () => {
    const uid = newUid();
    const study = await createStudy({
      severity: 'stat',
      studyDescription: 'CT Head without Contrast',
      studyInstanceUid: uid,
      assignedTo: api.userId,
      metadata: { accessionNumber: 'ACC-1', modality: 'CT' },
    });
    expect(study).toMatchObject({
      severity: 'stat',
      studyDescription: 'CT Head without Contrast',
      studyInstanceUid: uid,
      studyViewerStatus: 'incomplete',
      isCancelled: false,
      cancelledAt: null,
      metadata: { accessionNumber: 'ACC-1', modality: 'CT' },
      assignedTo: { userId: api.userId },
    });
    expect(study.studyId).toMatch(/^stu_[0-9a-f]{32}$/);

    const byId = await api.retrieve(String(study.studyId));
    expectAnswer(byId, 'retrieveStudy', 200);
    expect(byId.body).toEqual(study);

    const byUid = await api.retrieveByUid(uid);
    expectAnswer(byUid, 'retrieveStudyByUid', 200);
    expect(byUid.body).toEqual(study);
  });

  it('refuses a duplicate Study Instance UID with 409', async () => {
    const uid = newUid();
    await createStudy({ studyInstanceUid: uid });
    expectAnswer(
      await api.create({ severity: 'high', studyDescription: 'Again', studyInstanceUid: uid }),
      'createStudy',
      409,
    );
  });

  it('answers 404 for unknown IDs and UIDs, 400 for malformed ones', async () => {
    expectAnswer(await api.retrieve(`stu_${'0'.repeat(32)}`), 'retrieveStudy', 404);
    expectAnswer(await api.retrieveByUid('1.2.3.999999999'), 'retrieveStudyByUid', 404);
    expectAnswer(await api.retrieve('stu_nothex'), 'retrieveStudy', 400);
    expectAnswer(await api.retrieveByUid('1.2.x'), 'retrieveStudyByUid', 400);
  });

  it('filters the list by every filter of the contract', async () => {
    const tag = `Zq${Date.now().toString(36)}`;
    const stat = await createStudy({ severity: 'stat', studyDescription: `MRI Brain ${tag}`, assignedTo: api.userId });
    const high = await createStudy({ severity: 'high', studyDescription: `mri knee ${tag.toLowerCase()}` });
    const normal = await createStudy({ severity: 'normal', studyDescription: `US Abdomen ${tag}` });
    expectAnswer(await api.update(String(normal.studyId), { studyViewerStatus: 'complete' }), 'updateStudy', 200);
    expectAnswer(await api.cancel({ studyId: String(high.studyId) }), 'cancelStudy', 200);

    const ids = async (query: Record<string, string>) => {
      const answer = await api.list({ studyDescription: tag, limit: '100', ...query });
      expectAnswer(answer, 'listStudies', 200);
      const page = answer.body;
      if (typeof page !== 'object' || page === null || !('studies' in page) || !Array.isArray(page.studies)) return [];
      return page.studies.map((study: { studyId: string }) => study.studyId).sort();
    };
    const sorted = (...studies: Array<Record<string, unknown>>) => studies.map((study) => String(study.studyId)).sort();

    expect(await ids({})).toEqual(sorted(stat, high, normal));
    expect(await ids({ severity: 'stat' })).toEqual(sorted(stat));
    expect(await ids({ assignedTo: api.userId })).toEqual(sorted(stat));
    expect(await ids({ assignedTo: '' })).toEqual(sorted(high, normal));
    expect(await ids({ isCancelled: 'true' })).toEqual(sorted(high));
    expect(await ids({ isCancelled: 'false' })).toEqual(sorted(stat, normal));
    expect(await ids({ studyViewerStatus: 'complete' })).toEqual(sorted(normal));
    expect(await ids({ expressCustomerId: '' })).toEqual(sorted(stat, high, normal));
    // Contains-match, case-insensitive.
    expect(await ids({ studyDescription: `KNEE ${tag.toUpperCase()}` })).toEqual(sorted(high));
  });

  it('walks every matching study exactly once through cursors', async () => {
    const tag = `Walk${Date.now().toString(36)}`;
    const made = [];
    for (let i = 0; i < 7; i++) made.push(await createStudy({ studyDescription: `CT Chest ${tag} ${i}` }));
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const answer = await api.list({ studyDescription: tag, limit: '3', ...(cursor ? { cursor } : {}) });
      expectAnswer(answer, 'listStudies', 200);
      const page = answer.body;
      if (typeof page !== 'object' || page === null || !('studies' in page) || !Array.isArray(page.studies)) break;
      seen.push(...page.studies.map((study: { studyId: string }) => study.studyId));
      const hasMore = 'hasMore' in page && page.hasMore === true;
      const next = 'cursor' in page && typeof page.cursor === 'string' ? page.cursor : undefined;
      if (!hasMore) break;
      expect(next).toEqual(expect.any(String));
      cursor = next;
    }
    expect(seen).toEqual(made.map((study) => study.studyId));
  });

  it('refuses list limits outside 1-100 and unknown severities', async () => {
    expectAnswer(await api.list({ limit: '0' }), 'listStudies', 400);
    expectAnswer(await api.list({ limit: '101' }), 'listStudies', 400);
    expectAnswer(await api.list({ severity: 'urgent' }), 'listStudies', 400);
    expectAnswer(await api.list({ cursor: 'not-a-cursor' }), 'listStudies', 400);
  });

  it('updates only the fields sent; null unassigns', async () => {
    const study = await createStudy({ severity: 'high', assignedTo: api.userId, metadata: { a: '1' } });
    const updated = await api.update(String(study.studyId), { severity: 'stat' });
    expectAnswer(updated, 'updateStudy', 200);
    expect(updated.body).toMatchObject({
      severity: 'stat',
      studyDescription: study.studyDescription,
      assignedTo: { userId: api.userId },
      metadata: { a: '1' },
    });

    const unassigned = await api.update(String(study.studyId), { assignedTo: null, metadata: { b: '2' } });
    expectAnswer(unassigned, 'updateStudy', 200);
    expect(unassigned.body).toMatchObject({ severity: 'stat', metadata: { b: '2' } });
    expect(unassigned.body).toEqual(
      expect.not.objectContaining({ assignedTo: expect.objectContaining({ userId: api.userId }) }),
    );

    // An empty change (the official client's body is optional) answers the study as it is.
    const unchanged = await api.update(String(study.studyId), {});
    expectAnswer(unchanged, 'updateStudy', 200);
    expect(unchanged.body).toEqual(unassigned.body);
    expectAnswer(await api.update(`stu_${'f'.repeat(32)}`, { severity: 'high' }), 'updateStudy', 404);
  });

  it('cancels and uncancels, refusing to do either twice', async () => {
    const study = await createStudy();
    const reference = { studyId: String(study.studyId) };
    expectAnswer(await api.uncancel(reference), 'uncancelStudy', 409);
    expectAnswer(await api.cancel(reference), 'cancelStudy', 200);
    const cancelled = await api.retrieve(reference.studyId);
    expect(cancelled.body).toMatchObject({ isCancelled: true, cancelledAt: expect.any(String) });
    expectAnswer(await api.cancel(reference), 'cancelStudy', 409);
    expectAnswer(await api.uncancel(reference), 'uncancelStudy', 200);
    expect((await api.retrieve(reference.studyId)).body).toMatchObject({ isCancelled: false, cancelledAt: null });
    expectAnswer(await api.cancel({ studyId: `stu_${'e'.repeat(32)}` }), 'cancelStudy', 404);
  });

  it('cancels by Study Instance UID where the wire allows it', async () => {
    if (api.kind !== 'avara') return; // The BFF names studies by ID in its paths.
    const study = await createStudy();
    expectAnswer(await api.cancel({ studyInstanceUid: String(study.studyInstanceUid) }), 'cancelStudy', 200);
    expectAnswer(await api.uncancel({ studyInstanceUid: String(study.studyInstanceUid) }), 'uncancelStudy', 200);
  });

  it('answers a viewer URL', async () => {
    const study = await createStudy();
    const answer = await api.viewerUrl({ studyId: String(study.studyId) });
    expectAnswer(answer, 'rerouteStudyUrl', 200);
    expect(answer.body).toMatchObject({ url: expect.stringContaining(String(study.studyId)) });
  });
});
