import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAvaraServer, type RunningAvaraServer } from '../../../../avara-server/create-avara-server.ts';
import { buildTestBff, signIn } from '../../../../../test/support/test-bff.ts';
import type { SavedView, SavedViewList } from '../../../../contract/worklist-api.ts';

const KEY = 'views-test-key-0123456789';
let server: RunningAvaraServer;
let app: FastifyInstance;
let coordinator: Record<string, string>;
let radiologist: Record<string, string>;

beforeAll(async () => {
  server = await startAvaraServer({ databasePath: ':memory:', apiKey: KEY, demoStudies: 5 });
  app = await buildTestBff({ upstreamUrl: server.url, apiKey: KEY });
  const users = server.service.listUsers({ limit: 100 }).users;
  radiologist = await signIn(app, users.find((user) => !user.canManageStudies)?.email ?? '');
  coordinator = await signIn(app, users.find((user) => user.canManageStudies)?.email ?? '');
});

afterAll(async () => {
  await app.close();
  await server.close();
});

const columns = { visibility: { customer: false }, order: ['severity', 'description'], sizing: { description: 420.4 } };

describe('the saved views routes', () => {
  it('need a signed-in person', async () => {
    expect((await app.inject({ url: '/api/views', headers: { 'x-csrf': '1' } })).statusCode).toBe(401);
  });

  it('create, list, rename, update, make default and delete a person’s own views', async () => {
    const created = await app.inject({
      method: 'POST',
      url: '/api/views',
      headers: radiologist,
      payload: { name: '  Overdue  CT ', filters: 'modality=CT&overdue=1&assignee=me', columns, collapsed: ['normal'] },
    });
    expect(created.statusCode).toBe(201);
    const view: SavedView = created.json();
    expect(view).toMatchObject({
      name: 'Overdue CT',
      filters: 'modality=CT&overdue=1&assignee=me',
      collapsed: ['normal'],
      isDefault: false,
    });
    expect(view.columns?.sizing.description).toBe(420);

    const renamed = await app.inject({
      method: 'PATCH',
      url: `/api/views/${view.viewId}`,
      headers: radiologist,
      payload: { name: 'My overdue CT', filters: 'modality=MR&assignee=me' },
    });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json()).toMatchObject({ name: 'My overdue CT', filters: 'modality=MR&assignee=me' });

    const made = await app.inject({
      method: 'PUT',
      url: '/api/views/default',
      headers: radiologist,
      payload: { viewId: view.viewId },
    });
    expect(made.statusCode).toBe(200);
    expect(made.json<SavedViewList>().defaultViewId).toBe(view.viewId);

    // The coordinator sees none of it, and cannot reach it by its ID.
    expect((await app.inject({ url: '/api/views', headers: coordinator })).json()).toEqual({
      views: [],
      defaultViewId: null,
    });
    expect(
      (
        await app.inject({
          method: 'PATCH',
          url: `/api/views/${view.viewId}`,
          headers: coordinator,
          payload: { name: 'Mine now' },
        })
      ).statusCode,
    ).toBe(404);
    expect(
      (await app.inject({ method: 'DELETE', url: `/api/views/${view.viewId}`, headers: coordinator })).statusCode,
    ).toBe(404);

    // Opening the worklist with no filters goes to the default view; with filters, the page is as asked.
    const page = await app.inject({ url: '/?embed=1', headers: radiologist });
    expect(page.statusCode).toBe(302);
    expect(page.headers.location).toBe(`/?modality=MR&assignee=me&embed=1&view=${view.viewId}`);
    expect((await app.inject({ url: '/?assignee=anyone', headers: radiologist })).statusCode).not.toBe(302);
    expect((await app.inject({ url: '/', headers: coordinator })).statusCode).not.toBe(302);

    expect(
      (await app.inject({ method: 'DELETE', url: `/api/views/${view.viewId}`, headers: radiologist })).statusCode,
    ).toBe(204);
    expect((await app.inject({ url: '/api/views', headers: radiologist })).json()).toEqual({
      views: [],
      defaultViewId: null,
    });
    expect(
      (await app.inject({ method: 'DELETE', url: `/api/views/${view.viewId}`, headers: radiologist })).statusCode,
    ).toBe(404);
  });

  it('read the filters with the worklist’s own parsers and refuse what the address would not take', async () => {
    const post = (payload: object) => app.inject({ method: 'POST', url: '/api/views', headers: coordinator, payload });
    const problem = async (payload: object) => {
      const answer = await post(payload);
      expect(answer.statusCode).toBe(400);
      expect(answer.headers['content-type']).toContain('application/problem+json');
      return answer.json().issues.map((issue: { name: string }) => issue.name);
    };
    expect(await problem({ name: 'x', filters: 'status=garbage' })).toEqual(['filters.status']);
    expect(await problem({ name: 'x', filters: 'date=2026-13-99..x' })).toEqual(['filters.date']);
    expect(await problem({ name: 'x', filters: 'colour=red' })).toEqual(['filters.colour']);
    expect(await problem({ name: 'x', filters: 'modality=ct' })).toEqual(['filters.modality']);
    expect(await problem({ name: '', filters: '' })).toEqual(['name']);
    expect(await problem({ name: 'n'.repeat(61), filters: '' })).toEqual(['name']);
    expect(
      await problem({
        name: 'x',
        filters: '',
        columns: { visibility: {}, order: ['<script>'], sizing: { description: 10 } },
      }),
    ).toEqual(['columns.order', 'columns.sizing']);
    expect(await problem({ name: 'x', filters: '', collapsed: ['urgent'] })).toEqual(['collapsed']);
    expect(await problem({ name: 'x', filters: '', owner: 'someone-else' })).toEqual(['owner']);
    // The default spelled out is the default; the stored form is the worklist's own.
    const spelled = await post({
      name: 'Spelled out',
      filters: 'status=incomplete&groups=stat,high,normal&assignee=anyone',
    });
    expect(spelled.statusCode).toBe(201);
    expect(spelled.json().filters).toBe('assignee=anyone');
    expect(
      (await app.inject({ method: 'PATCH', url: '/api/views/viw_nope', headers: coordinator, payload: { name: 'y' } }))
        .statusCode,
    ).toBe(400);
    expect(
      (
        await app.inject({
          method: 'PUT',
          url: '/api/views/default',
          headers: coordinator,
          payload: { viewId: 'viw_nope' },
        })
      ).statusCode,
    ).toBe(400);
    expect(
      (await app.inject({ method: 'PUT', url: '/api/views/default', headers: coordinator, payload: { viewId: null } }))
        .statusCode,
    ).toBe(200);
  });

  it('answer 409 for a name taken twice', async () => {
    const post = () =>
      app.inject({
        method: 'POST',
        url: '/api/views',
        headers: coordinator,
        payload: { name: 'Twice', filters: 'assignee=anyone' },
      });
    expect((await post()).statusCode).toBe(201);
    const again = await post();
    expect(again.statusCode).toBe(409);
    expect(again.json().title).toBe('Name already used');
  });
});
