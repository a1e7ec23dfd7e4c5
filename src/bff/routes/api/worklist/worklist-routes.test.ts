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

function expected(severity: 'stat' | 'high' | 'normal'): number {
  let count = 0;
  let cursor: string | undefined;
  for (;;) {
    const page = server.service.listStudies({
      severity,
      studyViewerStatus: 'incomplete',
      isCancelled: false,
      limit: 100,
      ...(cursor ? { cursor } : {}),
    });
    count += page.studies.length;
    if (!page.hasMore || !page.cursor) return count;
    cursor = page.cursor;
  }
}

describe('GET /api/worklist/counts before the queue watcher has walked', () => {
  it('walks the queue itself: unread STAT and high across every page, and the rest of the counts', async () => {
    const radiologist = server.service.listUsers({ limit: 100 }).users.find((user) => !user.canManageStudies);
    const headers = await signIn(app, radiologist?.email ?? '');
    const response = await app.inject({ url: '/api/worklist/counts', headers });
    expect(response.statusCode).toBe(200);
    const counts = response.json();
    expect(counts.unread.stat).toEqual({ count: expected('stat'), capped: false });
    expect(counts.unread.high).toEqual({ count: expected('high'), capped: false });
    expect(counts.unread.high.count).toBeGreaterThan(50);
    expect(counts.bySeverity).toEqual({ stat: expected('stat'), high: expected('high'), normal: expected('normal') });
    expect(counts.capped).toBe(false);
    const assigned = Object.values<Record<string, number>>(counts.byAssignee).reduce(
      (sum, each) => sum + (each.normal ?? 0),
      0,
    );
    expect(assigned + counts.unassigned.normal).toBe(expected('normal'));
    expect(counts.overdue.normal).toBeLessThanOrEqual(expected('normal'));
    expect(Date.parse(counts.asOf)).toBeLessThanOrEqual(Date.now());
    // The caller's "mine and unassigned" view: their studies plus the unassigned ones, per severity.
    const mine: Record<string, number> = counts.byAssignee[radiologist?.userId ?? ''] ?? {
      stat: 0,
      high: 0,
      normal: 0,
    };
    expect(counts.mineAndUnassigned).toEqual({
      stat: (mine.stat ?? 0) + counts.unassigned.stat,
      high: (mine.high ?? 0) + counts.unassigned.high,
      normal: (mine.normal ?? 0) + counts.unassigned.normal,
    });
  });
});
