/**
 * Search over the PACS (GET /api/studies?search=…, modality, study dates; docs/decisions/025): a real
 * Orthanc, the bundled Avara-compatible server, and the BFF between them. Searches by patient name
 * (DICOM `^` or not, any order, any case, accents), MRN, accession and UID find exactly the worklist
 * studies the PACS says; modality and date filters agree with Orthanc's own DICOMweb answer; each page
 * costs Orthanc one request at most.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Severity, Study, StudyListPage } from '../../src/contract/avara-types.ts';
import { createOrthancStudy, generateUid, type DemoStudySpec, type RunningOrthanc } from '../support/orthanc.ts';
import { walkStudyList } from '../support/test-bff.ts';
import { signInFirstUser, startPacsStack, type CountingProxy, type PacsBff, type PacsStack } from './pacs-harness.ts';

let stack: PacsStack;
let orthanc: RunningOrthanc;
let proxy: CountingProxy;
let avaraProxy: CountingProxy;
let bff: PacsBff;
let headers: Record<string, string>;
/** Worklist study ID by a name of the test's own. */
const ids = new Map<string, string>();
const uids = new Map<string, string>();

interface Patient extends Omit<DemoStudySpec, 'bodyPart' | 'studyDescription'> {
  key: string;
  severity: Severity;
}

const PATIENTS: Patient[] = [
  {
    key: 'doe',
    patientName: 'DOE^JANE^M',
    patientId: 'MRN-DOE-1',
    modality: 'CT',
    accessionNumber: 'ACC-1001',
    studyDate: '20240315',
    severity: 'stat',
  },
  {
    key: 'doe2',
    patientName: 'DOE^JOHN',
    patientId: 'MRN-DOE-2',
    modality: 'MR',
    accessionNumber: 'ACC-1002',
    studyDate: '20240316',
    severity: 'normal',
  },
  {
    key: 'muller',
    patientName: 'MÜLLER^JÜRGEN',
    patientId: 'MRN-MUL-1',
    modality: 'CT',
    accessionNumber: 'ACC-1003',
    studyDate: '20240320',
    severity: 'high',
    characterSet: 'ISO_IR 192',
  },
  {
    key: 'garcia',
    patientName: 'GARCÍA LÓPEZ^MARÍA',
    patientId: 'MRN-GAR-1',
    modality: 'US',
    accessionNumber: 'ACC-1004',
    studyDate: '20240401',
    severity: 'normal',
    characterSet: 'ISO_IR 192',
  },
  {
    key: 'obrien',
    patientName: "O'BRIEN^SEAN",
    patientId: 'MRN-OBR-1',
    modality: 'CR',
    accessionNumber: 'ACC-1005',
    studyDate: '20240402',
    severity: 'normal',
  },
  {
    key: 'smith',
    patientName: 'SMITH^JANET',
    patientId: 'MRN-SMI-1',
    modality: 'CT',
    accessionNumber: 'ACC-1006',
    studyDate: '20240410',
    severity: 'high',
  },
];

beforeAll(async () => {
  stack = await startPacsStack({ stableAgeSeconds: 60, bff: { env: { RATE_LIMIT_PER_MINUTE: '100000' } } });
  ({ orthanc, proxy, avaraProxy, bff } = stack);
  for (const patient of PATIENTS) {
    const { key, severity, ...spec } = patient;
    const created = await createOrthancStudy(orthanc, {
      ...spec,
      bodyPart: 'CHEST',
      studyDescription: `Exam of ${key}`,
      studyInstanceUid: generateUid(),
    });
    uids.set(key, created.studyInstanceUid);
  }
  // The worklist: each PACS study, filler studies the PACS does not have (older, so a search walks past them), in one list.
  for (let index = 0; index < 30; index++) {
    await createWorklistStudy(
      `filler-${index}`,
      generateUid(),
      (['stat', 'high', 'normal'] as const)[index % 3] ?? 'normal',
    );
  }
  for (const patient of PATIENTS) await createWorklistStudy(patient.key, uids.get(patient.key) ?? '', patient.severity);
  headers = await signInFirstUser(bff);
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

async function createWorklistStudy(key: string, studyInstanceUid: string, severity: Severity): Promise<void> {
  const result = await bff.avara.createStudy({ studyInstanceUid, severity, studyDescription: `Exam of ${key}` });
  const created: unknown = JSON.parse(result.ok ? result.json : '{}');
  if (typeof created !== 'object' || created === null || !('studyId' in created) || typeof created.studyId !== 'string')
    throw new Error(`create failed: ${result.status}`);
  ids.set(key, created.studyId);
}

/** Every study of a searched list, walked to the end, with the pages it took. */
function walk(query: Record<string, string>, limit = 100): Promise<{ studies: Study[]; pages: number }> {
  return walkStudyList(bff.app, { ...query, limit: String(limit) }, headers);
}

async function found(query: Record<string, string>): Promise<string[]> {
  const byId = new Map([...ids].map(([key, id]) => [id, key]));
  return (await walk(query)).studies.map((study) => byId.get(study.studyId) ?? study.studyId).sort();
}

function qidoUids(query: Record<string, string>): Promise<string[]> {
  const params: URLSearchParams = new URLSearchParams(query);
  return fetch(`${orthanc.url}/dicom-web/studies?${params.toString()}`, {
    headers: { accept: 'application/dicom+json' },
  })
    .then((answer) => answer.json())
    .then((body: unknown) =>
      (Array.isArray(body) ? body : [])
        .map((dataset: unknown) => {
          const element: unknown =
            typeof dataset === 'object' && dataset !== null && '0020000D' in dataset ? dataset['0020000D'] : undefined;
          const value: unknown =
            typeof element === 'object' && element !== null && 'Value' in element && Array.isArray(element.Value)
              ? element.Value[0]
              : undefined;
          return typeof value === 'string' ? value : '';
        })
        .sort(),
    );
}

describe('search over the PACS', () => {
  it('costs Orthanc one lookup per upstream page walked, from its index, never one per study', async () => {
    proxy.requests.length = 0;
    avaraProxy.requests.length = 0;
    const { studies } = await walk({ search: 'doe', severity: 'normal' }, 5);
    const upstreamPages = avaraProxy.requests.filter((line) => line.startsWith('GET /v1/viewer/studies?')).length;
    expect(upstreamPages).toBeGreaterThan(1);
    // Each page's lookup: a Study-level and a Series-level find sent together, no DICOMweb search.
    const studyFinds = proxy.requests.filter((line) => line === 'POST /tools/find Study').length;
    const seriesFinds = proxy.requests.filter((line) => line === 'POST /tools/find Series').length;
    expect(studyFinds).toBeGreaterThan(0);
    expect(studyFinds).toBeLessThanOrEqual(upstreamPages);
    expect(seriesFinds).toBe(studyFinds);
    expect(proxy.requests.length).toBe(studyFinds + seriesFinds);
    // The rows' own ask for their context finds it cached: nothing more reaches Orthanc.
    const rows = await bff.app.inject({
      method: 'POST',
      url: '/api/pacs/context',
      headers: { ...headers, 'content-type': 'application/json' },
      payload: { studyInstanceUids: studies.map((study) => study.studyInstanceUid) },
    });
    expect(rows.statusCode, rows.body).toBe(200);
    expect(proxy.requests.length).toBe(studyFinds + seriesFinds);
    // The same search again is answered from the cache.
    proxy.requests.length = 0;
    await walk({ search: 'doe', severity: 'normal' }, 5);
    expect(proxy.requests).toEqual([]);
  });

  it('finds a patient by DICOM name, with or without the ^, in any order and case', async () => {
    expect(await found({ search: 'DOE^JANE' })).toEqual(['doe']);
    expect(await found({ search: 'jane doe' })).toEqual(['doe']);
    expect(await found({ search: 'Doe, Jane M' })).toEqual(['doe']);
    expect(await found({ search: 'doe' })).toEqual(['doe', 'doe2']);
    expect(await found({ search: 'JAN' })).toEqual(['doe', 'smith']);
    expect(await found({ search: "o'brien" })).toEqual(['obrien']);
  });

  it('finds names without regard to accents', async () => {
    expect(await found({ search: 'muller jurgen' })).toEqual(['muller']);
    expect(await found({ search: 'MÜLLER' })).toEqual(['muller']);
    expect(await found({ search: 'maria garcia' })).toEqual(['garcia']);
    expect(await found({ search: 'lopez' })).toEqual(['garcia']);
  });

  it('finds a study by MRN, accession number and UID, whole', async () => {
    expect(await found({ search: 'MRN-MUL-1' })).toEqual(['muller']);
    expect(await found({ search: 'mrn-doe-2' })).toEqual(['doe2']);
    expect(await found({ search: 'ACC-1004' })).toEqual(['garcia']);
    expect(await found({ search: 'ACC-100' })).toEqual([]);
    expect(await found({ search: uids.get('smith') ?? '' })).toEqual(['smith']);
  });

  it('keeps the severity groups and the other filters', async () => {
    expect(await found({ search: 'doe', severity: 'stat' })).toEqual(['doe']);
    expect(await found({ search: 'doe', severity: 'normal' })).toEqual(['doe2']);
    expect(await found({ search: 'doe', severity: 'high' })).toEqual([]);
    expect(await found({ search: 'Exam of filler-1', severity: 'high' })).toEqual([
      'filler-1',
      'filler-10',
      'filler-13',
      'filler-16',
      'filler-19',
    ]);
  });

  it('filters by modality as Orthanc answers ModalitiesInStudy', async () => {
    for (const modality of ['CT', 'MR', 'US', 'CR']) {
      const listed = (await walk({ modality })).studies.map((study) => study.studyInstanceUid).sort();
      expect(listed).toEqual(await qidoUids({ ModalitiesInStudy: modality }));
      expect(listed.length).toBeGreaterThan(0);
    }
    expect((await walk({ modality: 'ct' })).studies.length).toBe(3);
  });

  it('filters by study date range as Orthanc answers StudyDate', async () => {
    const ranges: Array<[string, string]> = [
      ['2024-03-15', '2024-03-16'],
      ['2024-03-17', '2024-04-01'],
      ['2024-04-02', '2024-04-02'],
    ];
    for (const [from, to] of ranges) {
      const listed = (await walk({ studyDateFrom: from, studyDateTo: to })).studies
        .map((study) => study.studyInstanceUid)
        .sort();
      expect(listed).toEqual(await qidoUids({ StudyDate: `${from.replaceAll('-', '')}-${to.replaceAll('-', '')}` }));
      expect(listed.length).toBeGreaterThan(0);
    }
    expect(await found({ studyDateFrom: '2024-04-01', modality: 'CT' })).toEqual(['smith']);
  });

  it('refuses a malformed search and a cursor made for another one', async () => {
    const bad = await bff.app.inject({ url: '/api/studies?modality=C*&studyDateFrom=2024-13-01', headers });
    expect(bad.statusCode).toBe(400);
    expect(
      bad
        .json<{ issues: Array<{ name: string }> }>()
        .issues.map((issue) => issue.name)
        .sort(),
    ).toEqual(['modality', 'studyDateFrom']);
    const first = (await bff.app.inject({ url: '/api/studies?search=doe&limit=5', headers })).json<StudyListPage>();
    expect(first.cursor).toBeTruthy();
    const other = await bff.app.inject({
      url: `/api/studies?search=smith&limit=5&cursor=${encodeURIComponent(first.cursor ?? '')}`,
      headers,
    });
    expect(other.statusCode).toBe(400);
  });
});
