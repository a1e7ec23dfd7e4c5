/**
 * GET /api/studies?assignedTo=mine-or-unassigned: the caller's studies and the unassigned ones, one
 * list merged by the BFF from two walks of the bundled Avara-compatible server's list, page by page.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAvaraServer, type RunningAvaraServer } from '../../src/avara-server/create-avara-server.ts';
import type { Severity, Study, StudyListPage } from '../../src/contract/avara-types.ts';
import { buildTestBff, signIn } from '../support/test-bff.ts';

const KEY = 'mine-or-unassigned-key-0123';

let folder: string;
let avara: RunningAvaraServer;
let app: FastifyInstance;
let me: { userId: string; email: string };
let other: { userId: string; email: string };
let coordinator: { userId: string; email: string };
const expected: Record<Severity, string[]> = { stat: [], high: [], normal: [] };

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'rw-mine-'));
  avara = await startAvaraServer({ databasePath: join(folder, 'avara.sqlite'), apiKey: KEY, demoStudies: 0 });
  app = await buildTestBff({ upstreamUrl: avara.url, apiKey: KEY, env: { RATE_LIMIT_PER_MINUTE: '100000' } });
  const users = avara.service.listUsers({ limit: 100 }).users;
  const radiologists = users.filter((user) => user.clinicRole === 'Radiologist' && !user.canManageStudies);
  const [first, second] = radiologists;
  const coordinatorUser = users.find((user) => user.clinicRole === 'Patient Care Coordinator');
  if (!first || !second || !coordinatorUser) throw new Error('the roster lacks people');
  me = first;
  other = second;
  coordinator = coordinatorUser;
  // 40 studies per severity, assigned in turn to me, to nobody, to someone else, to nobody (one read, one cancelled too).
  for (let index = 0; index < 120; index++) {
    const severity: Severity = (['stat', 'high', 'normal'] as const)[index % 3] ?? 'stat';
    const turn = Math.floor(index / 3) % 4;
    const assignedTo = turn === 0 ? me.userId : turn === 2 ? other.userId : undefined;
    const created = avara.service.createStudy({
      severity,
      studyDescription: `Study ${index}`,
      studyInstanceUid: `1.2.826.0.2.${index}`,
      ...(assignedTo ? { assignedTo } : {}),
    });
    if (index === 3) avara.service.updateStudy(created.studyId, { studyViewerStatus: 'complete' });
    else if (index === 7) avara.service.cancelStudy({ studyId: created.studyId });
    else if (assignedTo !== other.userId) expected[severity].push(created.studyId);
  }
});

afterAll(async () => {
  await app.close();
  await avara.close();
  rmSync(folder, { recursive: true, force: true });
});

async function page(headers: Record<string, string>, query: string) {
  return app.inject({ url: `/api/studies?${query}`, headers });
}

async function walk(headers: Record<string, string>, severity: Severity, limit: number): Promise<Study[]> {
  const studies: Study[] = [];
  let cursor: string | null | undefined;
  for (let guard = 0; guard < 100; guard++) {
    const response = await page(
      headers,
      `assignedTo=mine-or-unassigned&severity=${severity}&studyViewerStatus=incomplete&isCancelled=false&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    expect(response.statusCode).toBe(200);
    const body: StudyListPage = response.json();
    studies.push(...body.studies);
    if (!body.hasMore) {
      expect(body).not.toHaveProperty('cursor');
      return studies;
    }
    cursor = body.cursor;
  }
  throw new Error('the walk did not end');
}

describe('GET /api/studies?assignedTo=mine-or-unassigned', () => {
  it('lists my unread studies and the unassigned ones, oldest first, each once, page by page', async () => {
    const headers = await signIn(app, me.email);
    for (const severity of ['stat', 'high', 'normal'] as const) {
      for (const limit of [1, 3, 7, 100]) {
        const studies = await walk(headers, severity, limit);
        // Every one once; oldest first (studies created in the same millisecond may come either way).
        expect(studies.map((study) => study.studyId).sort()).toEqual([...expected[severity]].sort());
        const times = studies.map((study) => study.createdAt ?? '');
        expect(times).toEqual([...times].sort());
        for (const study of studies) expect([me.userId, undefined]).toContain(study.assignedTo?.userId);
      }
    }
  });

  it('refuses a changed cursor, one made for other filters, and one made for someone else (400 problem)', async () => {
    const headers = await signIn(app, me.email);
    const first = await page(headers, 'assignedTo=mine-or-unassigned&severity=stat&limit=2');
    const cursor: string = first.json().cursor;
    expect(typeof cursor).toBe('string');
    const flipped = `${cursor.slice(0, 5)}${cursor[5] === 'A' ? 'B' : 'A'}${cursor.slice(6)}`;
    for (const [who, query] of [
      [headers, `assignedTo=mine-or-unassigned&severity=stat&limit=2&cursor=${encodeURIComponent(flipped)}`],
      [headers, `assignedTo=mine-or-unassigned&severity=high&limit=2&cursor=${encodeURIComponent(cursor)}`],
      [
        await signIn(app, other.email),
        `assignedTo=mine-or-unassigned&severity=stat&limit=2&cursor=${encodeURIComponent(cursor)}`,
      ],
      [headers, 'assignedTo=mine-or-unassigned&severity=stat&cursor=%7B%7D'],
    ] as const) {
      const answer = await page(who, query);
      expect(answer.statusCode).toBe(400);
      expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(answer.json().issues).toEqual([expect.objectContaining({ in: 'query', name: 'cursor' })]);
    }
  });

  it('checks the other filters as every list does', async () => {
    const headers = await signIn(app, me.email);
    const answer = await page(headers, 'assignedTo=mine-or-unassigned&severity=urgent');
    expect(answer.statusCode).toBe(400);
    expect(answer.json().issues).toEqual([expect.objectContaining({ name: 'severity' })]);
    expect((await page(headers, 'assignedTo=mine-or-unassigned&limit=0')).statusCode).toBe(400);
    expect((await page(headers, 'assignedTo=mine-and-more')).statusCode).toBe(400);
  });

  it('gives a coordinator their own and the unassigned ones too', async () => {
    const headers = await signIn(app, coordinator.email);
    const answer = await page(
      headers,
      'assignedTo=mine-or-unassigned&severity=stat&studyViewerStatus=incomplete&isCancelled=false&limit=100',
    );
    expect(answer.statusCode).toBe(200);
    const studies: Study[] = answer.json().studies;
    expect(studies.length).toBeGreaterThan(0);
    for (const study of studies) expect(study.assignedTo ?? null).toBeNull();
  });
});
