import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { startPacsSync, type PacsSync } from '../../src/bff/pacs/pacs-sync.ts';
import { parsePriorityMap, DEFAULT_PRIORITY_MAP } from '../../src/bff/pacs/priority.ts';
import { openSyncState } from '../../src/bff/pacs/sync-state.ts';
import type { EmbeddedAvara } from '../../src/bff/services/embedded-avara.ts';
import { buildTestBff, signIn } from '../support/test-bff.ts';
import {
  createOrthancStudy,
  generateUid,
  waitFor,
  type CreatedStudy,
  type RunningOrthanc,
} from '../support/orthanc.ts';
import {
  buildPacsBff,
  firstRosterEmail,
  signInFirstUser,
  startCountingProxy,
  startPacsStack,
  type CountingProxy,
  type PacsBff,
  type PacsStack,
} from './pacs-harness.ts';

let stack: PacsStack;
let orthanc: RunningOrthanc;
let proxy: CountingProxy;
let embedded: EmbeddedAvara;
let bff: PacsBff;
let sync: PacsSync;
let headers: Record<string, string>;
let ctChest: CreatedStudy;
const CT_CHEST_CONTEXT = {
  found: true,
  patientName: 'Doe, Jane M',
  patientId: 'MRN000123',
  modalities: ['CT'],
  studyDate: '2024-03-15',
  accessionNumber: 'ACC-CT-1',
  seriesCount: 2,
  instanceCount: 4,
};
let mrBrain: CreatedStudy;

beforeAll(async () => {
  stack = await startPacsStack({ stableAgeSeconds: 1, viewer: true });
  ({ orthanc, proxy, embedded, bff } = stack);
  [ctChest, mrBrain] = await Promise.all([
    createOrthancStudy(orthanc, {
      patientName: 'DOE^JANE^M',
      patientId: 'MRN000123',
      studyDescription: 'CT Chest with Contrast (routes test)',
      modality: 'CT',
      bodyPart: 'CHEST',
      accessionNumber: 'ACC-CT-1',
      studyDate: '20240315',
      priority: 'STAT',
      series: 2,
      instancesPerSeries: 2,
    }),
    createOrthancStudy(orthanc, {
      patientName: "O'BRIEN^SEAN",
      patientId: 'MRN000456',
      studyDescription: '',
      modality: 'MR',
      bodyPart: 'BRAIN',
      accessionNumber: 'ACC-MR-1',
      priority: 'HIGH',
    }),
  ]);
  sync = startPacsSync({
    orthanc: bff.pacs.orthanc,
    avara: bff.avara,
    state: openSyncState(':memory:'),
    priorityMap: parsePriorityMap(DEFAULT_PRIORITY_MAP),
    log: pino({ level: 'silent' }),
    pollIntervalMs: 200,
    backoff: { initialMs: 100, maxMs: 1_000 },
  });
  headers = await signInFirstUser(bff);
});

afterAll(async () => {
  await sync?.close();
  await stack?.close();
});

async function worklistStudy(app: FastifyInstance, uid: string): Promise<Record<string, unknown> | undefined> {
  const response = await app.inject({ url: `/api/studies/by-uid/${uid}`, headers });
  return response.statusCode === 200 ? response.json() : undefined;
}

describe('PACS arrivals', () => {
  it('puts a study created in Orthanc on the worklist (GET /api/studies), with severity and metadata from its tags', async () => {
    await waitFor(
      async () =>
        (await worklistStudy(bff.app, mrBrain.studyInstanceUid)) !== undefined &&
        (await worklistStudy(bff.app, ctChest.studyInstanceUid)) !== undefined,
      20_000,
      'the sync loop to create both studies',
    );
    const list = await bff.app.inject({ url: '/api/studies?limit=100&studyDescription=routes%20test', headers });
    expect(list.statusCode).toBe(200);
    const studies: Array<Record<string, unknown>> = list.json().studies;
    const ct = studies.find((study) => study.studyInstanceUid === ctChest.studyInstanceUid);
    expect(ct).toMatchObject({
      severity: 'stat',
      studyDescription: 'CT Chest with Contrast (routes test)',
      metadata: {
        accessionNumber: 'ACC-CT-1',
        modality: 'CT',
        orthancStudyId: ctChest.orthancStudyId,
        sourcePacs: 'orthanc:RW-TEST',
      },
    });
    // No StudyDescription: "<Modality> <BodyPartExamined>".
    expect(await worklistStudy(bff.app, mrBrain.studyInstanceUid)).toMatchObject({
      severity: 'high',
      studyDescription: 'MR BRAIN',
    });
  });
});

describe('POST /api/pacs/context', () => {
  it('answers a page of 100 rows with one Orthanc call, formatted for people, then from its cache', async () => {
    const unknown = Array.from({ length: 98 }, () => generateUid());
    const uids = [ctChest.studyInstanceUid, ...unknown.slice(0, 50), mrBrain.studyInstanceUid, ...unknown.slice(50)];
    const before = proxy.requests.length;
    const response = await bff.app.inject({
      method: 'POST',
      url: '/api/pacs/context',
      headers,
      payload: { studyInstanceUids: uids },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    // One DICOMweb study search for the whole page (it carries modalities and counts, which
    // Orthanc 1.10's /tools/find does not); nothing per row.
    const lookups = proxy.requests.slice(before).filter((line) => !line.startsWith('GET /changes'));
    expect(lookups).toHaveLength(1);
    expect(lookups[0]).toMatch(/^GET \/dicom-web\/studies\?StudyInstanceUID=[0-9.,]+&/);
    expect(lookups[0]?.split('StudyInstanceUID=')[1]?.split('&')[0]?.split(',')).toHaveLength(100);
    const { studies } = response.json();
    expect(Object.keys(studies)).toHaveLength(100);
    expect(studies[ctChest.studyInstanceUid]).toEqual(CT_CHEST_CONTEXT);
    expect(studies[mrBrain.studyInstanceUid]).toMatchObject({
      found: true,
      patientName: "O'Brien, Sean",
      modalities: ['MR'],
      seriesCount: 1,
      instanceCount: 1,
    });
    expect(studies[unknown[0] ?? '']).toEqual({ found: false });

    const again = proxy.requests.length;
    const cached = await bff.app.inject({
      method: 'POST',
      url: '/api/pacs/context',
      headers,
      payload: { studyInstanceUids: [ctChest.studyInstanceUid, mrBrain.studyInstanceUid] },
    });
    expect(cached.json().studies[ctChest.studyInstanceUid].found).toBe(true);
    expect(proxy.requests.slice(again).filter((line) => !line.startsWith('GET /changes'))).toEqual([]);
  });

  it('gives the same answer from two finds sent together when Orthanc has no DICOMweb plugin', async () => {
    const plain = await startCountingProxy(orthanc.url, { absent: (path) => path.startsWith('/dicom-web/') });
    const warnings: string[] = [];
    const withoutDicomWeb = await buildPacsBff({
      avaraUrl: embedded.url,
      apiKey: embedded.apiKey,
      orthancUrl: plain.url,
      pacsWarn: (message) => warnings.push(message),
    });
    try {
      const plainHeaders = await signIn(withoutDicomWeb.app, await firstRosterEmail(withoutDicomWeb));
      const uids = [ctChest.studyInstanceUid, mrBrain.studyInstanceUid, generateUid()];
      const first = await withoutDicomWeb.app.inject({
        method: 'POST',
        url: '/api/pacs/context',
        headers: plainHeaders,
        payload: { studyInstanceUids: uids },
      });
      expect(first.statusCode).toBe(200);
      expect(first.json().studies[ctChest.studyInstanceUid]).toEqual(CT_CHEST_CONTEXT);
      expect(first.json().studies[uids[2] ?? '']).toEqual({ found: false });
      expect(plain.requests.filter((line) => line.startsWith('POST /tools/find')).sort()).toEqual([
        'POST /tools/find Series',
        'POST /tools/find Study',
      ]);
      expect(warnings).toHaveLength(1);
      // Known absent from then on: later pages go straight to the finds.
      const before = plain.requests.length;
      await withoutDicomWeb.app.inject({
        method: 'POST',
        url: '/api/pacs/context',
        headers: plainHeaders,
        payload: { studyInstanceUids: [generateUid()] },
      });
      expect(plain.requests.slice(before).filter((line) => line.startsWith('GET /dicom-web'))).toEqual([]);
    } finally {
      await withoutDicomWeb.app.close();
      await plain.close();
    }
  });

  it('refuses more than 100 UIDs, malformed UIDs and a missing anti-forgery header, before asking Orthanc', async () => {
    const before = proxy.requests.filter((line) => !line.startsWith('GET /changes')).length;
    const tooMany = await bff.app.inject({
      method: 'POST',
      url: '/api/pacs/context',
      headers,
      payload: { studyInstanceUids: Array.from({ length: 101 }, () => generateUid()) },
    });
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.headers['content-type']).toContain('application/problem+json');
    const wildcard = await bff.app.inject({
      method: 'POST',
      url: '/api/pacs/context',
      headers,
      payload: { studyInstanceUids: ['1.2.*', '1.2\\3'] },
    });
    expect(wildcard.statusCode).toBe(400);
    expect(wildcard.json().issues).toHaveLength(2);
    const noBody = await bff.app.inject({ method: 'POST', url: '/api/pacs/context', headers, payload: {} });
    expect(noBody.statusCode).toBe(400);
    const { 'x-csrf': _csrf, ...withoutCsrf } = headers;
    const forged = await bff.app.inject({
      method: 'POST',
      url: '/api/pacs/context',
      headers: withoutCsrf,
      payload: { studyInstanceUids: [] },
    });
    expect(forged.statusCode).toBe(403);
    expect(proxy.requests.filter((line) => !line.startsWith('GET /changes')).length).toBe(before);
  });

  it('answers 503, retryable, when Orthanc cannot be reached', async () => {
    const down = await buildPacsBff({
      avaraUrl: embedded.url,
      apiKey: embedded.apiKey,
      orthancUrl: 'http://127.0.0.1:9',
    });
    try {
      const downHeaders = await signIn(down.app, await firstRosterEmail(down));
      const response = await down.app.inject({
        method: 'POST',
        url: '/api/pacs/context',
        headers: downHeaders,
        payload: { studyInstanceUids: [ctChest.studyInstanceUid] },
      });
      expect(response.statusCode).toBe(503);
      expect(response.json()).toMatchObject({ status: 503, retryable: true });
      const preview = await down.app.inject({
        url: `/api/pacs/studies/by-uid/${ctChest.studyInstanceUid}/preview`,
        headers: downHeaders,
      });
      expect(preview.statusCode).toBe(503);
    } finally {
      await down.app.close();
    }
  });
});

describe('GET /api/pacs/status', () => {
  it('says enabled with ORTHANC_URL, and disabled (not an error) without it', async () => {
    expect((await bff.app.inject({ url: '/api/pacs/status', headers })).json()).toEqual({ enabled: true });
    const plain = await buildTestBff({ upstreamUrl: embedded.url, apiKey: embedded.apiKey });
    try {
      const plainHeaders = await signIn(plain, await firstRosterEmail({ avara: bff.avara }));
      const status = await plain.inject({ url: '/api/pacs/status', headers: plainHeaders });
      expect(status.statusCode).toBe(200);
      expect(status.json()).toEqual({ enabled: false });
      expect(
        (
          await plain.inject({
            method: 'POST',
            url: '/api/pacs/context',
            headers: plainHeaders,
            payload: { studyInstanceUids: [] },
          })
        ).statusCode,
      ).toBe(404);
    } finally {
      await plain.close();
    }
  });
});

describe('GET /api/pacs/studies/by-uid/:uid/preview', () => {
  it('streams a PNG of the first image, and a 404 problem for a study the PACS does not have', async () => {
    const response = await bff.app.inject({
      url: `/api/pacs/studies/by-uid/${ctChest.studyInstanceUid}/preview`,
      headers,
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('image/png');
    expect(response.rawPayload.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const missing = await bff.app.inject({ url: `/api/pacs/studies/by-uid/${generateUid()}/preview`, headers });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toContain('application/problem+json');
    expect((await bff.app.inject({ url: '/api/pacs/studies/by-uid/1.2..3/preview', headers })).statusCode).toBe(400);
    expect(
      (await bff.app.inject({ url: `/api/pacs/studies/by-uid/${ctChest.studyInstanceUid}/preview` })).statusCode,
    ).toBe(403);
  });
});

describe('viewer launch', () => {
  it('redirects the launch link of a one-series study to the Orthanc web viewer of that series', async () => {
    await waitFor(
      async () => (await worklistStudy(bff.app, mrBrain.studyInstanceUid)) !== undefined,
      20_000,
      'the MR study on the worklist',
    );
    const study = await worklistStudy(bff.app, mrBrain.studyInstanceUid);
    const link = await bff.app.inject({
      method: 'POST',
      url: `/api/studies/${String(study?.studyId)}/viewer-url`,
      headers,
    });
    const launchUrl = new URL(link.json().url);
    const launch = await bff.app.inject({ url: launchUrl.pathname + launchUrl.search });
    expect(launch.statusCode).toBe(302);
    expect(String(launch.headers.location)).toBe(`/web-viewer/app/viewer.html?series=${mrBrain.seriesIds[0]}`);
  });

  it('lists every series of a study on its launch page, each opening the Orthanc web viewer served on the BFF origin to signed-in people only', async () => {
    await waitFor(
      async () => (await worklistStudy(bff.app, ctChest.studyInstanceUid)) !== undefined,
      20_000,
      'the CT study on the worklist',
    );
    const study = await worklistStudy(bff.app, ctChest.studyInstanceUid);
    const link = await bff.app.inject({
      method: 'POST',
      url: `/api/studies/${String(study?.studyId)}/viewer-url`,
      headers,
    });
    expect(link.statusCode).toBe(200);
    const launchUrl = new URL(link.json().url);
    const launch = await bff.app.inject({ url: launchUrl.pathname + launchUrl.search });
    expect(launch.statusCode).toBe(200);
    expect(launch.body).toContain('CT Chest with Contrast (routes test): 2 series');
    const hrefs = Array.from(launch.body.matchAll(/href="(\/web-viewer\/[^"]+)"/g), (match) => match[1]);
    expect(hrefs).toEqual(ctChest.seriesIds.map((id) => `/web-viewer/app/viewer.html?series=${id}`));
    expect(launch.body).toMatch(/Series \d+ · CT · [^<]*2 images/);
    const location = String(hrefs[0]);

    const cookie = { cookie: headers.cookie ?? '' };
    const page = await bff.app.inject({ url: location, headers: cookie });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Orthanc Web Viewer');
    expect(page.headers['content-security-policy']).toContain("script-src 'self' 'unsafe-hashes'");
    const series = await bff.app.inject({ url: `/web-viewer/series/${ctChest.seriesIds[0]}?_=1`, headers: cookie });
    expect(series.statusCode).toBe(200);
    expect(series.json().Slices.length).toBe(2);
    expect(series.headers['cache-control']).toBe('no-store');
    const script = await bff.app.inject({ url: '/web-viewer/app/viewer.js', headers: cookie });
    expect(script.statusCode).toBe(200);

    expect((await bff.app.inject({ url: location })).statusCode).toBe(401);
    expect((await bff.app.inject({ method: 'POST', url: location, headers: cookie })).statusCode).toBe(404);
    // Nothing outside the viewer's own paths is relayed, whatever the path spelling.
    const before = proxy.requests.length;
    for (const path of [
      '/web-viewer/../tools/find',
      '/web-viewer/app/../../patients',
      `/web-viewer/series/${ctChest.seriesIds[0]}/../../../studies`,
      '/web-viewer/app/%2e%2e/%2e%2e/patients',
      '/instances/../patients',
      '/patients',
    ]) {
      expect((await bff.app.inject({ url: path, headers: cookie })).statusCode).not.toBe(200);
    }
    expect(proxy.requests.slice(before).filter((line) => !line.startsWith('GET /changes'))).toEqual([]);
  });
});
