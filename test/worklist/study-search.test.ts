/**
 * Search without a PACS (GET /api/studies?search=…; docs/decisions/025): the BFF finds studies by what
 * the worklist knows, description, UID and metadata values such as the accession number, walking the
 * bundled Avara-compatible server's list page by page to the end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAvaraServer, type RunningAvaraServer } from '../../src/avara-server/create-avara-server.ts';
import type { Study } from '../../src/contract/avara-types.ts';
import { buildTestBff, signIn, walkStudyList } from '../support/test-bff.ts';

const KEY = 'study-search-key-0123456789';

let folder: string;
let avara: RunningAvaraServer;
let app: FastifyInstance;
let headers: Record<string, string>;
let radiologist: Record<string, string>;

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'rw-search-'));
  avara = await startAvaraServer({ databasePath: join(folder, 'avara.sqlite'), apiKey: KEY, demoStudies: 0 });
  app = await buildTestBff({ upstreamUrl: avara.url, apiKey: KEY, env: { RATE_LIMIT_PER_MINUTE: '100000' } });
  for (let index = 0; index < 250; index++) {
    avara.service.createStudy({
      severity: index % 2 === 0 ? 'normal' : 'high',
      studyDescription: index % 50 === 7 ? 'CT Abdomen Pelvis' : `XR Hand ${index}`,
      studyInstanceUid: `1.2.826.0.3.${index}`,
      metadata: { accessionNumber: `ACC${String(index).padStart(5, '0')}`, modality: index % 50 === 7 ? 'CT' : 'CR' },
    });
  }
  const users = avara.service.listUsers({ limit: 100 }).users;
  const coordinator = users.find((user) => user.canManageStudies);
  const reader = users.find((user) => user.clinicRole === 'Radiologist' && !user.canManageStudies);
  if (!coordinator || !reader) throw new Error('the roster lacks people');
  headers = await signIn(app, coordinator.email);
  radiologist = await signIn(app, reader.email);
});

afterAll(async () => {
  await app.close();
  await avara.close();
  rmSync(folder, { recursive: true, force: true });
});

function walk(query: Record<string, string>, as = headers): Promise<{ studies: Study[]; pages: number }> {
  return walkStudyList(app, query, as);
}

describe('search without a PACS', () => {
  it('finds a study by the accession number in its metadata, whole and in any case', async () => {
    const { studies, pages } = await walk({ search: 'acc00213', limit: '100' });
    expect(studies.map((study) => study.studyInstanceUid)).toEqual(['1.2.826.0.3.213']);
    // Three upstream pages of 100: one answer walks on through several within its time budget.
    expect(pages).toBeLessThanOrEqual(3);
    expect((await walk({ search: 'ACC0021' })).studies).toEqual([]);
  });

  it('finds descriptions by substring, and UIDs whole, to the end of the list', async () => {
    const { studies } = await walk({ search: 'ct abdomen', limit: '20' });
    expect(studies.map((study) => study.studyInstanceUid)).toEqual(
      [7, 57, 107, 157, 207].map((index) => `1.2.826.0.3.${index}`),
    );
    expect((await walk({ search: '1.2.826.0.3.42' })).studies.map((study) => study.studyDescription)).toEqual([
      'XR Hand 42',
    ]);
  });

  it('keeps the severity and the modality from the metadata', async () => {
    expect(
      (await walk({ search: 'ct abdomen', severity: 'high' })).studies.map((study) => study.studyInstanceUid),
    ).toEqual([7, 57, 107, 157, 207].map((index) => `1.2.826.0.3.${index}`));
    expect((await walk({ search: 'ct abdomen', severity: 'normal' })).studies).toEqual([]);
    expect((await walk({ modality: 'CT' })).studies).toHaveLength(5);
  });

  it('searches the merged "mine and unassigned" list too', async () => {
    const { studies } = await walk(
      { search: 'ACC00057', assignedTo: 'mine-or-unassigned', severity: 'high' },
      radiologist,
    );
    expect(studies.map((study) => study.studyInstanceUid)).toEqual(['1.2.826.0.3.57']);
  });

  it('finds nothing overdue among studies that arrived just now', async () => {
    expect((await walk({ overdue: 'true', severity: 'high' })).studies).toEqual([]);
  });
});
