/**
 * A real Redis (Debian's /usr/bin/redis-server) for tests: its own process on a loopback port, with a
 * temporary folder and no persistence (`--save ''`, no AOF), so a stop and start is a Redis that lost
 * its data; or, with `appendOnly`, with an append-only file in that folder (fsync every second, as
 * docs/deploy.md recommends), so a stop and start keeps it. The system's redis service, if any, is
 * never used. Nothing here installs anything.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';
import { waitFor } from './orthanc.ts';

export const REDIS_SERVER_BINARY = process.env.REDIS_SERVER_BINARY ?? '/usr/bin/redis-server';

export interface RunningRedis {
  /** `redis://127.0.0.1:<port>` */
  url: string;
  port: number;
  directory: string;
  /** Stops the server (SIGTERM, then SIGKILL after 5 s); resolves once it has exited. */
  stop(): Promise<void>;
  /** Starts it again on the same port (empty unless `appendOnly`: nothing was saved). */
  start(): Promise<void>;
  /** Stops it and removes its folder. */
  dispose(): Promise<void>;
}

/** Starts redis-server and resolves once it answers PING. */
export async function startRedis(
  options: { port?: number; appendOnly?: boolean; password?: string } = {},
): Promise<RunningRedis> {
  if (!existsSync(REDIS_SERVER_BINARY)) {
    throw new Error(
      `redis-server is not installed (${REDIS_SERVER_BINARY} is missing): \`sudo apt-get install redis-server\`, or set REDIS_SERVER_BINARY.`,
    );
  }
  const directory = mkdtempSync(join(tmpdir(), 'rw-redis-'));
  const port = options.port ?? (await freePort());
  const logPath = join(directory, 'redis.log');
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    directory,
    '--save',
    '',
    ...(options.appendOnly ? ['--appendonly', 'yes', '--appendfsync', 'everysec'] : ['--appendonly', 'no']),
    '--daemonize',
    'no',
    '--logfile',
    logPath,
    ...(options.password ? ['--requirepass', options.password] : []),
  ];
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  async function start(): Promise<void> {
    if (child) return;
    const log = openSync(logPath, 'a');
    const started = spawn(REDIS_SERVER_BINARY, args, { cwd: directory, stdio: ['ignore', log, log] });
    closeSync(log);
    child = started;
    exited = new Promise((resolve) => started.once('exit', () => resolve()));
    void exited.then(() => {
      if (child === started) child = undefined;
    });
    await waitFor(
      async () => {
        if (child !== started) throw new Error(`redis-server exited while starting; its log:\n${tail(logPath)}`);
        return ping(port, options.password);
      },
      15_000,
      `redis-server on port ${port}`,
      25,
    );
  }

  async function stop(): Promise<void> {
    const running = child;
    if (!running) return;
    running.kill('SIGTERM');
    const killer = setTimeout(() => running.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(killer);
    child = undefined;
  }

  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    directory,
    start,
    stop,
    async dispose() {
      await stop();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** True when something on the port answers PING with PONG (no client library involved). */
function ping(port: number, password?: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let answer = '';
    const finish = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => finish(false));
    socket.once('error', () => finish(false));
    // With a password: AUTH first (its +OK line), then PING's answer is the second line.
    const lines = password ? 2 : 1;
    socket.once('connect', () => socket.write(`${password ? `AUTH ${password}\r\n` : ''}PING\r\n`));
    socket.on('data', (chunk) => {
      answer += chunk.toString();
      const got = answer.split('\r\n');
      if (got.length > lines) finish(got[lines - 1] === '+PONG');
    });
  });
}

function tail(path: string): string {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '(no log)';
  }
}
