import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { seedDemoData } from '../seed/demo-data.ts';
import { escapeLike, openSqliteRepository } from './sqlite-repository.ts';
import { StudyService } from './study-service.ts';

const API_KEY = { apiKeyId: '0b7c8e0e-3c1f-4d8a-9f6e-1a2b3c4d5e6f', description: 'test key', isViewerEnabled: true };
const folders: string[] = [];

function temporaryFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'avara-sqlite-'));
  folders.push(folder);
  return folder;
}

afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

describe('SQLite repository', () => {
  it('keeps studies, edits and the roster across a reopen of the same file, in a folder it creates', () => {
    const path = join(temporaryFolder(), 'nested', 'data', 'avara.sqlite');
    const first = openSqliteRepository(path);
    seedDemoData(first, { studies: 0, apiKey: API_KEY });
    const service = new StudyService(first, { apiKey: API_KEY, viewerUrl: () => 'http://viewer.test' });
    const radiologist = service.listUsers({ lastName: 'Okafor' }).users[0];
    const study = service.createStudy({
      severity: 'stat',
      studyDescription: 'CT Head without Contrast',
      studyInstanceUid: '1.2.840.10008.1',
      assignedTo: radiologist?.userId,
      metadata: { accessionNumber: 'A100', 'key with spaces': 'värde' },
    });
    service.cancelStudy({ studyId: study.studyId });
    const before = service.retrieveStudy(study.studyId);
    first.close();

    const second = openSqliteRepository(path);
    const reopened = new StudyService(second, { apiKey: API_KEY, viewerUrl: () => 'http://viewer.test' });
    expect(reopened.retrieveStudy(study.studyId)).toEqual(before);
    expect(reopened.listStudies({ isCancelled: true }).studies).toEqual([before]);
    expect(reopened.listUsers({ limit: 100 }).users.length).toBe(14);
    // The seq keeps growing after a reopen, so new studies still sort last.
    const next = reopened.createStudy({
      severity: 'normal',
      studyDescription: 'XR Chest',
      studyInstanceUid: '1.2.840.10008.2',
    });
    expect(reopened.listStudies({}).studies.map((s) => s.studyId)).toEqual([study.studyId, next.studyId]);
    second.close();
  });

  it('writes in WAL mode with the indexes the list filters need', () => {
    const path = join(temporaryFolder(), 'avara.sqlite');
    openSqliteRepository(path).close();
    const db = new DatabaseSync(path);
    expect(db.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
    const indexes = db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'studies' AND name NOT LIKE 'sqlite_%'",
      )
      .all();
    expect(indexes.map((row) => row.name)).toEqual(
      expect.arrayContaining([
        'studies_by_triage',
        'studies_by_assignee',
        'studies_by_customer',
        'studies_by_cancelled',
      ]),
    );
    db.close();
  });

  it('refuses a database written by a newer schema', () => {
    const path = join(temporaryFolder(), 'avara.sqlite');
    const db = new DatabaseSync(path);
    db.exec('PRAGMA user_version = 99');
    db.close();
    expect(() => openSqliteRepository(path)).toThrow(/newer version/);
  });

  it('escapes LIKE wildcards and the escape character', () => {
    expect(escapeLike('100%_a\\b')).toBe('100\\%\\_a\\\\b');
  });
});
