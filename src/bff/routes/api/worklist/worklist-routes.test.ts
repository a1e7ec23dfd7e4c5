import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { startAvaraServer, type RunningAvaraServer } from '../../../../avara-server/create-avara-server.ts';
import { buildTestBff, signIn } from '../../../../../test/support/test-bff.ts';

const KEY = 'counts-test-key-0123456789';
let server: RunningAvaraServer;
let app: FastifyInstance;

beforeAll(async () => {
  server = await startAvaraServer({ databasePath: ':memory:', apiKey: KEY, demoStudies: 600 });
  app = await buildTestBff({ upstreamUrl: server.url, apiKey: KEY });
});

afterAll(async () => {
  await app.close();
  await server.close();
});

function expected(severity: 'stat' | 'high'): number {
  let count = 0;
  let cursor: string | undefined;
  for (;;) {
    const page = server.service.listStudies({ severity, studyViewerStatus: 'incomplete', isCancelled: false, limit: 100, ...(cursor ? { cursor } : {}) });
    count += page.studies.length;
    if (!page.hasMore || !page.cursor) return count;
    cursor = page.cursor;
  }
}

describe('GET /api/worklist/counts', () => {
  it('counts unread STAT and high studies across every page', async () => {
    const radiologist = server.service.listUsers({ limit: 100 }).users.find((user) => !user.canManageStudies);
    const headers = await signIn(app, radiologist?.email ?? '');
    const response = await app.inject({ url: '/api/worklist/counts', headers });
    expect(response.statusCode).toBe(200);
    const { unread } = response.json();
    expect(unread.stat).toEqual({ count: expected('stat'), capped: false });
    expect(unread.high).toEqual({ count: expected('high'), capped: false });
    expect(unread.high.count).toBeGreaterThan(50);
  });
});
