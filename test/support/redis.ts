/**
 * A real Redis (Debian's /usr/bin/redis-server) for tests: its own process on a loopback port, with a
 * temporary folder and no persistence (`--save ''`, no AOF), so a stop and start is a Redis that lost
 * its data; or, with `appendOnly`, with an append-only file in that folder (fsync every second, as
 * docs/deploy.md recommends), so a stop and start keeps it. The system's redis service, if any, is
 * never used. Nothing here installs anything.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';
import { answersPing, logTail, serverProcess } from './server-process.ts';

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
  const server = serverProcess({
    command: REDIS_SERVER_BINARY,
    args: redisArgs({ ...options, port, directory, logPath }),
    cwd: directory,
    outputPath: logPath,
    ready: () => answersPing(port, options.password),
    what: `redis-server on port ${port}`,
    logs: () => logTail(logPath),
  });
  const start = () => server.start();
  const stop = () => server.stop();

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

/** redis-server's command line: loopback only, nothing saved unless `appendOnly`, the log in `logPath`. */
export function redisArgs(options: {
  port: number;
  directory: string;
  logPath: string;
  appendOnly?: boolean;
  password?: string;
}): string[] {
  return [
    '--port',
    String(options.port),
    '--bind',
    '127.0.0.1',
    '--dir',
    options.directory,
    '--save',
    '',
    ...(options.appendOnly ? ['--appendonly', 'yes', '--appendfsync', 'everysec'] : ['--appendonly', 'no']),
    '--daemonize',
    'no',
    '--logfile',
    options.logPath,
    ...(options.password ? ['--requirepass', options.password] : []),
  ];
}
