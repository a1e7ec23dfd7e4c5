/**
 * The part every real server the tests run (Redis, nginx, Orthanc) has in common: a child process with
 * its output in a log file, started until it is ready, stopped with SIGTERM and then SIGKILL, and
 * started again on the same port and data. Also the readiness probes and the log tail for messages.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';

export interface ServerProcessOptions {
  command: string;
  args: string[];
  cwd: string;
  /** The file the process's stdout and stderr are appended to. */
  outputPath: string;
  /** Answers true once the server takes requests. */
  ready: () => Promise<boolean>;
  /** For messages: "redis-server on port 6379". */
  what: string;
  /** What to add to a failure message (the tail of the logs). */
  logs: () => string;
  /** 15 s unless given. */
  startTimeoutMs?: number;
  /** 25 ms unless given. */
  pollMs?: number;
  /** Between SIGTERM and SIGKILL; 5 s unless given. */
  graceMs?: number;
}

/** A server process that can be stopped and started again; `start` resolves once it is ready. */
export interface ServerProcess {
  start(): Promise<void>;
  /** SIGTERM (the default) with SIGKILL after the grace time, or SIGKILL at once; resolves once it has exited. */
  stop(options?: { signal?: 'SIGTERM' | 'SIGKILL' }): Promise<void>;
  pid(): number | undefined;
}

/** A stopped server process; call `start`. */
export function serverProcess(options: ServerProcessOptions): ServerProcess {
  const { startTimeoutMs = 15_000, pollMs = 25, graceMs = 5_000 } = options;
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  async function start(): Promise<void> {
    if (child) return;
    const output = openSync(options.outputPath, 'a');
    const started = spawn(options.command, options.args, { cwd: options.cwd, stdio: ['ignore', output, output] });
    closeSync(output);
    child = started;
    exited = new Promise((resolve) => started.once('exit', () => resolve()));
    void exited.then(() => {
      if (child === started) child = undefined;
    });
    const deadline = Date.now() + startTimeoutMs;
    for (;;) {
      if (child !== started) throw new Error(`${options.what} exited while starting; its log:\n${options.logs()}`);
      if (await options.ready()) return;
      if (Date.now() > deadline)
        throw new Error(`${options.what} was not ready within ${startTimeoutMs} ms; its log:\n${options.logs()}`);
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  async function stop({ signal = 'SIGTERM' }: { signal?: 'SIGTERM' | 'SIGKILL' } = {}): Promise<void> {
    const running = child;
    if (!running) return;
    running.kill(signal);
    const killer = setTimeout(() => running.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(killer);
    child = undefined;
  }

  return { start, stop, pid: () => child?.pid };
}

/** The last 20 lines of a log file, or "(no log)". */
export function logTail(path: string): string {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Opens a loopback TCP connection to `port`; `talk` decides the answer (true once connected by default). */
function probe(port: number, talk?: (socket: ReturnType<typeof connect>, finish: (ok: boolean) => void) => void) {
  return new Promise<boolean>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const finish = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('connect', () => (talk ? talk(socket, finish) : finish(true)));
  });
}

/** True when something accepts a TCP connection on the loopback port. */
export function acceptsConnection(port: number): Promise<boolean> {
  return probe(port);
}

/** True when something on the port answers PING with PONG (no client library involved). */
export function answersPing(port: number, password?: string): Promise<boolean> {
  return probe(port, (socket, finish) => {
    let answer = '';
    // With a password: AUTH first (its +OK line), then PING's answer is the second line.
    const lines = password ? 2 : 1;
    socket.on('data', (chunk) => {
      answer += chunk.toString();
      const got = answer.split('\r\n');
      if (got.length > lines) finish(got[lines - 1] === '+PONG');
    });
    socket.write(`${password ? `AUTH ${password}\r\n` : ''}PING\r\n`);
  });
}
