import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAvaraServer, type RunningAvaraServer } from '../../../../avara-server/create-avara-server.ts';
import { buildTestBff, signIn } from '../../../../../test/support/test-bff.ts';
import { TURNAROUND_CSV_COLUMNS, type DashboardAnswer } from '../../../../contract/dashboard-api.ts';
import { csvCell, dayStartOf } from './dashboard-routes.ts';

const KEY = 'dashboard-test-key-0123456789';
let server: RunningAvaraServer;
let app: FastifyInstance;
let coordinator: Record<string, string>;
let radiologist: Record<string, string>;
let radiologistId: string;

beforeAll(async () => {
  server = await startAvaraServer({ databasePath: ':memory:', apiKey: KEY, demoStudies: 200 });
  app = await buildTestBff({ upstreamUrl: server.url, apiKey: KEY, env: { SLA_STAT_MINUTES: '30' } });
  const users = server.service.listUsers({ limit: 100 }).users;
  const reader = users.find((user) => !user.canManageStudies);
  const manager = users.find((user) => user.canManageStudies);
  radiologistId = reader?.userId ?? '';
  radiologist = await signIn(app, reader?.email ?? '');
  coordinator = await signIn(app, manager?.email ?? '');
});

afterAll(async () => {
  await app.close();
  await server.close();
});

const today = () => {
  const now = new Date();
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
};

describe('the dashboard routes', () => {
  it('are for coordinators only', async () => {
    expect((await app.inject({ url: '/api/dashboard', headers: radiologist })).statusCode).toBe(403);
    expect(
      (await app.inject({ url: `/api/dashboard/turnaround.csv?from=${today()}&to=${today()}`, headers: radiologist }))
        .statusCode,
    ).toBe(403);
    expect((await app.inject({ url: '/api/dashboard', headers: { 'x-csrf': '1' } })).statusCode).toBe(401);
  });

  it("count a study created, claimed and marked read through the worklist, with the settings' targets", async () => {
    const created = await app.inject({
      method: 'POST',
      url: '/api/studies',
      headers: coordinator,
      payload: {
        severity: 'stat',
        studyDescription: 'CT Head dashboard',
        studyInstanceUid: '1.2.826.0.1.3680043.10.1234.1',
      },
    });
    expect(created.statusCode).toBe(201);
    const studyId: string = created.json().studyId;
    const assign = await app.inject({
      method: 'PATCH',
      url: `/api/studies/${studyId}`,
      headers: coordinator,
      payload: { assignedTo: radiologistId },
    });
    expect(assign.statusCode).toBe(200);
    const lease = await app.inject({
      method: 'POST',
      url: `/api/studies/${studyId}/lease`,
      headers: radiologist,
      payload: {},
    });
    expect(lease.statusCode).toBeLessThan(300);
    const read = await app.inject({
      method: 'PATCH',
      url: `/api/studies/${studyId}`,
      headers: radiologist,
      payload: { studyViewerStatus: 'complete' },
    });
    expect(read.statusCode).toBe(200);
    await app.queueHistory.recorder.settled();

    const answer = await app.inject({ url: '/api/dashboard', headers: coordinator });
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['cache-control']).toBe('no-store');
    const dashboard: DashboardAnswer = answer.json();
    expect(dashboard.slaTargets).toEqual({ stat: 30, high: 240, normal: 1440 });
    expect(dashboard.turnaround.stat.today.count).toBe(1);
    expect(dashboard.compliance.stat.today).toMatchObject({ read: 1, readWithinTarget: 1, share: 1 });
    expect(dashboard.hourly).toHaveLength(24);
    expect(dashboard.hourly.at(-1)).toMatchObject({ arrivals: 1, completions: 1 });
    const reader = dashboard.radiologists.find((person) => person.userId === radiologistId);
    expect(reader).toMatchObject({ readToday: 1, readingNow: 0 });
    expect(reader?.name).not.toBe(radiologistId);
    expect(dashboard.history).toMatchObject({ studies: 1, retentionDays: 90 });

    const csv = await app.inject({
      url: `/api/dashboard/turnaround.csv?from=${today()}&to=${today()}`,
      headers: coordinator,
    });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe(`attachment; filename="turnaround-${today()}-to-${today()}.csv"`);
    const [header, row, end] = csv.body.split('\r\n');
    expect(header).toBe(TURNAROUND_CSV_COLUMNS.join(','));
    expect(row?.split(',').slice(0, 2)).toEqual([studyId, 'stat']);
    expect(row?.split(',').slice(-2)).toEqual(['30', 'yes']);
    expect(end).toBe('');
    // The SPA colours the worklist by the same targets.
    expect((await app.inject({ url: '/auth/config' })).json().slaTargets).toEqual({
      stat: 30,
      high: 240,
      normal: 1440,
    });
  });

  it('refuse an export range that is not two dates in order, at most a year apart, as problem+json', async () => {
    for (const query of [
      '',
      'from=2026-01-01',
      'from=2026-02-30&to=2026-03-01',
      'from=2026-03-02&to=2026-03-01',
      'from=2025-01-01&to=2026-01-02',
      'from=2026-01-01&to=2026-01-02&limit=5',
    ]) {
      const answer = await app.inject({ url: `/api/dashboard/turnaround.csv?${query}`, headers: coordinator });
      expect(answer.statusCode, query).toBe(400);
      expect(answer.headers['content-type']).toContain('application/problem+json');
    }
  });
});

describe("the export's cells", () => {
  it('quotes per RFC 4180 and never lets a spreadsheet run a cell as a formula', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('Smith, Jane')).toBe('"Smith, Jane"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvCell('-1')).toBe("'-1");
  });

  it('reads days as dates of the calendar', () => {
    expect(dayStartOf('2026-02-29')).toBeUndefined();
    expect(dayStartOf('2028-02-29')).toBe(new Date(2028, 1, 29).getTime());
    expect(dayStartOf('2026-1-01')).toBeUndefined();
  });
});
