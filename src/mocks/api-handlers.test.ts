import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROBLEM_CONTENT_TYPE, PROBLEM_TYPES } from '../contract/problem.ts';
import { createApiHandlers, createMockStudyService } from './api-handlers.ts';
import { mockContractValidator } from './contract-text.ts';
import { createMockServer } from './node.ts';

const service = createMockStudyService({ demoStudies: 40, now: new Date('2026-03-01T12:00:00Z') });
const server = createMockServer(createApiHandlers({ service }));
const validator = mockContractValidator();
const UNKNOWN_STUDY = `stu_${'0'.repeat(32)}`;

beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterAll(() => server.close());

async function api(path: string, init?: RequestInit) {
  const response = await fetch(new URL(path, location.origin), init);
  const body: unknown = await response.json();
  return { status: response.status, contentType: response.headers.get('content-type'), body };
}

const json = (method: string, body: unknown): RequestInit => ({
  method,
  // A change carries If-Match (428 without it); `*`: whatever the study is now.
  headers: { 'content-type': 'application/json', 'x-csrf': '1', ...(method === 'PATCH' ? { 'if-match': '*' } : {}) },
  body: JSON.stringify(body),
});

describe('mock /api handlers', () => {
  it('answers health and readiness', async () => {
    expect((await api('/api/health')).body).toEqual({ status: 'ok' });
    expect((await api('/api/ready')).body).toEqual({ status: 'ready' });
  });

  it('lists studies with upstream filters, as the contract shapes them', async () => {
    const { status, body } = await api('/api/studies?severity=stat&limit=2&isCancelled=false');
    expect(status).toBe(200);
    expect(validator.validateResponse('listStudies', 200, body)).toEqual([]);
    expect(body).toMatchObject({ studies: expect.any(Array) });
    expect(body).toEqual(service.listStudies({ severity: 'stat', limit: 2, isCancelled: false }));
  });

  it('answers a bad query as problem+json naming the field', async () => {
    const { status, contentType, body } = await api('/api/studies?limit=101');
    expect(status).toBe(400);
    expect(contentType).toBe(PROBLEM_CONTENT_TYPE);
    expect(body).toEqual({
      type: PROBLEM_TYPES.invalidRequest,
      title: 'The request is not valid',
      status: 400,
      detail: 'limit must be <= 100',
      issues: [{ in: 'query', name: 'limit', message: 'must be <= 100' }],
    });
  });

  it('creates (201), reads, updates and unassigns a study by the same rules as the bundled server', async () => {
    const assignee = service.listUsers({ lastName: 'Okafor' }).users[0]?.userId;
    const created = await api(
      '/api/studies',
      json('POST', {
        severity: 'high',
        studyDescription: 'CT Head without Contrast',
        studyInstanceUid: '1.2.3.4',
        assignedTo: assignee,
      }),
    );
    expect(created.status).toBe(201);
    expect(validator.validateResponse('createStudy', 200, created.body)).toEqual([]);
    const studyId = service.retrieveStudyByUid('1.2.3.4').studyId;
    expect(created.body).toMatchObject({ studyId, assignedTo: { userId: assignee } });

    expect((await api(`/api/studies/${studyId}`)).body).toEqual(created.body);
    expect((await api('/api/studies/by-uid/1.2.3.4')).body).toEqual(created.body);
    const updated = await api(`/api/studies/${studyId}`, json('PATCH', { assignedTo: null }));
    expect(updated).toMatchObject({ status: 200, body: { studyId, assignedTo: null } });

    const duplicate = await api(
      '/api/studies',
      json('POST', { severity: 'high', studyDescription: 'CT Head', studyInstanceUid: '1.2.3.4' }),
    );
    expect(duplicate).toMatchObject({
      status: 409,
      contentType: PROBLEM_CONTENT_TYPE,
      body: { type: PROBLEM_TYPES.conflict, status: 409 },
    });
  });

  it('cancels and restores, with 409 for a repeated action', async () => {
    const studyId = service.listStudies({ isCancelled: false, limit: 1 }).studies[0]?.studyId ?? '';
    expect(await api(`/api/studies/${studyId}/cancel`, { method: 'POST' })).toMatchObject({
      status: 200,
      body: { success: true },
    });
    expect(await api(`/api/studies/${studyId}/cancel`, { method: 'POST' })).toMatchObject({
      status: 409,
      body: { type: PROBLEM_TYPES.conflict },
    });
    expect(await api(`/api/studies/${studyId}/uncancel`, { method: 'POST' })).toMatchObject({
      status: 200,
      body: { success: true },
    });
    expect(await api(`/api/studies/${studyId}/uncancel`, { method: 'POST' })).toMatchObject({ status: 409 });
  });

  it('answers a viewer URL for a study', async () => {
    const studyId = service.listStudies({ limit: 1 }).studies[0]?.studyId ?? '';
    const { status, body } = await api(`/api/studies/${studyId}/viewer-url`, { method: 'POST' });
    expect(status).toBe(200);
    expect(validator.validateResponse('rerouteStudyUrl', 200, body)).toEqual([]);
    expect(body).toEqual({ url: expect.stringContaining(`/launch/${studyId}?expires=`) });
  });

  it('answers 404 for an unknown study and 400 for a malformed ID or body', async () => {
    expect(await api(`/api/studies/${UNKNOWN_STUDY}`)).toEqual({
      status: 404,
      contentType: PROBLEM_CONTENT_TYPE,
      body: {
        type: PROBLEM_TYPES.notFound,
        title: 'Study not found',
        status: 404,
        detail: expect.stringContaining(UNKNOWN_STUDY),
      },
    });
    expect(await api(`/api/studies/${UNKNOWN_STUDY}/cancel`, { method: 'POST' })).toMatchObject({ status: 404 });

    const badId = await api('/api/studies/stu_nope/cancel', { method: 'POST' });
    expect(badId).toMatchObject({ status: 400, body: { issues: [{ in: 'path', name: 'studyId' }] } });

    const malformed = await api(`/api/studies/${UNKNOWN_STUDY}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: '{"severity":',
    });
    expect(malformed).toMatchObject({
      status: 400,
      body: { issues: [{ in: 'body', name: '', message: 'is not valid JSON' }] },
    });

    const tooMany = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));
    const metadata = await api(`/api/studies/${UNKNOWN_STUDY}`, json('PATCH', { metadata: tooMany }));
    expect(metadata).toMatchObject({
      status: 400,
      body: { issues: [{ in: 'body', name: 'metadata', message: 'must have at most 50 entries' }] },
    });
  });
});
