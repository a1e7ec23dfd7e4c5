import { randomBytes } from 'node:crypto';
import {
  LockLostError,
  LockTimeoutError,
  checkDuration,
  checkKey,
  type HeldLock,
  type LockManager,
  type LockOptions,
  type LockTask,
  type JsonObject,
} from './shared-state.ts';

// The lock and lease algorithms both implementations share; each supplies one atomic try.

const FIRST_RETRY_MS = 5;
const LONGEST_RETRY_MS = 20;
/** The longest wait for a lock, told of releases, before trying it again untold. */
export const UNTOLD_RETRY_MS = 250;

/**
 * How a wait hears of the releases of its lock: registers `wake`, called with what a release left
 * (its note, when the implementation carries it), and answers the function that unregisters it.
 */
export type ReleaseListener = (wake: (note?: JsonObject) => void) => () => void;

/** What a caller gives a wait besides its tries: the signal that ends it, and who is told a release's note. */
export type Waiting = Pick<LockOptions, 'signal' | 'heard'>;

/** The note first (a waiter that needs the lock no more aborts its signal there), then the wake. */
function tellingFirst(heard: Waiting['heard'], wake: () => void): (note?: JsonObject) => void {
  return (note) => {
    if (note) heard?.(note);
    wake();
  };
}

/** A random owner token; the instance id in front says whose it is when someone looks at the store. */
export function newLockToken(instanceId: string): string {
  return `${instanceId}.${randomBytes(12).toString('base64url')}`;
}

export function checkLockOptions(name: string, options: LockOptions): void {
  checkKey(name, 'lock name');
  checkDuration(options.ttlMs, 'ttlMs');
  if (options.waitMs !== undefined && (!Number.isSafeInteger(options.waitMs) || options.waitMs < 0)) {
    throw new TypeError('waitMs is a whole number of milliseconds, at least 0');
  }
}

/**
 * Calls `attempt` until it takes the lock or `waitMs` has passed, sleeping between tries with a
 * jittered backoff (5 ms doubling to 20 ms: a change waits for another of the same study, typically
 * a few milliseconds) so that many waiters do not retry in step. `onRelease`, when given, wakes the
 * wait early when this process released a lock of that name, after telling `waiting.heard` what the
 * release left. An aborted `waiting.signal` ends the wait without the lock. Errors (the store being
 * unavailable) end the wait at once.
 */
export async function acquireWithin(
  attempt: () => Promise<boolean>,
  waitMs: number,
  onRelease?: ReleaseListener,
  waiting: Waiting = {},
): Promise<boolean> {
  const stop = waiting.signal;
  const listen = onRelease && ((wake: () => void) => onRelease(tellingFirst(waiting.heard, wake)));
  const deadline = Date.now() + waitMs;
  let pause = FIRST_RETRY_MS;
  for (;;) {
    if (stop?.aborted) return false;
    if (await attempt()) return true;
    const left = deadline - Date.now();
    if (left <= 0 || stop?.aborted) return false;
    await pauseFor(Math.min(left, Math.ceil(pause / 2 + Math.random() * pause)), listen, stop);
    pause = Math.min(pause * 2, LONGEST_RETRY_MS);
  }
}

/**
 * Calls `attempt` until it takes the lock or `waitMs` has passed, waiting between tries to be told of
 * a release rather than polling: `listen` registers a wake for releases of this lock (made by any
 * instance) for the whole wait, so one heard while a try is on its way starts the next try at once;
 * `waiting.heard` is told what the release left first.
 * A try that finds the lock held answers how long the lock has left; without a wake, the next try
 * comes when that has passed (a crashed holder's lock lapses then), or after `UNTOLD_RETRY_MS` at
 * most (a wake lost on the way is only a delay). While `hearing()` is false (the release channel not
 * listened to yet, or lost), tries come as in acquireWithin's backoff instead. An aborted
 * `waiting.signal` ends the wait without the lock; errors (the store being unavailable) end it at once.
 */
export async function acquireWhenTold(
  attempt: (waitLeftMs: number) => Promise<true | number>,
  waitMs: number,
  listen: ReleaseListener,
  hearing: () => boolean,
  waiting: Waiting = {},
): Promise<boolean> {
  const stop = waiting.signal;
  const deadline = Date.now() + waitMs;
  let pause = FIRST_RETRY_MS;
  let told = false;
  let wakeNow: (() => void) | undefined;
  const unlisten = listen(
    tellingFirst(waiting.heard, () => {
      told = true;
      wakeNow?.();
    }),
  );
  try {
    for (;;) {
      if (stop?.aborted) return false;
      told = false;
      const answer = await attempt(Math.max(0, deadline - Date.now()));
      if (answer === true) return true;
      const left = deadline - Date.now();
      if (left <= 0 || stop?.aborted) return false;
      if (told) continue;
      const untold = hearing()
        ? Math.min(Math.max(1, answer), UNTOLD_RETRY_MS)
        : Math.min(Math.max(1, answer), Math.ceil(pause / 2 + Math.random() * pause));
      pause = Math.min(pause * 2, LONGEST_RETRY_MS);
      await pauseFor(
        Math.min(left, untold),
        (wake) => {
          wakeNow = wake;
          return () => (wakeNow = undefined);
        },
        stop,
      );
    }
  } finally {
    unlisten();
  }
}

/**
 * Resolves after `ms`, or as soon as `onRelease` wakes it or `stop` aborts (whichever comes first),
 * with every timer and listener removed. Plain timers and listeners rather than aborted promises: a
 * rush of claims makes many short waits, and an aborted timer promise costs an error with a stack.
 */
function pauseFor(
  ms: number,
  onRelease?: (wake: () => void) => () => void,
  stop?: AbortSignal,
): Promise<'time' | 'woken' | 'stopped'> {
  return new Promise((resolve) => {
    let unregister: (() => void) | undefined;
    const finish = (how: 'time' | 'woken' | 'stopped') => {
      clearTimeout(timer);
      unregister?.();
      stop?.removeEventListener('abort', stopped);
      resolve(how);
    };
    const stopped = () => finish('stopped');
    const timer = setTimeout(() => finish('time'), ms);
    unregister = onRelease?.(() => finish('woken'));
    stop?.addEventListener('abort', stopped, { once: true });
  });
}

/**
 * The turns of this process's own callers for each lock name, first come first served: only the
 * first of them asks the store, the others wait here without a round trip and start the moment the
 * one before them is done. Fifty requests for one study on an instance cost one waiter at the store,
 * not fifty polling it.
 */
export interface LocalTurns {
  /** Waits for this caller's turn at `name`: the function that ends it, or undefined when `waitMs` passed or `stop` aborted first. */
  take(name: string, waitMs: number, stop?: AbortSignal): Promise<(() => void) | undefined>;
}

export function createLocalTurns(): LocalTurns {
  const queues = new Map<string, Array<{ wake: () => void }>>();
  return {
    async take(name, waitMs, stop) {
      let queue = queues.get(name);
      if (!queue) {
        queue = [];
        queues.set(name, queue);
      }
      const line = queue;
      let wakeTurn = () => {};
      const turn = { wake: () => wakeTurn() };
      line.push(turn);
      const end = () => {
        const index = line.indexOf(turn);
        if (index < 0) return;
        line.splice(index, 1);
        if (index === 0) line[0]?.wake();
        if (line.length === 0 && queues.get(name) === line) queues.delete(name);
      };
      if (line[0] === turn) return end;
      if (waitMs <= 0 || stop?.aborted) {
        end();
        return undefined;
      }
      const outcome = await pauseFor(
        waitMs,
        (wake) => {
          wakeTurn = wake;
          return () => (wakeTurn = () => {});
        },
        stop,
      );
      if (outcome === 'woken') return end;
      end();
      return undefined;
    },
  };
}

/** The handle of a lock taken with `token`. */
export function heldLock(locks: LockManager, name: string, token: string, left?: JsonObject): HeldLock {
  return {
    name,
    token,
    ...(left ? { left } : {}),
    release: (note) => locks.release(name, token, note),
    extend: (ttlMs) => locks.extend(name, token, ttlMs),
  };
}

/**
 * `withLock` over any LockManager: this process's turn first (LocalTurns), then the lock itself
 * within what is left of `waitMs`, extended every ttlMs/3 while the task runs, released.
 */
export async function runWithLock<T>(
  locks: LockManager,
  turns: LocalTurns,
  name: string,
  options: LockOptions,
  task: LockTask<T>,
): Promise<T> {
  const started = Date.now();
  const waitMs = options.waitMs ?? 0;
  const endTurn = await turns.take(name, waitMs, options.signal);
  if (!endTurn) throw new LockTimeoutError(name);
  try {
    const lock = await locks.acquire(name, { ...options, waitMs: Math.max(0, waitMs - (Date.now() - started)) });
    if (!lock) throw new LockTimeoutError(name);
    return await runHolding(lock, options.ttlMs, task);
  } finally {
    endTurn();
  }
}

async function runHolding<T>(lock: HeldLock, ttlMs: number, task: LockTask<T>): Promise<T> {
  const controller = new AbortController();
  let extending: Promise<void> | undefined;
  let released: Promise<unknown> | undefined;
  const lost = () => controller.abort(new LockLostError(lock.name));
  const renewal = setInterval(
    () => {
      if (extending || released || controller.signal.aborted) return;
      extending = lock
        .extend(ttlMs)
        .then((kept) => (kept ? undefined : lost()), lost)
        .finally(() => (extending = undefined));
    },
    Math.max(1, Math.floor(ttlMs / 3)),
  );
  // A release that cannot reach the store leaves the lock to expire by itself; the task's outcome stands.
  const release = (note?: JsonObject): void => {
    if (released) return;
    clearInterval(renewal);
    // Sent in this very turn when no extension is on its way: it goes out with whatever the task sent just before.
    released = extending
      ? extending.then(() => lock.release(note)).catch(() => false)
      : lock.release(note).catch(() => false);
  };
  try {
    return await task(controller.signal, release, lock.left);
  } finally {
    release();
    await released;
  }
}
