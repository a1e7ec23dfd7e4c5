/**
 * Reports Avara delivers (`report.delivered`) and critical results, on both shared-state
 * implementations (in-process on SQLite, Redis on a real redis-server): the webhook handler's
 * idempotency, the PDF route against a stand-in for Avara's storage (valid, expired, too big, wrong
 * type), acknowledging (who may, the audit line, the event) and the "Critical results" filter of the
 * list. The in-process records survive a restart.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordReport, studyReports } from '../../src/bff/reports/report-store.ts';
import { createSharedState } from '../../src/bff/shared-state/create-shared-state.ts';
import { noLog, type BusEvent, type SharedState } from '../../src/bff/shared-state/shared-state.ts';
import { handleReportDelivered } from '../../src/bff/webhooks/handlers/report-delivered.ts';
import { waitFor } from '../support/orthanc.ts';
import { json, startRecordingUpstream, type RecordingUpstream } from '../support/recording-upstream.ts';
import { startRedis, type RunningRedis } from '../support/redis.ts';
import { DEMO_COORDINATOR, DEMO_RADIOLOGIST, studyFixture, usersPageFixture } from '../support/study-fixture.ts';
import { buildTestBff, signIn } from '../support/test-bff.ts';
import { generateWebhookKey } from '../../src/bff/webhooks/webhook-keys.ts';

const WEBHOOK_KEY = generateWebhookKey();

const PDF = Buffer.from('%PDF-1.4\n% a tiny test report\n%%EOF\n');
const SECOND_RADIOLOGIST = {
  ...DEMO_RADIOLOGIST,
  userId: `usr_${'b2'.repeat(16)}`,
  email: 'sam.second@example.org',
  firstName: 'Sam',
  lastName: 'Second',
};

let counter = 0;
function newStudyId(): string {
  counter += 1;
  return `stu_${counter.toString(16).padStart(4, '0')}${'e'.repeat(28)}`;
}
function newReportId(): string {
  counter += 1;
  return `rep_${process.pid}_${counter}`;
}

/** Who each study is assigned to, as the stand-in for Avara answers it. */
const assignees = new Map<string, typeof DEMO_RADIOLOGIST | null>();
let upstream: RecordingUpstream;
let storage: Server;
let storageUrl = '';
/** Requests the storage has answered. */
let storageHits = 0;
let redis: RunningRedis;
const folders: string[] = [];

function folder(): string {
  const made = mkdtempSync(join(tmpdir(), 'rw-reports-'));
  folders.push(made);
  return made;
}

beforeAll(async () => {
  const usersPage = usersPageFixture();
  const users = Array.isArray(usersPage.users) ? usersPage.users : [];
  const study = (studyId: string) => {
    const assignee = assignees.get(studyId) ?? null;
    return studyFixture(studyId, {
      assignedTo: assignee
        ? { userId: assignee.userId, email: assignee.email, firstName: assignee.firstName, lastName: assignee.lastName }
        : null,
    });
  };
  upstream = await startRecordingUpstream((request, response) => {
    const path = request.url.split('?')[0] ?? '';
    if (path.startsWith('/v1/viewer/users'))
      return json(200, { ...usersPage, users: [...users, { ...users[1], ...SECOND_RADIOLOGIST }] })(request, response);
    const studyId = /^\/v1\/viewer\/studies\/(stu_[0-9a-f]{32})$/.exec(path)?.[1];
    if (request.method === 'GET' && studyId) return json(200, study(studyId))(request, response);
    if (request.method === 'GET' && path === '/v1/viewer/studies') {
      return json(200, { studies: [...assignees.keys()].map(study), hasMore: false, cursor: '' })(request, response);
    }
    return json(404, { error: { message: 'Not found' } })(request, response);
  });
  // Avara's storage: what each presigned path answers.
  storage = createServer((request, response) => {
    storageHits += 1;
    const path = request.url?.split('?')[0] ?? '';
    if (path === '/valid.pdf')
      return void response
        .writeHead(200, { 'content-type': 'application/pdf', 'content-length': String(PDF.length) })
        .end(PDF);
    if (path === '/expired.pdf')
      return void response
        .writeHead(403, { 'content-type': 'application/xml' })
        .end('<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>');
    if (path === '/big.pdf')
      return void response
        .writeHead(200, { 'content-type': 'application/pdf', 'content-length': String(50 * 1024 * 1024) })
        .end();
    if (path === '/big-undeclared.pdf') {
      response.writeHead(200, { 'content-type': 'application/pdf' });
      response.write(PDF);
      return void response.end(Buffer.alloc(64 * 1024));
    }
    if (path === '/page.pdf')
      return void response.writeHead(200, { 'content-type': 'text/html' }).end('<html>sign in</html>');
    if (path === '/not-a-pdf.pdf')
      return void response.writeHead(200, { 'content-type': 'application/pdf' }).end('<html>not a pdf</html>');
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => storage.listen(0, '127.0.0.1', resolve));
  const address = storage.address();
  if (typeof address !== 'object' || address === null) throw new Error('no storage port');
  storageUrl = `http://127.0.0.1:${address.port}`;
  redis = await startRedis();
});

afterAll(async () => {
  await upstream?.close();
  storage?.closeAllConnections();
  await new Promise<void>((resolve) => (storage ? storage.close(() => resolve()) : resolve()));
  await redis?.dispose();
  for (const made of folders) rmSync(made, { recursive: true, force: true });
});

interface World {
  app: FastifyInstance;
  state: SharedState;
  events: BusEvent[];
  audit: string[];
  riley: Record<string, string>;
  sam: Record<string, string>;
  casey: Record<string, string>;
  close(): Promise<void>;
}

async function openState(kind: 'in-process' | 'redis', dataDir = folder()): Promise<SharedState> {
  return kind === 'redis'
    ? createSharedState({ redisUrl: redis.url, dataDir, keyPrefix: `reports-${process.pid}-${++counter}:` })
    : createSharedState({ dataDir });
}

async function openWorld(kind: 'in-process' | 'redis'): Promise<World> {
  const state = await openState(kind);
  const events: BusEvent[] = [];
  const stop = await state.events.subscribe({ onEvent: (event) => events.push(event) });
  const audit: string[] = [];
  const app = await buildTestBff({
    upstreamUrl: upstream.url,
    apiKey: 'reports-test-key-0123',
    auditLines: audit,
    shared: state,
    env: { RATE_LIMIT_PER_MINUTE: '100000', REPORT_PDF_MAX_BYTES: String(32 * 1024) },
    webhooks: { keys: [WEBHOOK_KEY], events: ['*'], dicomUrlTtlSeconds: 3600, publicUrl: () => 'http://localhost' },
  });
  return {
    app,
    state,
    events,
    audit,
    riley: await signIn(app, DEMO_RADIOLOGIST.email),
    sam: await signIn(app, SECOND_RADIOLOGIST.email),
    casey: await signIn(app, DEMO_COORDINATOR.email),
    async close() {
      stop();
      await app.close();
      await state.close();
    },
  };
}

function call(app: FastifyInstance, headers: Record<string, string>, options: InjectOptions) {
  return app.inject({ ...options, headers: { ...headers, ...options.headers } });
}

function auditLines(world: World, action: string): Array<Record<string, unknown>> {
  return world.audit.map((line): Record<string, unknown> => JSON.parse(line)).filter((line) => line.action === action);
}

async function deliver(world: World, data: Record<string, unknown>) {
  return handleReportDelivered(data, { shared: world.state, log: noLog });
}

describe.each(['in-process', 'redis'] as const)('reports and critical results (%s)', (kind) => {
  let world: World;
  beforeAll(async () => {
    world = await openWorld(kind);
  });
  afterAll(async () => {
    await world?.close();
  });

  it('records a delivered report once per report ID, however often Avara sends it, and tells every screen once', async () => {
    const studyId = newStudyId();
    const reportId = newReportId();
    const data = {
      reportId,
      studyId,
      isCritical: false,
      presignedUrl: `${storageUrl}/valid.pdf?X-Amz-Signature=abc`,
      plainText: 'No acute findings.',
    };
    const first = await deliver(world, data);
    const again = await deliver(world, { ...data, plainText: 'A different text for the same report' });
    expect(first).toMatchObject({ ok: true, answer: { success: true }, recorded: true });
    expect(again).toMatchObject({ ok: true, answer: { success: true }, recorded: false });
    const reports = await studyReports(world.state, studyId);
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ reportId, plainText: 'No acute findings.', isCritical: false });
    await waitFor(
      () => world.events.some((event) => event.type === 'report.delivered' && event.data.reportId === reportId),
      5_000,
      'the report event',
      20,
    );
    expect(
      world.events.filter((event) => event.type === 'report.delivered' && event.data.reportId === reportId),
    ).toHaveLength(1);

    const answer = await call(world.app, world.riley, { url: `/api/studies/${studyId}/reports` });
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['cache-control']).toBe('no-store');
    const body = answer.json();
    expect(body).toEqual({
      reports: [
        {
          reportId,
          studyId,
          deliveredAt: expect.any(String),
          isCritical: false,
          plainText: 'No acute findings.',
          pdf: { available: true, expiresAt: expect.any(String) },
        },
      ],
    });
    // The presigned link stays in the BFF.
    expect(answer.body).not.toContain('X-Amz-Signature');
    expect(auditLines(world, 'report.view')).toContainEqual(expect.objectContaining({ studyId, outcome: 'ok' }));
    // A second report of the same study is kept beside the first, newest first.
    const second = newReportId();
    await deliver(world, { ...data, reportId: second });
    expect((await studyReports(world.state, studyId)).map((report) => report.reportId)).toEqual([second, reportId]);
  });

  it('answers a signed report.delivered on POST /webhooks/avara with {success: true}, and a resend under a new webhook-id records nothing new', async () => {
    const studyId = newStudyId();
    const reportId = newReportId();
    const body = JSON.stringify({
      id: `whe_${reportId}`,
      type: 'report.delivered',
      data: { reportId, studyId, isCritical: true, presignedUrl: `${storageUrl}/valid.pdf`, plainText: 'Findings.' },
    });
    const send = (webhookId: string) => {
      const at = new Date();
      return world.app.inject({
        method: 'POST',
        url: '/webhooks/avara',
        payload: body,
        headers: {
          'content-type': 'application/json',
          'webhook-id': webhookId,
          'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
          'webhook-signature': new Webhook(WEBHOOK_KEY).sign(webhookId, at, body),
        },
      });
    };
    const first = await send(`msg_${reportId}_1`);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ success: true });
    const again = await send(`msg_${reportId}_2`);
    expect(again.json()).toEqual({ success: true });
    expect(await studyReports(world.state, studyId)).toHaveLength(1);
    expect(auditLines(world, 'webhook.avara')).toContainEqual(
      expect.objectContaining({ studyId, result: 'recorded-critical' }),
    );
    const bad = JSON.stringify({ id: 'whe_bad', type: 'report.delivered', data: { reportId, studyId: 'nope' } });
    const at = new Date();
    const refused = await world.app.inject({
      method: 'POST',
      url: '/webhooks/avara',
      payload: bad,
      headers: {
        'content-type': 'application/json',
        'webhook-id': `msg_${reportId}_bad`,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': new Webhook(WEBHOOK_KEY).sign(`msg_${reportId}_bad`, at, bad),
      },
    });
    expect(refused.statusCode).toBe(400);
  });

  it('refuses data that is not a report: a bad study ID, a link that is not https, a missing flag', async () => {
    const base = {
      reportId: newReportId(),
      studyId: newStudyId(),
      isCritical: true,
      presignedUrl: 'https://storage.example/r.pdf',
    };
    expect(await deliver(world, { ...base, studyId: 'stu_nope' })).toMatchObject({ ok: false });
    expect(await deliver(world, { ...base, presignedUrl: 'http://10.0.0.8/r.pdf' })).toMatchObject({ ok: false });
    expect(await deliver(world, { ...base, presignedUrl: 'file:///etc/passwd' })).toMatchObject({ ok: false });
    const { isCritical: _flag, ...withoutFlag } = base;
    expect(await deliver(world, withoutFlag)).toMatchObject({ ok: false });
    expect(await studyReports(world.state, base.studyId)).toEqual([]);
  });

  it('streams the PDF through the BFF while the link is valid, no-store and audited', async () => {
    const studyId = newStudyId();
    const reportId = newReportId();
    await deliver(world, { reportId, studyId, isCritical: false, presignedUrl: `${storageUrl}/valid.pdf?sig=1` });
    // A link in the drawer: a navigation with the session cookie, no X-CSRF.
    const { 'x-csrf': _csrf, ...cookieOnly } = world.riley;
    const answer = await call(world.app, cookieOnly, { url: `/api/studies/${studyId}/reports/${reportId}/pdf` });
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['content-type']).toBe('application/pdf');
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(answer.rawPayload.equals(PDF)).toBe(true);
    expect(auditLines(world, 'report.pdf')).toContainEqual(
      expect.objectContaining({
        studyId,
        outcome: 'ok',
        user: expect.objectContaining({ email: DEMO_RADIOLOGIST.email }),
      }),
    );
    // Without a session: sign in first.
    expect((await world.app.inject({ url: `/api/studies/${studyId}/reports/${reportId}/pdf` })).statusCode).not.toBe(
      200,
    );
  });

  it('says the link expired (410) when the storage refuses it or its hour has passed, and refuses too big or not a PDF', async () => {
    const studyId = newStudyId();
    const url = (reportId: string) => `/api/studies/${studyId}/reports/${reportId}/pdf`;
    const expired = newReportId();
    await deliver(world, { reportId: expired, studyId, isCritical: false, presignedUrl: `${storageUrl}/expired.pdf` });
    const refused = await call(world.app, world.riley, { url: url(expired) });
    expect(refused.statusCode).toBe(410);
    expect(refused.json()).toMatchObject({
      type: '/problems/report-link-expired',
      title: 'The report link has expired',
    });
    // A person's browser gets a page saying so.
    const page = await call(world.app, world.riley, { url: url(expired), headers: { accept: 'text/html' } });
    expect(page.statusCode).toBe(410);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('The report link has expired');

    // Delivered more than an hour ago: not even asked for.
    const old = newReportId();
    await recordReport(
      world.state,
      { reportId: old, studyId, isCritical: false, presignedUrl: `${storageUrl}/valid.pdf` },
      { now: () => Date.now() - 2 * 3_600_000 },
    );
    const before = storageHits;
    expect((await call(world.app, world.riley, { url: url(old) })).statusCode).toBe(410);
    expect(storageHits).toBe(before);
    const listed = (await call(world.app, world.riley, { url: `/api/studies/${studyId}/reports` })).json();
    expect(listed.reports.find((report: { reportId: string }) => report.reportId === old).pdf.available).toBe(false);

    for (const [path, detail] of [
      ['/big.pdf', /larger/],
      ['/page.pdf', /did not answer a PDF/],
    ] as const) {
      const reportId = newReportId();
      await deliver(world, { reportId, studyId, isCritical: false, presignedUrl: `${storageUrl}${path}` });
      const answer = await call(world.app, world.riley, { url: url(reportId) });
      expect(answer.statusCode, path).toBe(502);
      expect(answer.json().detail).toMatch(detail);
    }
    // Too big without saying so, or not a PDF inside: the download is cut, never passed on whole.
    for (const path of ['/big-undeclared.pdf', '/not-a-pdf.pdf']) {
      const reportId = newReportId();
      await deliver(world, { reportId, studyId, isCritical: false, presignedUrl: `${storageUrl}${path}` });
      const answer = await call(world.app, world.riley, { url: url(reportId) }).catch((error: unknown) => error);
      if (answer instanceof Error) continue;
      expect(answer).toBeDefined();
      if (
        typeof answer === 'object' &&
        answer !== null &&
        'rawPayload' in answer &&
        Buffer.isBuffer(answer.rawPayload)
      ) {
        expect(answer.rawPayload.length).toBeLessThan(32 * 1024);
        expect(answer.rawPayload.includes(Buffer.from('not a pdf'))).toBe(false);
      }
    }
    expect((await call(world.app, world.riley, { url: url('rep_unknown') })).statusCode).toBe(404);
    expect(
      (await call(world.app, world.riley, { url: `/api/studies/${studyId}/reports/bad..id/pdf` })).statusCode,
    ).toBe(400);
  });

  it('alerts the assignee and coordinators to a critical result until one of them acknowledges it; the acknowledgement is audited and announced', async () => {
    const studyId = newStudyId();
    const reportId = newReportId();
    assignees.set(studyId, DEMO_RADIOLOGIST);
    await deliver(world, {
      reportId,
      studyId,
      isCritical: true,
      presignedUrl: `${storageUrl}/valid.pdf`,
      plainText: 'Large intracranial haemorrhage.',
    });
    const open = (headers: Record<string, string>) =>
      call(world.app, headers, { url: '/api/critical-results' }).then((answer) =>
        answer.json().criticalResults.filter((result: { studyId: string }) => result.studyId === studyId),
      );
    expect(await open(world.riley)).toEqual([
      { studyId, reportId, deliveredAt: expect.any(String), study: expect.objectContaining({ studyId }) },
    ]);
    expect(await open(world.casey)).toHaveLength(1);
    // Not theirs: no alert, and they may not acknowledge it.
    expect(await open(world.sam)).toEqual([]);
    const url = `/api/studies/${studyId}/reports/${reportId}/acknowledge`;
    const refused = await call(world.app, world.sam, { method: 'POST', url });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().detail).toMatch(/assignee or a coordinator/);
    expect(auditLines(world, 'report.acknowledge')).toContainEqual(
      expect.objectContaining({
        studyId,
        outcome: 'refused',
        user: expect.objectContaining({ email: SECOND_RADIOLOGIST.email }),
      }),
    );
    // Without the anti-forgery header: refused before anything.
    const { 'x-csrf': _csrf, ...cookieOnly } = world.riley;
    expect((await call(world.app, cookieOnly, { method: 'POST', url })).statusCode).toBe(403);

    const acknowledged = await call(world.app, world.riley, { method: 'POST', url });
    expect(acknowledged.statusCode).toBe(200);
    expect(acknowledged.json()).toMatchObject({
      reportId,
      isCritical: true,
      acknowledgement: {
        by: { email: DEMO_RADIOLOGIST.email, userId: DEMO_RADIOLOGIST.userId },
        at: expect.any(String),
      },
    });
    const at = acknowledged.json().acknowledgement.at;
    expect(auditLines(world, 'report.acknowledge')).toContainEqual(
      expect.objectContaining({
        studyId,
        outcome: 'ok',
        user: expect.objectContaining({ email: DEMO_RADIOLOGIST.email }),
        before: { reportId, acknowledgement: null },
        after: { reportId, acknowledgement: { by: DEMO_RADIOLOGIST.email, at } },
      }),
    );
    await waitFor(
      () => world.events.some((event) => event.type === 'critical.acknowledged' && event.data.reportId === reportId),
      5_000,
      'the acknowledgement event',
      20,
    );
    expect(await open(world.casey)).toEqual([]);
    expect(await open(world.riley)).toEqual([]);
    // A second acknowledgement (the coordinator, a moment later) keeps the first.
    const again = await call(world.app, world.casey, { method: 'POST', url });
    expect(again.statusCode).toBe(200);
    expect(again.json().acknowledgement).toEqual({
      by: expect.objectContaining({ email: DEMO_RADIOLOGIST.email }),
      at,
    });
    expect(
      world.events.filter((event) => event.type === 'critical.acknowledged' && event.data.reportId === reportId),
    ).toHaveLength(1);
    // A report that is not critical has nothing to acknowledge; an unknown one is not found.
    const routine = newReportId();
    await deliver(world, { reportId: routine, studyId, isCritical: false, presignedUrl: `${storageUrl}/valid.pdf` });
    expect(
      (
        await call(world.app, world.casey, {
          method: 'POST',
          url: `/api/studies/${studyId}/reports/${routine}/acknowledge`,
        })
      ).statusCode,
    ).toBe(409);
    expect(
      (
        await call(world.app, world.casey, {
          method: 'POST',
          url: `/api/studies/${studyId}/reports/rep_none/acknowledge`,
        })
      ).statusCode,
    ).toBe(404);
  });

  it('the Critical results filter lists only the studies with an unacknowledged critical result', async () => {
    const critical = newStudyId();
    const routine = newStudyId();
    const reportId = newReportId();
    assignees.set(critical, null);
    assignees.set(routine, null);
    await deliver(world, { reportId, studyId: critical, isCritical: true, presignedUrl: `${storageUrl}/valid.pdf` });
    await deliver(world, {
      reportId: newReportId(),
      studyId: routine,
      isCritical: false,
      presignedUrl: `${storageUrl}/valid.pdf`,
    });
    const listed = async () => {
      const answer = await call(world.app, world.casey, { url: '/api/studies?critical=true&limit=100' });
      expect(answer.statusCode).toBe(200);
      return answer.json().studies.map((study: { studyId: string }) => study.studyId);
    };
    const ids = await listed();
    expect(ids).toContain(critical);
    expect(ids).not.toContain(routine);
    expect((await call(world.app, world.casey, { url: '/api/studies?critical=maybe' })).statusCode).toBe(400);
    expect(
      (
        await call(world.app, world.casey, {
          method: 'POST',
          url: `/api/studies/${critical}/reports/${reportId}/acknowledge`,
        })
      ).statusCode,
    ).toBe(200);
    expect(await listed()).not.toContain(critical);
  });
});

describe('reports in the embedded mode', () => {
  it('survive a restart: the reports and the open critical results are in SQLite under DATA_DIR', async () => {
    const dataDir = folder();
    const studyId = newStudyId();
    const reportId = newReportId();
    const first = await openState('in-process', dataDir);
    await handleReportDelivered(
      { reportId, studyId, isCritical: true, presignedUrl: 'https://storage.example/r.pdf', plainText: 'Critical.' },
      { shared: first, log: noLog },
    );
    await first.close();
    const second = await openState('in-process', dataDir);
    try {
      expect(await studyReports(second, studyId)).toEqual([
        expect.objectContaining({ reportId, isCritical: true, plainText: 'Critical.' }),
      ]);
      const { openCriticalResults } = await import('../../src/bff/reports/report-store.ts');
      expect(await openCriticalResults(second)).toContainEqual(expect.objectContaining({ studyId, reportId }));
      // And a repeat after the restart is still a repeat.
      expect(
        await handleReportDelivered(
          { reportId, studyId, isCritical: true, presignedUrl: 'https://storage.example/r.pdf' },
          { shared: second, log: noLog },
        ),
      ).toMatchObject({ recorded: false });
    } finally {
      await second.close();
    }
  });
});
