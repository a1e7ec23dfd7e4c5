import { closeSync, fsyncSync, mkdirSync, openSync, statSync, unlinkSync, writeSync, type Stats } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { BffConfig } from './env.ts';

/** A reason not to start, in one line for the person starting the server: printed as is, no stack. */
export class StartupError extends Error {}

/** Prints a StartupError's one line and exits 1; anything else is thrown on (a bug: its stack helps). */
export function exitOnStartupError(error: unknown): never {
  if (!(error instanceof StartupError)) throw error;
  console.error(error.message);
  process.exit(1);
}

type DataDirSettings = Pick<BffConfig, 'DATA_DIR' | 'AVARA_API_KEY' | 'ORTHANC_SYNC' | 'REDIS_URL'>;

/** What the BFF keeps under DATA_DIR with this configuration (nothing: the folder is not needed). */
export function dataDirUses(config: Omit<DataDirSettings, 'DATA_DIR'>): string[] {
  const uses: string[] = [];
  if (!config.AVARA_API_KEY) uses.push("the bundled server's database");
  if (config.ORTHANC_SYNC) uses.push('the PACS sync state');
  if (!config.REDIS_URL) uses.push('the shared state', 'the queue history');
  return uses;
}

const PROBE_NAME = '.write-probe';
const PROBE = Buffer.alloc(4096, 0x2e);

/**
 * Makes sure DATA_DIR can hold the BFF's files before anything opens one: creates it (and missing
 * parents) when absent, then writes, syncs and removes a probe file in it. Skipped when nothing
 * is kept there. Throws a StartupError naming the folder and why (read-only, not a folder, no
 * space, permission). Returns the absolute folder.
 */
export function prepareDataDir(config: DataDirSettings): string | undefined {
  const uses = dataDirUses(config);
  if (uses.length === 0) return undefined;
  const folder = resolve(config.DATA_DIR);
  try {
    ensureFolder(folder);
    probe(folder);
  } catch (error) {
    throw new StartupError(`Cannot use DATA_DIR ${folder} (for ${listed(uses)}): ${reasonOf(error, folder)}`);
  }
  return folder;
}

/**
 * Runs `open(path)` for a file under DATA_DIR; a storage failure (SQLite's or the file system's)
 * becomes a StartupError naming `what` and the file. Other errors are thrown on.
 */
export function openStorage<T>(what: string, path: string, open: (path: string) => T): T {
  try {
    return open(path);
  } catch (error) {
    return storageFailure(what, path)(error);
  }
}

/** For a promise's `.catch`: the same as openStorage, for an asynchronous open. */
export function storageFailure(what: string, path: string): (error: unknown) => never {
  return (error) => {
    if (!isSqliteError(error) && !isFileSystemError(error)) throw error;
    throw new StartupError(`Cannot open ${what} ${path}: ${reasonOf(error, path)}`);
  };
}

function listed(items: string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1) ?? ''}`;
}

/** A folder is a folder: Node's recursive mkdirSync never returns under /proc (it retries ENOENT), so each level is made here. */
export function ensureFolder(folder: string): void {
  const missing: string[] = [];
  for (let current = folder; ; current = dirname(current)) {
    const stats = statOrUndefined(current);
    if (stats) {
      if (!stats.isDirectory()) throw new NotAFolder(current, stats);
      break;
    }
    if (dirname(current) === current) break;
    missing.unshift(current);
  }
  for (const path of missing) {
    try {
      mkdirSync(path);
    } catch (error) {
      if (codeOf(error) !== 'EEXIST') throw error;
      // Made meanwhile (another instance starting): fine if it is a folder.
      const stats = statSync(path);
      if (!stats.isDirectory()) throw new NotAFolder(path, stats);
    }
  }
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (error) {
    if (codeOf(error) === 'ENOENT') return undefined;
    if (codeOf(error) === 'ENOTDIR') {
      // Some parent is a file: name it rather than the folder asked for.
      for (let parent = dirname(path); parent !== dirname(parent); parent = dirname(parent)) {
        const stats = statOrUndefined(parent);
        if (stats && !stats.isDirectory()) throw new NotAFolder(parent, stats);
      }
    }
    throw error;
  }
}

/** Writes a few KB, syncs them to the disk and removes the file: what SQLite's first write will need. */
function probe(folder: string): void {
  const path = join(folder, PROBE_NAME);
  const fd = openSync(path, 'w', 0o600);
  try {
    writeSync(fd, PROBE);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
    removeProbe(path);
  }
}

function removeProbe(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    // Another instance starting on the same folder removed it first.
    if (codeOf(error) !== 'ENOENT') throw error;
  }
}

class NotAFolder extends Error {
  readonly path: string;
  readonly kind: string;
  constructor(path: string, stats: Stats) {
    super(`${path} is not a folder`);
    this.path = path;
    this.kind = stats.isFile()
      ? 'a file'
      : stats.isCharacterDevice() || stats.isBlockDevice()
        ? 'a device'
        : stats.isFIFO()
          ? 'a pipe'
          : stats.isSocket()
            ? 'a socket'
            : 'not a folder';
  }
}

const REASONS: Record<string, string> = {
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is used up',
  ENOTDIR: 'part of the path is not a folder',
  EISDIR: 'it is a folder',
  ENOENT: 'files or folders cannot be made there',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the path is too long',
  EIO: 'input/output error',
};

/** One line saying why, with the system's error code for whoever looks it up. */
function reasonOf(error: unknown, path: string): string {
  if (error instanceof NotAFolder)
    return error.path === path ? `it is ${error.kind}, not a folder` : `${error.path} is ${error.kind}, not a folder`;
  if (isSqliteError(error)) {
    if (statOrUndefinedQuietly(path)?.isDirectory()) return 'it is a folder, not a database file';
    return `${error.errstr ?? error.message} (SQLite error ${error.errcode ?? '?'})`;
  }
  const code = codeOf(error);
  if (code && REASONS[code]) return `${REASONS[code]} (${code})`;
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}

function statOrUndefinedQuietly(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function codeOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;
}

function isSqliteError(error: unknown): error is Error & { errcode?: number; errstr?: string } {
  return error instanceof Error && codeOf(error) === 'ERR_SQLITE_ERROR';
}

/** An error from a file-system call (EACCES, EROFS, ENOSPC and the like: it names a path, unlike a socket's). */
function isFileSystemError(error: unknown): boolean {
  const code = codeOf(error);
  return (
    error instanceof Error && 'syscall' in error && 'path' in error && code !== undefined && /^E[A-Z]+$/.test(code)
  );
}
