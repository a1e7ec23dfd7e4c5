/**
 * Every access to patient data and every attempted change writes exactly one audit line, whatever
 * its outcome: through the API, the PACS routes, the viewer's pages, a launch link, under any
 * spelling of its path, and when the request is refused before its handler runs.
 */
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAuditLog } from '../../src/bff/auth/audit-log.ts';
import { startEmbeddedAvara, type EmbeddedAvara } from '../../src/bff/services/embedded-avara.ts';
import { buildPacsBff } from '../pacs/pacs-harness.ts';
import { json, oneStudyAvara, startRecordingUpstream, type RecordingUpstream } from '../support/recording-upstream.ts';
import { DEMO_COORDINATOR, DEMO_RADIOLOGIST, studyFixture } from '../support/study-fixture.ts';
import { signIn } from '../support/test-bff.ts';

const STUDY_ID = `stu_${'5e'.repeat(16)}`;
const UID = '1.2.840.113619.2.55.3.1';
const SERIES = 'aaaaaaaa-bbbbbbbb-cccccccc-dddddddd-eeeeeeee';
const INSTANCE = '11111111-22222222-33333333-44444444-55555555';

let avara: RecordingUpstream;
let orthanc: RecordingUpstream;
let embedded: EmbeddedAvara;
let app: FastifyInstance;
let folder: string;
let coordinator: Record<string, string>;
let radiologist: Record<string, string>;
const lines: string[] = [];

beforeAll(async () => {
  avara = await startRecordingUpstream(oneStudyAvara(STUDY_ID, studyFixture(STUDY_ID, { assignedTo: null })));
  orthanc = await startRecordingUpstream(json(200, []));
  folder = mkdtempSync(join(tmpdir(), 'audit-trail-'));
  embedded = await startEmbeddedAvara({
    databasePath: join(folder, 'avara.sqlite'),
    demoStudies: 0,
    launchBaseUrl: undefined,
    launchTtlSeconds: 60,
  });
  ({ app } = await buildPacsBff({
    avaraUrl: avara.url,
    apiKey: 'audit-trail-key-0123456789',
    orthancUrl: orthanc.url,
    viewer: true,
    extraRoutes: embedded.launchRoutes,
    auditLines: lines,
    env: { RATE_LIMIT_PER_MINUTE: '100000' },
  }));
  coordinator = await signIn(app, DEMO_COORDINATOR.email);
  radiologist = await signIn(app, DEMO_RADIOLOGIST.email);
});

afterAll(async () => {
  await app.close();
  await embedded.close();
  await avara.close();
  await orthanc.close();
  rmSync(folder, { recursive: true, force: true });
});

beforeEach(() => {
  lines.length = 0;
});

function entries(): Array<Record<string, unknown>> {
  return lines.map((line) => JSON.parse(line));
}

async function oneLineFor(request: InjectOptions): Promise<{ status: number; entry: Record<string, unknown> }> {
  lines.length = 0;
  const response = await app.inject(request);
  expect(
    lines,
    `${request.method ?? 'GET'} ${typeof request.url === 'string' ? request.url : JSON.stringify(request.url)} answered ${response.statusCode}`,
  ).toHaveLength(1);
  return { status: response.statusCode, entry: entries()[0] ?? {} };
}

describe('patient data read', () => {
  it('a list names the studies it returned', async () => {
    const { entry } = await oneLineFor({ url: '/api/studies?severity=stat', headers: coordinator });
    expect(entry).toMatchObject({
      action: 'study.list',
      studyIds: [STUDY_ID],
      outcome: 'ok',
      address: '127.0.0.1',
      user: { email: DEMO_COORDINATOR.email },
    });
  });

  it('the PACS context names the studies asked about', async () => {
    const { entry } = await oneLineFor({
      method: 'POST',
      url: '/api/pacs/context',
      headers: radiologist,
      payload: { studyInstanceUids: [UID] },
    });
    expect(entry).toMatchObject({
      action: 'pacs.context',
      studyInstanceUids: [UID],
      user: { email: DEMO_RADIOLOGIST.email },
    });
  });

  it("the viewer's series and a DICOM download name what was opened", async () => {
    const cookie = { cookie: coordinator.cookie ?? '' };
    const series = await oneLineFor({ url: `/web-viewer/series/${SERIES}`, headers: cookie });
    expect(series.entry).toMatchObject({ action: 'pacs.view-series', orthancSeriesId: SERIES, outcome: 'ok' });
    const file = await oneLineFor({ url: `/instances/${INSTANCE}/file`, headers: cookie });
    expect(file.entry).toMatchObject({ action: 'pacs.download-instance', orthancInstanceId: INSTANCE, outcome: 'ok' });
    // The viewer's own code is not patient data: no line.
    lines.length = 0;
    await app.inject({ url: '/web-viewer/app/viewer.html', headers: cookie });
    expect(lines).toHaveLength(0);
  });

  it('the viewer refused without a session still writes its line', async () => {
    const { status, entry } = await oneLineFor({ url: `/instances/${INSTANCE}/file` });
    expect(status).toBe(401);
    expect(entry).toMatchObject({
      action: 'pacs.download-instance',
      outcome: 'refused',
      status: 401,
      user: { email: null },
    });
  });

  it('opening a launch link, valid or not, names the study and who opened it', async () => {
    const created = await fetch(`${embedded.url}/v1/viewer/studies`, {
      method: 'POST',
      headers: { authorization: `Bearer ${embedded.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ severity: 'high', studyDescription: 'CT Chest', studyInstanceUid: '1.2.3.4.5' }),
    }).then((response) => response.json());
    const reroute = await fetch(`${embedded.url}/v1/viewer/studies/reroute-url`, {
      method: 'POST',
      headers: { authorization: `Bearer ${embedded.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ studyId: created.studyId }),
    }).then((response) => response.json());
    const link = new URL(reroute.url);
    const valid = await oneLineFor({
      url: `${link.pathname}${link.search}`,
      headers: { cookie: radiologist.cookie ?? '' },
    });
    expect(valid.status).toBe(200);
    expect(valid.entry).toMatchObject({
      action: 'study.launch',
      studyId: created.studyId,
      outcome: 'ok',
      user: { email: DEMO_RADIOLOGIST.email },
    });
    expect(JSON.stringify(valid.entry)).not.toContain('signature');
    const forged = await oneLineFor({ url: `/launch/${created.studyId}?expires=1&signature=forged` });
    expect(forged.entry).toMatchObject({
      action: 'study.launch',
      studyId: created.studyId,
      outcome: 'refused',
      status: 403,
    });
  });

  it('a path spelled another way is audited as the route it reached', async () => {
    const { entry } = await oneLineFor({ url: '/%61pi/studies', headers: coordinator });
    expect(entry).toMatchObject({ action: 'study.list', outcome: 'ok' });
    const anonymous = await oneLineFor({ url: '/%61pi/studies', headers: { 'x-csrf': '1' } });
    expect(anonymous.entry).toMatchObject({ action: 'study.list', outcome: 'refused', status: 401 });
  });
});

describe('changes refused before their handler', () => {
  type Build = () => InjectOptions;
  const patch =
    (headers: () => Record<string, string>, payload: InjectOptions['payload']): Build =>
    () => ({ method: 'PATCH', url: `/api/studies/${STUDY_ID}`, headers: headers(), payload });
  const json =
    (extra: Record<string, string> = {}) =>
    () => ({ ...coordinator, 'content-type': 'application/json', ...extra });

  it.each<[string, Build, number]>([
    [
      'a body that is not JSON (415)',
      patch(json({ 'content-type': 'application/x-www-form-urlencoded' }), 'severity=stat'),
      415,
    ],
    ['a body over the limit (413)', patch(json(), JSON.stringify({ metadata: { note: 'x'.repeat(300 * 1024) } })), 413],
    ['malformed JSON (400)', patch(json(), '{"severity": "st'), 400],
    ['a __proto__ body (400)', patch(json(), '{"__proto__": {"isAdmin": true}}'), 400],
    ['no anti-forgery header (403)', patch(() => ({ cookie: coordinator.cookie ?? '' }), { severity: 'stat' }), 403],
    ['no session (401)', patch(() => ({ 'x-csrf': '1' }), { severity: 'stat' }), 401],
    [
      'a radiologist cancelling (403)',
      () => ({ method: 'POST', url: `/api/studies/${STUDY_ID}/cancel`, headers: radiologist }),
      403,
    ],
  ])('%s writes one refused line naming the study', async (_name, build, status) => {
    avara.requests.length = 0;
    const result = await oneLineFor(build());
    expect(result.status).toBe(status);
    expect(result.entry).toMatchObject({ outcome: 'refused', status, studyId: STUDY_ID });
    expect(avara.requests).toHaveLength(0);
  });
});

describe('audit file rotation', () => {
  it('reopens the file on request: a rotation loses no line and writes none twice', async () => {
    const dir = join(folder, 'rotate');
    mkdirSync(dir);
    const file = join(dir, 'audit.log');
    writeFileSync(file, '');
    const log = createAuditLog(file);
    const user = { email: 'a@b.org', role: 'coordinator' as const, userId: null };
    const total = 2_000;
    for (let index = 0; index < total; index++) {
      log.record({ action: 'study.view', user, studyId: `stu_${String(index).padStart(32, '0')}`, outcome: 'ok' });
      if (index === 700) {
        // What logrotate does: move the file away, then signal the process, which reopens.
        await new Promise((resolve) => setImmediate(resolve));
        renameSync(file, `${file}.1`);
        log.reopen();
      }
      if (index % 250 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await log.close();
    const written = [readFileSync(`${file}.1`, 'utf8'), readFileSync(file, 'utf8')].join('').trimEnd().split('\n');
    const ids = written.map((line) => JSON.parse(line).studyId);
    expect(ids).toHaveLength(total);
    expect(new Set(ids).size).toBe(total);
    expect(readFileSync(file, 'utf8').length).toBeGreaterThan(0);
  });
});
