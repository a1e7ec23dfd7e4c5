import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inheritedEnv, startBffProcess } from '../support/bff-process.ts';
import { freePort } from '../support/free-port.ts';

/**
 * The real BFF (`node src/bff/server.ts`) started on a DATA_DIR it cannot use stops at once with
 * exit code 1 and one line on stderr saying which folder or file and why, never a stack trace.
 * Tests run as root, for whom chmod takes nothing away, so the failures come from what root
 * cannot do either: a file where the folder should be, special file systems (/proc, /sys),
 * /dev/full (writes to it fail with ENOSPC), and, where `unshare -m` is allowed, a read-only or a
 * full tmpfs mounted in a private mount namespace (invisible to the rest of the machine).
 */

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

const BASE_ENV = {
  PORT: '0',
  HOST: '127.0.0.1',
  LOG_LEVEL: 'warn',
  DEMO_STUDIES: '0',
  AUDIT_LOG: 'stdout',
  AUTH_MODE: 'dev',
  NODE_ENV: 'test',
};

/** Runs a command that is expected to exit by itself (within 20 s: a hang is a failure too). */
function runToExit(command: string, args: string[], env: Record<string, string>): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: inheritedEnv({ ...BASE_ENV, ...env }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`still running after 20 s; output:\n${stdout}${stderr}`));
    }, 20_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function startBff(env: Record<string, string>): Promise<Exit> {
  return runToExit(process.execPath, ['src/bff/server.ts'], env);
}

/** Exit 1, one line on stderr matching `line`, and no stack frame anywhere in the output. */
function expectOneLineReason(exit: Exit, line: RegExp): void {
  expect(exit.code).toBe(1);
  const lines = exit.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(line);
  expect(`${exit.stdout}\n${exit.stderr}`).not.toMatch(/^\s+at /m);
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
let folder: string;

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'rw-data-dir-'));
});

afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
});

describe('DATA_DIR at start-up', () => {
  it('a regular file as DATA_DIR, or as one of its parents: one line naming the file', async () => {
    const file = join(folder, 'a-file');
    writeFileSync(file, 'not a folder');
    expectOneLineReason(
      await startBff({ DATA_DIR: file }),
      new RegExp(
        `^Cannot use DATA_DIR ${escape(file)} \\(for the bundled server's database, the shared state and the queue history\\): it is a file, not a folder$`,
      ),
    );
    expectOneLineReason(
      await startBff({ DATA_DIR: join(file, 'data') }),
      new RegExp(`^Cannot use DATA_DIR ${escape(join(file, 'data'))} .*: ${escape(file)} is a file, not a folder$`),
    );
    expectOneLineReason(
      await startBff({ DATA_DIR: '/dev/full' }),
      /^Cannot use DATA_DIR \/dev\/full .*: it is a device, not a folder$/,
    );
  });

  it('a DATA_DIR on /proc or /sys, where nothing can be written: one line, and no hang', async () => {
    // Node's own recursive mkdir never returns for a new folder under /proc.
    expectOneLineReason(
      await startBff({ DATA_DIR: `/proc/rw-data-${process.pid}` }),
      new RegExp(
        `^Cannot use DATA_DIR /proc/rw-data-${process.pid} .*: files or folders cannot be made there \\(ENOENT\\)$`,
      ),
    );
    expectOneLineReason(await startBff({ DATA_DIR: '/proc' }), /^Cannot use DATA_DIR \/proc .*\(ENOENT\)$/);
    expectOneLineReason(
      await startBff({ DATA_DIR: '/sys/rw-data' }),
      /^Cannot use DATA_DIR \/sys\/rw-data .*: permission denied \(EPERM\)$/,
    );
    expectOneLineReason(
      await startBff({ DATA_DIR: '/sys/kernel' }),
      /^Cannot use DATA_DIR \/sys\/kernel .*: permission denied \(EACCES\)$/,
    );
  });

  it('an AUDIT_LOG that cannot be written (under a file, or under /proc): one line, and no hang', async () => {
    const dataDir = join(folder, 'audit-data');
    const file = join(folder, 'audit-parent');
    writeFileSync(file, 'not a folder');
    expectOneLineReason(
      await startBff({ DATA_DIR: dataDir, AUDIT_LOG: join(file, 'audit.log') }),
      new RegExp(`^Cannot write the audit log ${escape(join(file, 'audit.log'))} \\(AUDIT_LOG\\): `),
    );
    expectOneLineReason(
      await startBff({ DATA_DIR: dataDir, AUDIT_LOG: `/proc/rw-audit-${process.pid}/audit.log` }),
      /^Cannot write the audit log \/proc\/rw-audit-\d+\/audit\.log \(AUDIT_LOG\): /,
    );
  });

  it('no space: the write probe goes to /dev/full (a symbolic link in its place)', async () => {
    const full = join(folder, 'full');
    mkdirSync(full);
    symlinkSync('/dev/full', join(full, '.write-probe'));
    expectOneLineReason(
      await startBff({ DATA_DIR: full }),
      new RegExp(`^Cannot use DATA_DIR ${escape(full)} .*: no space left on the device \\(ENOSPC\\)$`),
    );
  });

  it('a database file that cannot be opened: one line naming the file', async () => {
    const folderInPlace = join(folder, 'db-is-folder');
    mkdirSync(join(folderInPlace, 'avara.sqlite'), { recursive: true });
    expectOneLineReason(
      await startBff({ DATA_DIR: folderInPlace }),
      new RegExp(
        `^Cannot open the bundled server's database ${escape(join(folderInPlace, 'avara.sqlite'))}: it is a folder, not a database file$`,
      ),
    );

    const noSpace = join(folder, 'db-no-space');
    mkdirSync(noSpace);
    symlinkSync('/dev/full', join(noSpace, 'avara.sqlite'));
    expectOneLineReason(
      await startBff({ DATA_DIR: noSpace }),
      /^Cannot open the bundled server's database .*avara\.sqlite: database or disk is full \(SQLite error 13\)$/,
    );

    const notDatabase = join(folder, 'sync-not-database');
    mkdirSync(notDatabase);
    writeFileSync(join(notDatabase, 'pacs-sync.sqlite'), 'this is not SQLite '.repeat(300));
    const exit = await startBff({
      DATA_DIR: notDatabase,
      AVARA_API_KEY: 'test-key-0123456789',
      AVARA_BASE_URL: 'http://127.0.0.1:9',
      ORTHANC_URL: 'http://127.0.0.1:9',
    });
    expectOneLineReason(
      exit,
      new RegExp(
        `^Cannot open the PACS sync state ${escape(join(notDatabase, 'pacs-sync.sqlite'))}: file is not a database \\(SQLite error 26\\)$`,
      ),
    );
  });

  it('a missing DATA_DIR is made, parents included, and the probe leaves nothing behind', async () => {
    const dataDir = join(folder, 'new', 'nested', 'data');
    const bff = await startBffProcess(await freePort(), {
      DATA_DIR: dataDir,
      DEMO_STUDIES: '0',
      AUDIT_LOG: 'stdout',
      LOG_LEVEL: 'warn',
    });
    await bff.stop();
    expect(existsSync(join(dataDir, 'avara.sqlite'))).toBe(true);
    expect(readdirSync(dataDir).filter((name) => name.startsWith('.write-probe'))).toEqual([]);
  });
});

/** Whether this process may mount a tmpfs in a private mount namespace (root with CAP_SYS_ADMIN). */
function canMountPrivately(): boolean {
  const probe = mkdtempSync(join(tmpdir(), 'rw-unshare-'));
  try {
    return (
      spawnSync('unshare', ['-m', 'sh', '-c', 'mount -t tmpfs -o size=16k tmpfs "$0"', probe], { stdio: 'ignore' })
        .status === 0
    );
  } catch {
    return false;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

describe.skipIf(!canMountPrivately())('DATA_DIR on a read-only or a full file system (private tmpfs mounts)', () => {
  /** Starts the BFF inside `unshare -m` after `setup` (shell, "$MNT" is the mount point) has run. */
  async function startBffOnMount(
    setup: string,
    dataDir: (mount: string) => string,
  ): Promise<{ exit: Exit; dataDir: string }> {
    const mount = mkdtempSync(join(tmpdir(), 'rw-mount-'));
    try {
      const script = `set -e; MNT="$1"; ${setup}; export DATA_DIR="$2"; exec "$3" src/bff/server.ts`;
      const exit = await runToExit(
        'unshare',
        ['-m', 'sh', '-c', script, 'sh', mount, dataDir(mount), process.execPath],
        {},
      );
      return { exit, dataDir: dataDir(mount) };
    } finally {
      rmSync(mount, { recursive: true, force: true });
    }
  }

  it('read-only: one line saying so', async () => {
    const { exit, dataDir } = await startBffOnMount(
      'mount -t tmpfs -o size=64k tmpfs "$MNT"; mkdir "$MNT/data"; mount -o remount,ro "$MNT"',
      (mount) => join(mount, 'data'),
    );
    expectOneLineReason(
      exit,
      new RegExp(`^Cannot use DATA_DIR ${escape(dataDir)} .*: the file system is read-only \\(EROFS\\)$`),
    );
    const missing = await startBffOnMount('mount -t tmpfs -o size=64k,ro tmpfs "$MNT"', (mount) =>
      join(mount, 'new', 'data'),
    );
    expectOneLineReason(
      missing.exit,
      new RegExp(`^Cannot use DATA_DIR ${escape(missing.dataDir)} .*: the file system is read-only \\(EROFS\\)$`),
    );
  });

  it('full: one line saying there is no space', async () => {
    const { exit, dataDir } = await startBffOnMount(
      'mount -t tmpfs -o size=64k tmpfs "$MNT"; dd if=/dev/zero of="$MNT/fill" bs=4k 2>/dev/null || true',
      (mount) => join(mount, 'data'),
    );
    expectOneLineReason(
      exit,
      new RegExp(`^Cannot use DATA_DIR ${escape(dataDir)} .*: no space left on the device \\(ENOSPC\\)$`),
    );
  });
});
