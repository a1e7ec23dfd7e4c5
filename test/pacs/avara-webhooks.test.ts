import type { FastifyInstance } from 'fastify';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDicomFileUrls } from '../../src/bff/pacs/dicom-file-urls.ts';
import type { EmbeddedAvara } from '../../src/bff/services/embedded-avara.ts';
import { generateWebhookKey } from '../../src/bff/webhooks/webhook-keys.ts';
import {
  createOrthancStudy,
  generateUid,
  orthancPost,
  type CreatedStudy,
  type RunningOrthanc,
} from '../support/orthanc.ts';
import { signDelivery } from '../support/webhook-delivery.ts';
import { buildPacsBff, startPacsStack, type CountingProxy, type PacsBff, type PacsStack } from './pacs-harness.ts';

// Avara's image-access and enrichment webhooks against a real Orthanc: what the BFF answers is
// compared with what Orthanc itself holds.

const KEY = generateWebhookKey();
const signer = new Webhook(KEY);
const BASE = 'http://bff.example';

let stack: PacsStack;
let orthanc: RunningOrthanc;
let proxy: CountingProxy;
let embedded: EmbeddedAvara;
let bff: PacsBff;
let app: FastifyInstance;
let ctChest: CreatedStudy;
let ctChestStudyId: string;
let cancelledStudy: CreatedStudy;
let cancelledStudyId: string;
const audit: string[] = [];

async function worklistStudy(created: CreatedStudy, description: string): Promise<string> {
  const answer = await bff.avara.createStudy({
    severity: 'normal',
    studyDescription: description,
    studyInstanceUid: created.studyInstanceUid,
  });
  if (!answer.ok) throw new Error(`createStudy answered ${answer.status}`);
  return String((answer.body as { studyId: string }).studyId);
}

beforeAll(async () => {
  stack = await startPacsStack({
    launchBaseUrl: undefined,
    bff: {
      auditLines: audit,
      webhooks: { keys: [KEY], events: ['*'], dicomUrlTtlSeconds: 600, publicUrl: () => BASE },
    },
  });
  ({ orthanc, proxy, embedded, bff } = stack);
  app = bff.app;
  [ctChest, cancelledStudy] = await Promise.all([
    createOrthancStudy(orthanc, {
      patientName: 'DOE^JANE^M',
      patientId: 'MRN000777',
      patientBirthDate: '19800214',
      patientSex: 'F',
      studyDescription: 'CT Chest with Contrast (webhooks test)',
      modality: 'CT',
      bodyPart: 'CHEST',
      accessionNumber: 'ACC-WH-1',
      studyDate: '20240315',
      studyTime: '101530',
      series: 3,
      instancesPerSeries: 2,
      imageSize: 64,
    }),
    createOrthancStudy(orthanc, {
      patientName: 'ROE^RICHARD',
      patientId: 'MRN000778',
      studyDescription: 'XR Chest',
      modality: 'CR',
      bodyPart: 'CHEST',
      accessionNumber: 'ACC-WH-2',
      imageSize: 32,
    }),
  ]);
  ctChestStudyId = await worklistStudy(ctChest, 'CT Chest with Contrast');
  cancelledStudyId = await worklistStudy(cancelledStudy, 'XR Chest');
  const cancelled = await bff.avara.cancelStudy({ studyId: cancelledStudyId });
  if (!cancelled.ok) throw new Error(`cancel answered ${cancelled.status}`);
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

let sequence = 0;
async function webhook(type: string, data: Record<string, unknown>) {
  const id = `msg_pacs_${++sequence}_${Date.now()}`;
  const { body, headers } = signDelivery(signer, id, JSON.stringify({ id: `whe_${sequence}`, type, data }));
  return app.inject({ method: 'POST', url: '/webhooks/avara', headers, payload: body });
}

interface AccessAnswer {
  authorized: boolean;
  urls: string[];
  error?: string;
  manifest?: {
    studyInstanceUID: string;
    series: Array<{
      seriesInstanceUID: string;
      modality?: string;
      seriesNumber?: number;
      seriesDescription?: string;
      sops: Array<Record<string, unknown>>;
    }>;
  };
}

async function orthancJson(path: string): Promise<unknown> {
  const response = await fetch(`${orthanc.url}${path}`);
  return response.json();
}

function pathOf(url: string): string {
  expect(url.startsWith(`${BASE}/dicom-files/`)).toBe(true);
  return url.slice(BASE.length);
}

describe('study.access_requested', () => {
  let answer: AccessAnswer;

  beforeAll(async () => {
    proxy.requests.length = 0;
    const response = await webhook('study.access_requested', {
      studyId: ctChestStudyId,
      studyInstanceUid: ctChest.studyInstanceUid,
    });
    expect(response.statusCode).toBe(200);
    answer = response.json();
  });

  it('authorizes a study of several series with one URL per instance, in few Orthanc requests', () => {
    expect(answer.authorized).toBe(true);
    expect(answer.urls).toHaveLength(6);
    expect(new Set(answer.urls).size).toBe(6);
    // One Series-level find, one instances-tags per series, one file header per series (these
    // generated files carry no SOPClassUID in their data set): never one request per instance.
    const toOrthanc = proxy.requests.filter((line) => !line.startsWith('GET /system'));
    expect(toOrthanc.filter((line) => line.startsWith('POST /tools/find'))).toEqual(['POST /tools/find Series']);
    expect(toOrthanc.filter((line) => line.includes('/instances-tags'))).toHaveLength(3);
    expect(toOrthanc.length).toBeLessThanOrEqual(1 + 3 + 3);
  });

  it('gives a manifest whose series, instances and UIDs are those Orthanc holds', async () => {
    const manifest = answer.manifest;
    expect(manifest?.studyInstanceUID).toBe(ctChest.studyInstanceUid);
    expect(manifest?.series).toHaveLength(3);
    const sops = manifest?.series.flatMap((series) => series.sops) ?? [];
    expect(sops).toHaveLength(6);
    expect(manifest?.series.map((series) => series.seriesNumber)).toEqual([1, 2, 3]);
    for (const seriesId of ctChest.seriesIds) {
      const tags = (await orthancJson(`/series/${seriesId}`)) as {
        MainDicomTags: Record<string, string>;
        Instances: string[];
      };
      const listed = manifest?.series.find(
        (series) => series.seriesInstanceUID === tags.MainDicomTags.SeriesInstanceUID,
      );
      expect(listed, tags.MainDicomTags.SeriesInstanceUID).toBeDefined();
      expect(listed?.modality).toBe('CT');
      expect(listed?.seriesDescription).toBe(tags.MainDicomTags.SeriesDescription);
      const uids = await Promise.all(
        tags.Instances.map(
          async (id) =>
            ((await orthancJson(`/instances/${id}`)) as { MainDicomTags: { SOPInstanceUID: string } }).MainDicomTags
              .SOPInstanceUID,
        ),
      );
      expect(listed?.sops.map((sop) => sop.sopInstanceUID).sort()).toEqual(uids.sort());
    }
    for (const sop of sops) {
      expect(sop).toMatchObject({
        rows: 64,
        columns: 64,
        bitsAllocated: 8,
        photometricInterpretation: 'MONOCHROME2',
        samplesPerPixel: 1,
        sopClassUID: expect.stringMatching(/^[0-9.]+$/),
      });
      expect(sop.instanceNumber).toBeGreaterThan(0);
    }
  });

  it("gives URLs whose bytes are Orthanc's file of that instance, without a session, not stored, audited", async () => {
    const sops = answer.manifest?.series.flatMap((series) => series.sops) ?? [];
    audit.length = 0;
    for (const [index, url] of answer.urls.entries()) {
      const response = await app.inject({ method: 'GET', url: pathOf(url) });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('application/dicom');
      expect(response.headers['cache-control']).toBe('no-store');
      const instanceId = pathOf(url).split('/')[2]?.split('?')[0] ?? '';
      const original = Buffer.from(await (await fetch(`${orthanc.url}/instances/${instanceId}/file`)).arrayBuffer());
      expect(response.rawPayload.equals(original), url).toBe(true);
      expect(response.rawPayload.subarray(128, 132).toString('latin1')).toBe('DICM');
      // The URL at this position is the file of the sop at the same position in the manifest.
      const tags = (await orthancJson(`/instances/${instanceId}`)) as { MainDicomTags: { SOPInstanceUID: string } };
      expect(tags.MainDicomTags.SOPInstanceUID).toBe(sops[index]?.sopInstanceUID);
    }
    const lines = audit.map((line) => JSON.parse(line));
    expect(lines).toHaveLength(6);
    expect(
      lines.every(
        (line) =>
          line.action === 'pacs.dicom-file' &&
          line.actor === 'avara-webhook' &&
          line.outcome === 'ok' &&
          typeof line.orthancInstanceId === 'string',
      ),
    ).toBe(true);
    expect(audit.join('\n')).not.toContain('signature=');
  });

  it('lets a viewer fetch many more files a minute than RATE_LIMIT_PER_MINUTE allows other requests', async () => {
    const limited = await buildPacsBff({
      avaraUrl: embedded.url,
      apiKey: embedded.apiKey,
      orthancUrl: orthanc.url,
      env: { RATE_LIMIT_PER_MINUTE: '3' },
      webhooks: { keys: [KEY], events: ['*'], dicomUrlTtlSeconds: 600, publicUrl: () => BASE },
    });
    try {
      const urls = createDicomFileUrls({ shared: limited.shared, baseUrl: () => BASE, ttlSeconds: 600 });
      const instanceId = ctChest.instanceIds[0] ?? '';
      const path = pathOf((await urls.urlFor(instanceId)).url);
      for (let fetchNumber = 1; fetchNumber <= 12; fetchNumber++) {
        expect((await limited.app.inject({ method: 'GET', url: path })).statusCode, `fetch ${fetchNumber}`).toBe(200);
      }
      // Anything else from that address keeps the usual budget: unsigned webhook calls, say.
      const others = await Promise.all(
        [1, 2, 3, 4].map(() => limited.app.inject({ method: 'POST', url: '/webhooks/avara', payload: '{}' })),
      );
      expect(others.map((other) => other.statusCode)).toContain(429);
    } finally {
      await limited.app.close();
    }
  });

  it('answers 403 to an altered or expired URL, and a URL opens only its own instance', async () => {
    const [first = '', second = ''] = answer.urls.map(pathOf);
    const url = new URL(first, BASE);
    const other = new URL(second, BASE);
    const signature = url.searchParams.get('signature') ?? '';
    const flipped = `${signature.slice(0, -1)}${signature.endsWith('A') ? 'B' : 'A'}`;
    const cases = [
      `${url.pathname}?expires=${url.searchParams.get('expires')}&signature=${flipped}`,
      `${url.pathname}?expires=${Number(url.searchParams.get('expires')) + 1}&signature=${signature}`,
      `${other.pathname}?expires=${url.searchParams.get('expires')}&signature=${signature}`,
      `${url.pathname}?expires=${url.searchParams.get('expires')}`,
      url.pathname,
    ];
    for (const path of cases) {
      const response = await app.inject({ method: 'GET', url: path });
      expect(response.statusCode, path).toBe(403);
      expect(response.headers['content-type'], path).toMatch(/^application\/problem\+json/);
    }
    const instanceId = url.pathname.split('/')[2] ?? '';
    // Signed with the BFF's own secret (the same shared state), but an hour ago with a 10-minute lifetime.
    const urls = createDicomFileUrls({ shared: bff.shared, baseUrl: () => BASE, ttlSeconds: 600 });
    const expired = await urls.urlFor(instanceId, Date.now() - 3_600_000);
    const response = await app.inject({ method: 'GET', url: pathOf(expired.url) });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ title: 'This file link has expired' });
  });

  it('answers authorized: false for a study Orthanc does not have, one cancelled on the worklist, and one not named', async () => {
    const unknownUid = generateUid();
    const unknown = (await webhook('study.access_requested', { studyInstanceUid: unknownUid })).json();
    expect(unknown).toMatchObject({ authorized: false, urls: [] });
    expect(unknown.error).toMatch(/not on the worklist|not in the PACS/);

    const notInPacs = await bff.avara.createStudy({
      severity: 'normal',
      studyDescription: 'Not in the PACS',
      studyInstanceUid: unknownUid,
    });
    expect(notInPacs.ok).toBe(true);
    const missing = (await webhook('study.access_requested', { studyInstanceUid: unknownUid })).json();
    expect(missing).toEqual({ authorized: false, urls: [], error: 'The study is not in the PACS.' });

    const cancelled = (
      await webhook('study.access_requested', {
        studyId: cancelledStudyId,
        studyInstanceUid: cancelledStudy.studyInstanceUid,
      })
    ).json();
    expect(cancelled).toEqual({ authorized: false, urls: [], error: 'The study is cancelled on the worklist.' });

    const mismatch = (
      await webhook('study.access_requested', { studyId: cancelledStudyId, studyInstanceUid: ctChest.studyInstanceUid })
    ).json();
    expect(mismatch).toMatchObject({ authorized: false, urls: [] });

    const unnamed = (await webhook('study.access_requested', { studyId: ctChestStudyId })).json();
    expect(unnamed).toMatchObject({ authorized: false, urls: [] });
  });
});

describe('patient_study.enrichment_requested', () => {
  it("answers the study's patient tags from Orthanc", async () => {
    const enrichedUid = generateUid();
    await orthancPost(orthanc, '/tools/create-dicom', {
      Force: true,
      Tags: {
        PatientName: 'SMITH^ANNA',
        PatientID: 'MRN000900',
        PatientBirthDate: '19750630',
        PatientSex: 'F',
        PatientSize: '1.68',
        PatientWeight: '61.5',
        StudyInstanceUID: enrichedUid,
        SeriesInstanceUID: generateUid(),
        SOPInstanceUID: generateUid(),
        StudyDescription: 'MRI Knee Left',
        StudyDate: '20240401',
        StudyTime: '083000',
        ReferringPhysicianName: 'HOUSE^GREGORY',
        InstitutionName: 'General Hospital',
        AccessionNumber: 'ACC-WH-3',
        Modality: 'MR',
      },
    });
    const response = await webhook('patient_study.enrichment_requested', {
      clinicId: 'cln_1',
      studyInstanceUid: enrichedUid,
      accessionNumber: 'ACC-WH-3',
      patientId: 'MRN000900',
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      patientName: 'Smith, Anna',
      mrn: 'MRN000900',
      dateOfBirth: '1975-06-30',
      sex: 'female',
      studyDate: '2024-04-01',
      studyTime: '08:30:00',
      studyDescription: 'MRI Knee Left',
      referringPhysicianName: 'House, Gregory',
      facilityName: 'General Hospital',
      height: { value: 1.68, unit: 'm' },
      weight: { value: 61.5, unit: 'kg' },
    });
  });

  it('answers the tags of the several-series study, and nothing for an unknown study or another patient', async () => {
    const ct = (
      await webhook('patient_study.enrichment_requested', {
        clinicId: 'cln_1',
        studyInstanceUid: ctChest.studyInstanceUid,
      })
    ).json();
    expect(ct).toMatchObject({
      patientName: 'Doe, Jane M',
      mrn: 'MRN000777',
      dateOfBirth: '1980-02-14',
      sex: 'female',
      studyDate: '2024-03-15',
      studyTime: '10:15:30',
    });
    for (const data of [
      { studyInstanceUid: generateUid() },
      { studyInstanceUid: ctChest.studyInstanceUid, patientId: 'MRN999999' },
      { studyInstanceUid: 'not a uid' },
    ]) {
      const response = await webhook('patient_study.enrichment_requested', { clinicId: 'cln_1', ...data });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({});
    }
  });
});
