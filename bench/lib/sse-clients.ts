import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './options.ts';
import { track } from './processes.ts';
import { TOKEN_PREFIX, type ClientCommand, type ClientReply, type Collected } from './sse-clients-protocol.ts';

export { TOKEN_PREFIX };

/** Every client of every process, for one token. */
export interface AllCollected {
  /** Arrival times (process.hrtime in ms), every client's. */
  arrivals: number[];
  missing: number;
  ended: number;
  /** Per process: CPU used from its first client's arrival to its last's, and that span. */
  perProcess: Array<{ cpuMs: number; spreadMs: number }>;
}

/** Event-stream clients spread over `processes` child processes (bench/lib/sse-clients-process.ts). */
export interface SseClientPool {
  /**
   * Opens `count` streams to `url` (spread over the processes), cycling through `cookies`; resolves
   * once each has had its first event (the stream is live), throws if any is refused or sends none.
   */
  open(url: string, cookies: readonly string[], count: number): Promise<void>;
  /** Waits until every open client has had `token` (throws after `timeoutMs` naming how many had not). */
  collect(token: string, timeoutMs?: number): Promise<AllCollected>;
  /** Closes every stream (the processes stay). */
  closeStreams(): Promise<void>;
  /** Ends the processes. */
  stop(): Promise<void>;
}

interface Worker {
  child: ChildProcess;
  stop: () => Promise<void>;
  call<T extends ClientReply['type']>(
    command: DistributiveOmit<ClientCommand, 'id'>,
    expect: T,
  ): Promise<Extract<ClientReply, { type: T }>>;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A token no other change carries: the prefix, then letters and digits. */
export function newToken(label: string, sample: number): string {
  // Negative samples are warm-ups: "w1", "w2"… (a minus sign would end the token).
  const number = sample < 0 ? `w${-sample}` : `n${sample}`;
  return `${TOKEN_PREFIX}${label.replace(/[^a-z0-9]/g, '')}${Date.now().toString(36)}${number}`;
}

async function startWorker(index: number): Promise<Worker> {
  const child = fork(join(REPO_ROOT, 'bench/lib/sse-clients-process.ts'), [], {
    cwd: REPO_ROOT,
    execArgv: [],
    env: { PATH: process.env.PATH ?? '' },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const tracked = track(child, `event-stream client process ${index + 1}`);
  const pending = new Map<number, { resolve: (reply: ClientReply) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`The event-stream client process did not start:\n${tracked.output()}`)),
      30_000,
    );
    child.on('message', (reply: ClientReply) => {
      if (reply.type === 'ready') {
        clearTimeout(timer);
        resolve();
        return;
      }
      const waiter = pending.get(reply.id);
      pending.delete(reply.id);
      waiter?.resolve(reply);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      const error = new Error(`The event-stream client process exited with ${code}:\n${tracked.output()}`);
      reject(error);
      for (const waiter of pending.values()) waiter.reject(error);
      pending.clear();
    });
  });
  await ready;
  return {
    child,
    stop: tracked.stop,
    call: (command, expect) =>
      new Promise((resolve, reject) => {
        const id = nextId;
        nextId += 1;
        pending.set(id, {
          resolve: (reply) => {
            if (reply.type === expect) resolve(reply as Extract<ClientReply, { type: typeof expect }>);
            else
              reject(
                new Error(
                  reply.type === 'error'
                    ? reply.message
                    : `Unexpected answer ${reply.type} from an event-stream client process`,
                ),
              );
          },
          reject,
        });
        child.send({ ...command, id });
      }),
  };
}

export async function startSseClients(processes: number): Promise<SseClientPool> {
  const workers = await Promise.all(Array.from({ length: Math.max(1, processes) }, (_, index) => startWorker(index)));
  const opened = workers.map(() => 0);
  return {
    async open(url, cookies, count) {
      // Each process takes its share; the first ones take the remainder.
      const shares = workers.map(
        (_, index) => Math.floor(count / workers.length) + (index < count % workers.length ? 1 : 0),
      );
      const answers = await Promise.all(
        workers.map((worker, index) =>
          (shares[index] ?? 0) > 0
            ? worker.call(
                { type: 'open', url, cookies: [...cookies], count: shares[index] ?? 0, concurrency: 25 },
                'opened',
              )
            : Promise.resolve(undefined),
        ),
      );
      const refused = answers.flatMap((answer) => answer?.refused ?? []);
      answers.forEach((answer, index) => {
        if (answer) opened[index] = answer.open;
      });
      if (refused.length > 0) {
        const reason = (status: string) =>
          status === '0' ? 'no answer' : status === '1' ? 'no first event within 15 s' : status;
        const byStatus = Object.entries(Object.groupBy(refused, (status) => String(status))).map(
          ([status, list]) => `${list?.length ?? 0} × ${reason(status)}`,
        );
        throw new Error(`${refused.length} of ${count} event streams to ${url} were refused (${byStatus.join(', ')})`);
      }
    },
    async collect(token, timeoutMs = 10_000) {
      const answers = await Promise.all(
        workers.map((worker, index) =>
          (opened[index] ?? 0) > 0
            ? worker.call({ type: 'collect', token, timeoutMs }, 'collected')
            : Promise.resolve(undefined),
        ),
      );
      const parts = answers.flatMap((answer): Collected[] => (answer ? [answer.collected] : []));
      const all: AllCollected = {
        arrivals: parts.flatMap((part) => part.arrivals),
        missing: parts.reduce((sum, part) => sum + part.missing, 0),
        ended: parts.reduce((sum, part) => sum + part.ended, 0),
        perProcess: parts.map((part) => ({ cpuMs: part.cpuMs, spreadMs: part.spreadMs })),
      };
      if (all.missing > 0) {
        throw new Error(
          `${all.missing} of ${all.arrivals.length + all.missing} event-stream clients did not get the event of ${token} within ${timeoutMs} ms (${all.ended} streams had ended)`,
        );
      }
      return all;
    },
    async closeStreams() {
      await Promise.all(workers.map((worker) => worker.call({ type: 'close' }, 'closed')));
      opened.fill(0);
    },
    async stop() {
      await Promise.all(workers.map((worker) => worker.stop()));
    },
  };
}

/** process.hrtime in ms: the clock the client processes take their arrival times with. */
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
