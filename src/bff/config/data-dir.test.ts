import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dataDirUses, openStorage, prepareDataDir, StartupError, storageFailure } from './data-dir.ts';

const folders: string[] = [];
function scratch(): string {
  const folder = mkdtempSync(join(tmpdir(), 'rw-data-dir-unit-'));
  folders.push(folder);
  return folder;
}

afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

describe('DATA_DIR checks', () => {
  it('knows what is kept there, and that nothing is with Avara, no PACS sync and Redis', () => {
    expect(dataDirUses({ ORTHANC_SYNC: true })).toEqual([
      "the bundled server's database",
      'the PACS sync state',
      'the shared state',
      'the queue history',
    ]);
    expect(
      dataDirUses({ AVARA_API_KEY: 'key-0123456789', ORTHANC_SYNC: false, REDIS_URL: 'redis://127.0.0.1:6379' }),
    ).toEqual([]);
    const notAFolder = join(scratch(), 'file');
    writeFileSync(notAFolder, 'x');
    expect(
      prepareDataDir({
        DATA_DIR: notAFolder,
        AVARA_API_KEY: 'key-0123456789',
        ORTHANC_SYNC: false,
        REDIS_URL: 'redis://127.0.0.1:6379',
      }),
    ).toBeUndefined();
  });

  it('makes a missing folder and leaves no probe behind', () => {
    const dataDir = join(scratch(), 'a', 'b');
    expect(prepareDataDir({ DATA_DIR: dataDir, ORTHANC_SYNC: false })).toBe(dataDir);
    expect(existsSync(dataDir)).toBe(true);
    expect(readdirSync(dataDir)).toEqual([]);
  });

  it('turns storage errors into one-line StartupErrors and passes others on', async () => {
    const path = join(scratch(), 'x.sqlite');
    const sqliteError = Object.assign(new Error('file is not a database'), {
      code: 'ERR_SQLITE_ERROR',
      errcode: 26,
      errstr: 'file is not a database',
    });
    expect(() =>
      openStorage('the test state', path, () => {
        throw sqliteError;
      }),
    ).toThrow(new StartupError(`Cannot open the test state ${path}: file is not a database (SQLite error 26)`));
    const fsError = Object.assign(new Error('EROFS: read-only file system'), { code: 'EROFS', syscall: 'open', path });
    await expect(Promise.reject(fsError).catch(storageFailure('the test state', path))).rejects.toThrow(
      `Cannot open the test state ${path}: the file system is read-only (EROFS)`,
    );
    const listenError = Object.assign(new Error('listen EADDRINUSE'), {
      code: 'EADDRINUSE',
      syscall: 'listen',
      address: '127.0.0.1',
    });
    await expect(Promise.reject(listenError).catch(storageFailure('the test state', path))).rejects.toBe(listenError);
  });
});
