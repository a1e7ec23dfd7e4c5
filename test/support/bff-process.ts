import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './orthanc.ts';

/** The real BFF (`node src/bff/server.ts`) as a child process, with its output kept for failures. */
export interface BffProcess {
  url: string;
  child: ChildProcess;
  output(): string;
  /** SIGTERM, then SIGKILL after 5 s; resolves once it has exited. */
  stop(): Promise<void>;
  /** SIGKILL at once: no shutdown hooks run, as in a crash or `kill -9`. */
  kill(): Promise<void>;
}

/** This process's environment with `extra` on top (NODE_ENV and PATH carried over). */
export function inheritedEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined) env[name] = value;
  return { ...env, ...extra };
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** How the process is started; by default `node src/bff/server.ts` in this checkout. */
export interface BffLaunch {
  command: string;
  args: string[];
  cwd?: string;
}

/** Starts the BFF on 127.0.0.1:`port` with `env`, and resolves once `/api/health` answers. */
export async function startBffProcess(
  port: number,
  env: Record<string, string>,
  timeoutMs = 30_000,
  launch: BffLaunch = { command: process.execPath, args: ['src/bff/server.ts'] },
): Promise<BffProcess> {
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  const child = spawn(launch.command, launch.args, {
    ...(launch.cwd ? { cwd: launch.cwd } : {}),
    // No demo arrivals unless the test asks for them: they would change its counts.
    env: inheritedEnv({ PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: url, DEMO_ARRIVALS_SECONDS: '0', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const process_: BffProcess = {
    url,
    child,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const done = exited(child);
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await done;
      clearTimeout(killer);
    },
    async kill() {
      const done = exited(child);
      child.kill('SIGKILL');
      await done;
    },
  };
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`The BFF exited while starting:\n${output}`);
        return fetch(`${url}/api/health`).then(
          (response) => response.ok,
          () => false,
        );
      },
      timeoutMs,
      'the BFF to answer',
    );
  } catch (error) {
    await process_.kill();
    throw error;
  }
  return process_;
}

/**
 * The BFF processes and data folders one test file starts, ended and removed together by `dispose`
 * (in its afterAll). `start` adds 20 demo studies and LOG_LEVEL=warn unless `env` says otherwise.
 */
export function bffProcessGroup(folderPrefix: string) {
  const folders: string[] = [];
  const processes: BffProcess[] = [];
  return {
    /** A new temporary folder, removed by `dispose`. */
    dataDir(): string {
      const folder = mkdtempSync(join(tmpdir(), folderPrefix));
      folders.push(folder);
      return folder;
    },
    async start(port: number, env: Record<string, string>, timeoutMs = 60_000): Promise<BffProcess> {
      const bff = await startBffProcess(port, { DEMO_STUDIES: '20', LOG_LEVEL: 'warn', ...env }, timeoutMs);
      processes.push(bff);
      return bff;
    },
    async dispose(): Promise<void> {
      await Promise.all(processes.map((bff) => bff.stop()));
      for (const folder of folders) rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** Signs in through the dev picker over HTTP and answers the session cookie (`name=value`). */
export async function signInOverHttp(url: string, username: string): Promise<string> {
  const response = await fetch(`${url}/auth/login`, {
    method: 'POST',
    headers: { 'x-csrf': '1', 'content-type': 'application/json' },
    body: JSON.stringify({ username }),
  });
  if (response.status !== 200) throw new Error(`Sign-in as ${username} answered ${response.status}, not 200`);
  const cookie = response.headers.getSetCookie()[0]?.split(';')[0];
  if (!cookie) throw new Error('no session cookie');
  return cookie;
}
