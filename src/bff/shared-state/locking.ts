import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { LockLostError, LockTimeoutError, checkDuration, checkKey, type HeldLock, type LockManager, type LockOptions } from './shared-state.ts';

// The lock and lease algorithms both implementations share; each supplies one atomic try.

const FIRST_RETRY_MS = 5;
const LONGEST_RETRY_MS = 20;

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
 * jittered backoff (5 ms doubling to 20 ms: a change waits for another of the same study, typically a few milliseconds) so that many waiters do not retry in step. `released`,
 * when given, resolves early when this process released a lock of that name (and rejects once its
 * signal aborts). Errors (the store being unavailable) end the wait at once.
 */
export async function acquireWithin(
  attempt: () => Promise<boolean>,
  waitMs: number,
  released?: (signal: AbortSignal) => Promise<unknown>,
): Promise<boolean> {
  const deadline = Date.now() + waitMs;
  let pause = FIRST_RETRY_MS;
  for (;;) {
    if (await attempt()) return true;
    const left = deadline - Date.now();
    if (left <= 0) return false;
    const jittered = Math.min(left, Math.ceil(pause / 2 + Math.random() * pause));
    const abort = new AbortController();
    const wakers = [sleep(jittered, undefined, { signal: abort.signal })];
    if (released) wakers.push(released(abort.signal).then(() => undefined));
    await Promise.race(wakers).catch(() => undefined);
    abort.abort();
    await Promise.allSettled(wakers);
    pause = Math.min(pause * 2, LONGEST_RETRY_MS);
  }
}

/** The handle of a lock taken with `token`. */
export function heldLock(locks: LockManager, name: string, token: string): HeldLock {
  return {
    name,
    token,
    release: () => locks.release(name, token),
    extend: (ttlMs) => locks.extend(name, token, ttlMs),
  };
}

/** `withLock` over any LockManager: acquire, extend every ttlMs/3 while the task runs, release. */
export async function runWithLock<T>(
  locks: LockManager,
  name: string,
  options: LockOptions,
  task: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const lock = await locks.acquire(name, options);
  if (!lock) throw new LockTimeoutError(name);
  return runHolding(lock, options.ttlMs, task);
}

async function runHolding<T>(lock: HeldLock, ttlMs: number, task: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let extending: Promise<void> | undefined;
  const lost = () => controller.abort(new LockLostError(lock.name));
  const renewal = setInterval(() => {
    if (extending || controller.signal.aborted) return;
    extending = lock
      .extend(ttlMs)
      .then((kept) => (kept ? undefined : lost()), lost)
      .finally(() => (extending = undefined));
  }, Math.max(1, Math.floor(ttlMs / 3)));
  try {
    return await task(controller.signal);
  } finally {
    clearInterval(renewal);
    await extending;
    // A release that cannot reach the store leaves the lock to expire by itself; the task's outcome stands.
    await lock.release().catch(() => false);
  }
}
