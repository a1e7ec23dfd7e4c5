import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAuditLog } from './audit-log.ts';

describe('audit log to a file', () => {
  let folder: string | undefined;
  afterEach(() => {
    if (folder) rmSync(folder, { recursive: true, force: true });
    folder = undefined;
  });

  it('appends one JSON line per entry, readable only by its owner', async () => {
    folder = mkdtempSync(join(tmpdir(), 'audit-'));
    const file = join(folder, 'audit.log');
    const log = createAuditLog(file);
    const user = { email: 'a@b.org', role: 'coordinator' as const, userId: null };
    log.record({ action: 'study.view', user, studyId: 'stu_1', outcome: 'ok' });
    log.record({
      action: 'study.update',
      user,
      studyId: 'stu_1',
      before: { studyDescription: 'a\nb' },
      after: { studyDescription: 'c' },
      outcome: 'ok',
    });
    await log.close();
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[1] ?? '')).toMatchObject({ action: 'study.update', before: { studyDescription: 'a\nb' } });
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});
