import type { FastifyBaseLogger } from 'fastify';

/**
 * The coordination interface of the BFF: everything that must be the same for everyone who works the
 * worklist, whichever BFF instance serves them. Two implementations: in-process (records and locks in
 * SQLite under DATA_DIR, events in memory; one instance) and Redis (REDIS_URL; any number of
 * instances). The same test suite runs against both (shared-state.test.ts); decision record 013.
 */
export interface SharedState {
  /** Which implementation this is. */
  readonly kind: 'in-process' | 'redis';
  /** This instance's identity: the owner of its leader leases and the `source` of the events it publishes. */
  readonly instanceId: string;
  readonly records: RecordStore;
  readonly locks: LockManager;
  readonly events: EventBus;
  readonly leadership: LeaderLeases;
  /**
   * The rate limit's counters, shared by every instance (Redis), or undefined: @fastify/rate-limit
   * then counts in memory, for this instance alone (auth/rate-limit-store.ts). While Redis is down
   * they fail at once; the plugin is registered with `skipOnError: true` so reads go on.
   */
  readonly rateLimits: RateLimitCounters | undefined;
  /** 'ok', or 'unavailable' while Redis cannot be reached (every operation then throws SharedStateUnavailableError). */
  status(): SharedStateStatus;
  /** Calls `listener` on every change of `status()`; returns the function that stops it. */
  onStatusChange(listener: (status: SharedStateStatus) => void): () => void;
  /** Stops timers and subscriptions and closes the database or connections; later calls throw. */
  close(): Promise<void>;
}

export type SharedStateStatus = 'ok' | 'unavailable';

// ---------------------------------------------------------------------------------------------------
// Records with expiry

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
/** A record's value: anything JSON can carry, as an object (a type alias or an object literal, not an interface). */
export type JsonObject = { [key: string]: JsonValue };

/** One record as stored. */
export interface StoredRecord {
  key: string;
  value: JsonObject;
  /** Changes on every write and is never reused, even after the record expired: what `ifVersion` compares. */
  version: number;
  /** When it expires (epoch ms), or null when it never does. */
  expiresAt: number | null;
}

export interface SetRecordOptions {
  /** Lifetime from now; absent: the record never expires. */
  ttlMs?: number;
  /** Write only when no live record has this key (an atomic claim). */
  ifAbsent?: boolean;
  /** Write only when the live record still has this version (compare-and-set). */
  ifVersion?: number;
}

export interface UpdateRecordOptions {
  /** Lifetime from now of the written record; absent: it never expires. */
  ttlMs?: number;
  /** How often a write that lost a race is tried again before UpdateConflictError; default 20. */
  attempts?: number;
}

export interface ListRecordsOptions {
  /** Only keys starting with this. */
  prefix?: string;
  /** Only keys after this one (the previous page's `nextAfter`). */
  after?: string;
  /** At most this many records, 1-1000; default 100. */
  limit?: number;
}

export interface RecordPage {
  /** Live records in key order (byte order of their UTF-8). */
  records: StoredRecord[];
  /** Where the next page starts (`after`), when there may be more. */
  nextAfter?: string;
}

/**
 * Short-lived and durable JSON records (sessions, sign-ins in progress, reading leases, presence,
 * saved views), each under a namespace (`[a-z][a-z0-9-]*`) and a key (1-512 characters).
 * An expired record is gone for every method at once; its storage is swept later.
 */
export interface RecordStore {
  /** The live record, or undefined. */
  get(namespace: string, key: string): Promise<StoredRecord | undefined>;
  /** Writes the record (replacing any), or nothing when `ifAbsent`/`ifVersion` does not hold: the written record, or undefined. */
  set(namespace: string, key: string, value: JsonObject, options?: SetRecordOptions): Promise<StoredRecord | undefined>;
  /**
   * Read-change-write without lost updates: `change` gets the live record (or undefined) and returns the
   * new value, or undefined to write nothing. It must be synchronous and may run more than once
   * (whenever another writer got in between). Resolves to the written record, or undefined when
   * `change` wrote nothing.
   */
  update(
    namespace: string,
    key: string,
    change: (current: StoredRecord | undefined) => JsonObject | undefined,
    options?: UpdateRecordOptions,
  ): Promise<StoredRecord | undefined>;
  /** Sets a live record's lifetime to `ttlMs` from now without changing it or its version: false when there is none. */
  touch(namespace: string, key: string, ttlMs: number): Promise<boolean>;
  /** Deletes the record (only at that version with `ifVersion`): false when there was none, or another version. */
  delete(namespace: string, key: string, options?: { ifVersion?: number }): Promise<boolean>;
  /** One page of live records of a namespace in key order, optionally under a key prefix. */
  list(namespace: string, options?: ListRecordsOptions): Promise<RecordPage>;
}

// ---------------------------------------------------------------------------------------------------
// Locks

/**
 * What runs holding a lock. `release` lets the lock go before the task ends, once nothing it guards
 * is left to do: the release is sent at once (with Redis, in the same round trip as the commands the
 * task sent in the same turn, and after them), it is not sent again at the end, and withLock still
 * resolves only once it is done. Nothing may be written under the lock after it.
 */
export type LockTask<T> = (
  signal: AbortSignal,
  release: (note?: JsonObject) => void,
  left: JsonObject | undefined,
) => Promise<T>;

/**
 * How long a note left with a lock's release (LockManager.release) is handed to the lock's next
 * holder. A note is a hint about what the last holder did (docs/decisions/042 for the study locks),
 * never needed: a holder that gets none does what it would have done without it.
 */
export const LOCK_NOTE_TTL_MS = 60_000;

export interface LockOptions {
  /** How long the lock lasts unless extended or released: a crashed holder's lock ends then. */
  ttlMs: number;
  /** How long to keep trying (with backoff) while another holder has it; default 0 (one try). */
  waitMs?: number;
  /** Stops the wait early when it aborts: the lock is then not taken (withLock throws LockTimeoutError). */
  signal?: AbortSignal;
  /**
   * Told, while this caller waits, the note a release of the lock left (LockManager.release), the
   * moment the release is heard and before the wait goes on: a waiter that learns from it that it
   * needs the lock no more aborts `signal` there, and is answered without taking the lock. A hint
   * only: a note may come late, or not at all (the next holder still gets it as `HeldLock.left`).
   */
  heard?: (note: JsonObject) => void;
}

/** A lock this instance holds. */
export interface HeldLock {
  readonly name: string;
  /** The owner token: only it releases or extends the lock. */
  readonly token: string;
  /** The note the holder before left with its release, within LOCK_NOTE_TTL_MS; undefined when none. */
  readonly left?: JsonObject;
  /** Ends the lock if this holder still owns it (leaving `note` for the next holder): false when it had already expired (and may be someone else's). */
  release(note?: JsonObject): Promise<boolean>;
  /** Moves the expiry to `ttlMs` from now if this holder still owns it: false when the lock was lost. */
  extend(ttlMs: number): Promise<boolean>;
}

/**
 * Per-name mutual exclusion across every instance (per-study changes, claims): at most one holder at a
 * time, identified by a random owner token, for at most `ttlMs` unless extended.
 */
export interface LockManager {
  /**
   * Takes the lock, trying again with backoff for up to `waitMs`: the held lock, or undefined when
   * another holder kept it all that time. Throws SharedStateUnavailableError (never a lock that was not
   * really taken) when the shared state cannot be reached.
   */
  acquire(name: string, options: LockOptions): Promise<HeldLock | undefined>;
  /**
   * Releases the lock only if `token` owns it (compare-and-delete): false otherwise. With `note`, the
   * release leaves it in the same step for whoever takes the lock next (HeldLock.left).
   */
  release(name: string, token: string, note?: JsonObject): Promise<boolean>;
  /** Extends the lock to `ttlMs` from now only if `token` owns it: false otherwise. */
  extend(name: string, token: string, ttlMs: number): Promise<boolean>;
  /**
   * Runs `task` holding the lock and releases it afterwards, whatever the outcome. Throws
   * LockTimeoutError when the lock is not had within `waitMs`, SharedStateUnavailableError when the
   * shared state cannot be reached. While `task` runs the lock is extended every ttlMs/3; should that
   * fail, `signal` aborts (reason: LockLostError), so pass it on to anything that writes. A task
   * done with what the lock guards may `release` it before it ends (see LockTask).
   */
  withLock<T>(name: string, options: LockOptions, task: LockTask<T>): Promise<T>;
}

// ---------------------------------------------------------------------------------------------------
// Events

/** What a publisher sends. */
export interface NewBusEvent {
  /** Dotted name, e.g. `study.changed`. */
  type: string;
  data: JsonObject;
}

/** An event as every subscriber and replay sees it. */
export interface BusEvent extends NewBusEvent {
  /** Ordered (compareEventIds) within one history; usable as SSE `id` and `Last-Event-ID`. */
  id: string;
  /** `instanceId` of the publisher. */
  source: string;
  /** When it was published (epoch ms). */
  publishedAt: number;
}

export interface EventListener {
  /** Called once per event, in id order. */
  onEvent(event: BusEvent): void;
  /** Events may have been missed (Redis lost its data, or the connection was down longer than the history): resync. */
  onResync?(): void;
}

export type EventReplay =
  | { resync: false; events: BusEvent[]; /** More events follow the last one (ask again from its id). */ more: boolean }
  | { resync: true };

/**
 * The event bus every instance publishes to and hears from (study changes, arrivals, leases, presence),
 * with a bounded history (EVENT_HISTORY_SIZE events) for replay. In-process the history lives in memory
 * and does not survive a restart: ids from before a restart ask for a resync.
 */
export interface EventBus {
  /** Publishes to every instance's subscribers: the event's id. */
  publish(event: NewBusEvent): Promise<string>;
  /** Delivers every event published on any instance from now on; resolves, once listening, to the function that stops it. */
  subscribe(listener: EventListener): Promise<() => void>;
  /**
   * The events after `lastEventId` (at most `limit`, default 1000), or `{ resync: true }` when some of
   * them are no longer kept, or the id is not from this history (malformed, from before a restart).
   */
  since(lastEventId: string, options?: { limit?: number }): Promise<EventReplay>;
  /** The id of the newest event (or of the empty history's start): `since` of it gives what follows. */
  latestId(): Promise<string>;
}

// ---------------------------------------------------------------------------------------------------
// Leader leases

/** One instance at a time does a job (the queue watcher): it holds a lease named after the job, and renews it. */
export interface LeaderLeases {
  /** Becomes the leader of `role` if nobody is, or renews this instance's lease: true when it leads now. */
  tryAcquire(role: string, ttlMs: number): Promise<boolean>;
  /** Extends this instance's lease to `ttlMs` from now: false when it does not (or no longer) lead. */
  renew(role: string, ttlMs: number): Promise<boolean>;
  /** Gives the lease up if this instance holds it, so another can take over at once. */
  release(role: string): Promise<boolean>;
  /** The `instanceId` leading `role`, or undefined. */
  holder(role: string): Promise<string | undefined>;
}

// ---------------------------------------------------------------------------------------------------
// Rate limits, logging, errors

/** One request counted against a rate-limit budget. */
export interface RateLimitCount {
  /** Requests counted in the budget's current window, this one included. */
  current: number;
  /** Milliseconds until that window ends. */
  ttlMs: number;
}

/** Which budget a request read together with a record (RateLimitCounters.readAndHit) is counted against. */
export interface RecordHit {
  /** The budget's key is this followed by the text at `subjectPath` in the live record's value… */
  subjectKey: string;
  subjectPath: readonly string[];
  /** …or this one, when there is no live record or it has no text there. */
  otherwiseKey: string;
  windowMs: number;
}

/**
 * Rate-limit budgets every instance shares, counted as @fastify/rate-limit's Redis store counts them:
 * a fixed window per key, begun by its first request.
 */
export interface RateLimitCounters {
  /** Counts one request against `key`, whose window lasts `windowMs`. */
  hit(key: string, windowMs: number): Promise<RateLimitCount>;
  /**
   * Reads a record (as RecordStore.get) and counts one request in the same step, one round trip:
   * against the key RecordHit names. `bySubject`: it was counted against `subjectKey` and the text.
   */
  readAndHit(
    namespace: string,
    key: string,
    hit: RecordHit,
  ): Promise<{ record: StoredRecord | undefined; count: RateLimitCount & { bySubject: boolean } }>;
}

export type SharedStateLog = Pick<FastifyBaseLogger, 'info' | 'warn' | 'error'>;

/** The shared state cannot be reached (Redis is down): answer 503 with Retry-After, never go on unserialized. */
export class SharedStateUnavailableError extends Error {
  override name = 'SharedStateUnavailableError';
  /** A sensible Retry-After for the answer. */
  readonly retryAfterSeconds = 2;
}

/** `withLock` did not get the lock within `waitMs`: someone else is changing the same thing. */
export class LockTimeoutError extends Error {
  override name = 'LockTimeoutError';
  readonly lockName: string;
  constructor(lockName: string) {
    super(`The lock ${lockName} is held by someone else`);
    this.lockName = lockName;
  }
}

/** The reason a `withLock` task's signal aborts: the lock could not be extended and may be someone else's. */
export class LockLostError extends Error {
  override name = 'LockLostError';
  readonly lockName: string;
  constructor(lockName: string) {
    super(`The lock ${lockName} was lost before its task ended`);
    this.lockName = lockName;
  }
}

/** `update` lost the race to other writers `attempts` times in a row. */
export class UpdateConflictError extends Error {
  override name = 'UpdateConflictError';
}

// ---------------------------------------------------------------------------------------------------
// Argument checks shared by both implementations

const NAMESPACE = /^[a-z][a-z0-9-]{0,63}$/;
export const MAX_KEY_LENGTH = 512;
export const DEFAULT_LIST_LIMIT = 100;
export const MAX_LIST_LIMIT = 1000;
export const DEFAULT_REPLAY_LIMIT = 1000;
export const DEFAULT_UPDATE_ATTEMPTS = 20;

export function checkNamespace(namespace: string): void {
  if (!NAMESPACE.test(namespace))
    throw new TypeError(`A namespace is [a-z][a-z0-9-]* (at most 64), not ${JSON.stringify(namespace)}`);
}

export function checkKey(key: string, what = 'key'): void {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH) {
    throw new TypeError(`A ${what} is 1-${MAX_KEY_LENGTH} characters`);
  }
}

/** A whole number of milliseconds, at least 1. */
export function checkDuration(ms: number, what: string): void {
  if (!Number.isSafeInteger(ms) || ms < 1)
    throw new TypeError(`${what} is a whole number of milliseconds, at least 1 (got ${ms})`);
}

export function checkSetOptions(options: SetRecordOptions): void {
  if (options.ttlMs !== undefined) checkDuration(options.ttlMs, 'ttlMs');
  if (options.ifAbsent && options.ifVersion !== undefined)
    throw new TypeError('ifAbsent and ifVersion cannot both hold');
}

export function listLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_LIST_LIMIT;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT)
    throw new TypeError(`limit is 1-${MAX_LIST_LIMIT}`);
  return limit;
}

/** The value as stored: JSON text of an object (anything else is refused before it is written). */
export function serializeValue(value: JsonObject): string {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new TypeError('A record value is a JSON object');
  return JSON.stringify(value);
}

/**
 * The record just written from `text` (serializeValue's output). Its value is parsed only when read:
 * most writers never look at it, and parsing back a large value (the queue watcher's snapshot
 * buckets) took as long as writing it.
 */
export function writtenRecord(key: string, text: string, version: number, expiresAt: number | null): StoredRecord {
  let value: JsonObject | undefined;
  return {
    key,
    get value() {
      value ??= parseValue(text);
      return value;
    },
    version,
    expiresAt,
  };
}

/** Reads back what serializeValue wrote. */
export function parseValue(text: string): JsonObject {
  const parsed: unknown = JSON.parse(text);
  if (!isJsonObject(parsed)) throw new Error('A stored record is not a JSON object');
  return parsed;
}

function isJsonObject(value: unknown): value is JsonObject {
  // JSON.parse only ever builds JSON values, so the top level is all there is to check.
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export const noLog: SharedStateLog = { info() {}, warn() {}, error() {} };
