import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../test/support/free-port.ts';
import { REDIS_SERVER_BINARY, redisArgs } from '../../test/support/redis.ts';
import { answersPing, logTail } from '../../test/support/server-process.ts';
import { REPO_ROOT } from './options.ts';

/** A child process the bench started; `stop` ends it (SIGTERM, then SIGKILL after a grace period). */
export interface BenchProcess {
  pid: number;
  url: string;
  stop(): Promise<void>;
}

const started = new Set<ChildProcess>();

/** Ends every child still running; the bench calls it on exit, error or Ctrl-C. */
export function killAll(): void {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** Keeps `child` among the processes killAll ends, and the tail of its output for error messages. */
export function track(child: ChildProcess, name: string): { output: () => string; stop: () => Promise<void> } {
  started.add(child);
  let output = '';
  const keep = (chunk: Buffer) => {
    // Only the tail matters for an error message; the rest would grow without bound.
    output = (output + chunk.toString('utf8')).slice(-8_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      started.delete(child);
      if (child.exitCode !== 0 && child.exitCode !== null && child.signalCode === null) {
        console.warn(`${name} exited with ${child.exitCode}:\n${output}`);
      }
    },
  };
}

/** Starts the bundled Avara-compatible server in its own process, seeding `studies` into a new database. */
export async function startUpstream(options: {
  dataDir: string;
  apiKey: string;
  studies: number;
}): Promise<BenchProcess & { seededMs: number }> {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'bench/lib/upstream-process.ts')], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      BENCH_DATABASE: join(options.dataDir, 'avara.sqlite'),
      BENCH_API_KEY: options.apiKey,
      BENCH_STUDIES: String(options.studies),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tracked = track(child, 'the bundled server');
  const line = await firstLine(child, 120_000, tracked.output);
  const parsed: unknown = JSON.parse(line);
  if (typeof parsed !== 'object' || parsed === null || !('url' in parsed) || typeof parsed.url !== 'string') {
    throw new Error(`The bundled server did not report its address: ${line}`);
  }
  const seededMs = 'seededMs' in parsed && typeof parsed.seededMs === 'number' ? parsed.seededMs : Number.NaN;
  return { pid: child.pid ?? 0, url: parsed.url, seededMs, stop: tracked.stop };
}

/** Starts the BFF (`node src/bff/server.ts`) with the bundled server as its Avara upstream, exactly as it would use Avara. */
export async function startBff(options: {
  dataDir: string;
  upstreamUrl: string;
  apiKey: string;
  nodeArgs?: string[];
  /** Added to (or replacing) the BFF's settings below, e.g. REDIS_URL for several instances. */
  env?: Record<string, string>;
  /** For messages ("the BFF", "BFF instance A"). */
  name?: string;
}): Promise<BenchProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), join(REPO_ROOT, 'src/bff/server.ts')], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'development',
      HOST: '127.0.0.1',
      PORT: String(port),
      AVARA_API_KEY: options.apiKey,
      AVARA_BASE_URL: options.upstreamUrl,
      DATA_DIR: options.dataDir,
      AUDIT_LOG: join(options.dataDir, 'audit.log'),
      LOG_LEVEL: 'warn',
      // The load run sends far more than a person would; the limiter itself still runs on every request.
      RATE_LIMIT_PER_MINUTE: '100000',
      AUTH_MODE: 'dev',
      // Never demo arrivals (they are refused with a key anyway): a .env in the checkout must not change the figures.
      DEMO_ARRIVALS_SECONDS: '0',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tracked = track(child, options.name ?? 'the BFF');
  const url = `http://127.0.0.1:${port}`;
  await waitForHealth(`${url}/api/health`, child, 60_000, tracked.output);
  return { pid: child.pid ?? 0, url, stop: tracked.stop };
}

/**
 * Starts a Redis of the bench's own (never a system service): loopback, a free port, `directory` as
 * its folder, nothing saved (`--save ''`, no AOF). Resolves once it answers PING.
 */
export async function startRedis(options: { directory: string }): Promise<BenchProcess> {
  if (!existsSync(REDIS_SERVER_BINARY)) {
    throw new Error(
      `redis-server is not installed (${REDIS_SERVER_BINARY} is missing): \`apt-get install redis-server\`, or set REDIS_SERVER_BINARY.`,
    );
  }
  mkdirSync(options.directory, { recursive: true });
  const port = await freePort();
  const logPath = join(options.directory, 'redis.log');
  const log = openSync(logPath, 'a');
  // Spawned here rather than with test/support's startRedis so that killAll ends it on Ctrl-C.
  const child = spawn(REDIS_SERVER_BINARY, redisArgs({ port, directory: options.directory, logPath }), {
    cwd: options.directory,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const tracked = track(child, 'redis-server');
  const deadline = Date.now() + 15_000;
  while (!(await answersPing(port))) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}:\n${logTail(logPath)}`);
    if (Date.now() > deadline)
      throw new Error(`redis-server did not answer PING on port ${port} within 15 s:\n${logTail(logPath)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return { pid: child.pid ?? 0, url: `redis://127.0.0.1:${port}`, stop: tracked.stop };
}

/** Resident set size of a process in bytes (Linux /proc). */
export function residentBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!match?.[1]) throw new Error(`No VmRSS for process ${pid}`);
  return Number(match[1]) * 1024;
}

function firstLine(child: ChildProcess, timeoutMs: number, output: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`No answer within ${timeoutMs} ms:\n${output()}`)), timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      const end = buffer.indexOf('\n');
      if (end >= 0) {
        clearTimeout(timer);
        resolve(buffer.slice(0, end));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Exited with ${code} before starting:\n${output()}`));
    });
  });
}

async function waitForHealth(url: string, child: ChildProcess, timeoutMs: number, output: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`The BFF exited with ${child.exitCode}:\n${output()}`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`The BFF did not answer ${url} within ${timeoutMs} ms:\n${output()}`);
}

/** CPU time (user + system) a process has used so far, in ms (Linux /proc; clock ticks of 10 ms). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks * 10;
}
