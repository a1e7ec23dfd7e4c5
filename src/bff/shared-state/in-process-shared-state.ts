import { EventEmitter } from 'node:events';
import type { SQLOutputValue } from 'node:sqlite';
import { comparePositions, formatEventId, newHistoryId, parseEventId, streamIdOf } from './event-ids.ts';
import { acquireWithin, checkLockOptions, createLocalTurns, heldLock, newLockToken, runWithLock } from './locking.ts';
import {
  DEFAULT_REPLAY_LIMIT,
  LOCK_NOTE_TTL_MS,
  SharedStateUnavailableError,
  checkDuration,
  checkKey,
  checkNamespace,
  checkSetOptions,
  listLimit,
  noLog,
  parseValue,
  writtenRecord,
  serializeValue,
  type BusEvent,
  type EventBus,
  type EventListener,
  type EventReplay,
  type JsonObject,
  type LeaderLeases,
  type LockManager,
  type RecordStore,
  type SharedState,
  type SharedStateLog,
  type SharedStateStatus,
  type StoredRecord,
} from './shared-state.ts';
import { openSqliteDatabase } from '../lib/sqlite-database.ts';

const SCHEMA_VERSION = 1;

// Locks and leader leases are one table: a name, its owner (a lock's token, a leader's instance id)
// and an expiry. Versions come from one counter, so a key's version never repeats, even after the
// record expired and was written again (a compare-and-set from before cannot hit the new record).
const SCHEMA = `
CREATE TABLE IF NOT EXISTS records (
  namespace TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  version INTEGER NOT NULL,
  expires_at INTEGER,
  PRIMARY KEY (namespace, key)
) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS records_by_expiry ON records (expires_at) WHERE expires_at IS NOT NULL;

CREATE TABLE IF NOT EXISTS leases (
  name TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  expires_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS versions (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  last INTEGER NOT NULL
) STRICT;
INSERT OR IGNORE INTO versions (id, last) VALUES (1, 0);
`;

const LIVE = '(expires_at IS NULL OR expires_at > :now)';
const SWEEP_BATCH = 500;

export interface InProcessSharedStateOptions {
  /** The SQLite file (its folder is created), or ':memory:'. */
  path: string;
  instanceId: string;
  /** Events kept for replay. */
  eventHistorySize: number;
  log?: SharedStateLog;
  /** How often expired records and leases are deleted from the file; default 60 s. */
  sweepIntervalMs?: number;
}

export interface InProcessSharedState extends SharedState {
  readonly kind: 'in-process';
  /** Deletes expired records and leases now: how many rows went. */
  sweep(): number;
}

/**
 * The embedded implementation: records, locks and leader leases in SQLite (WAL, each operation one
 * transaction, so two instances on one file still exclude each other), events in a ring buffer in
 * memory (this process's subscribers only; the history starts empty at every start).
 */
/** The notes a lock's release leaves for its next holder (LockManager.release), one record per lock name. */
const LOCK_NOTES = 'lock-notes';

export function openInProcessSharedState(options: InProcessSharedStateOptions): InProcessSharedState {
  const { instanceId } = options;
  const log = options.log ?? noLog;
  const { db, statement, transaction } = openSqliteDatabase(options.path, {
    sql: SCHEMA,
    version: SCHEMA_VERSION,
    name: 'The shared-state database',
  });
  let closed = false;

  function open(): void {
    if (closed) throw new SharedStateUnavailableError('The shared state is closed');
  }

  function liveRecord(namespace: string, key: string, now: number): StoredRecord | undefined {
    const row = statement(
      `SELECT key, value, version, expires_at FROM records WHERE namespace = :namespace AND key = :key AND ${LIVE}`,
    ).get({
      namespace,
      key,
      now,
    });
    return row ? toRecord(row) : undefined;
  }

  function write(namespace: string, key: string, value: string, ttlMs: number | undefined, now: number): StoredRecord {
    const version = integer(
      statement('UPDATE versions SET last = last + 1 WHERE id = 1 RETURNING last').get() ?? {},
      'last',
    );
    const expiresAt = ttlMs === undefined ? null : now + ttlMs;
    statement(
      `INSERT INTO records (namespace, key, value, version, expires_at) VALUES (:namespace, :key, :value, :version, :expiresAt)
       ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, version = excluded.version, expires_at = excluded.expires_at`,
    ).run({ namespace, key, value, version, expiresAt });
    return writtenRecord(key, value, version, expiresAt);
  }

  const records: RecordStore = {
    async get(namespace, key) {
      open();
      checkNamespace(namespace);
      checkKey(key);
      return liveRecord(namespace, key, Date.now());
    },

    async set(namespace, key, value, setOptions = {}) {
      open();
      checkNamespace(namespace);
      checkKey(key);
      checkSetOptions(setOptions);
      const text = serializeValue(value);
      return transaction(() => {
        const now = Date.now();
        if (setOptions.ifAbsent || setOptions.ifVersion !== undefined) {
          const current = liveRecord(namespace, key, now);
          if (setOptions.ifAbsent && current) return undefined;
          if (setOptions.ifVersion !== undefined && current?.version !== setOptions.ifVersion) return undefined;
        }
        return write(namespace, key, text, setOptions.ttlMs, now);
      });
    },

    async update(namespace, key, change, updateOptions = {}) {
      open();
      checkNamespace(namespace);
      checkKey(key);
      if (updateOptions.ttlMs !== undefined) checkDuration(updateOptions.ttlMs, 'ttlMs');
      // One transaction around read, change and write: nobody can get in between, so no retries.
      return transaction(() => {
        const now = Date.now();
        const next = change(liveRecord(namespace, key, now));
        return next === undefined ? undefined : write(namespace, key, serializeValue(next), updateOptions.ttlMs, now);
      });
    },

    async touch(namespace, key, ttlMs) {
      open();
      checkNamespace(namespace);
      checkKey(key);
      checkDuration(ttlMs, 'ttlMs');
      const now = Date.now();
      const result = statement(
        `UPDATE records SET expires_at = :expiresAt WHERE namespace = :namespace AND key = :key AND ${LIVE}`,
      ).run({
        namespace,
        key,
        now,
        expiresAt: now + ttlMs,
      });
      return Number(result.changes) > 0;
    },

    async delete(namespace, key, deleteOptions = {}) {
      open();
      checkNamespace(namespace);
      checkKey(key);
      const parameters = { namespace, key, now: Date.now() };
      const result =
        deleteOptions.ifVersion === undefined
          ? statement(`DELETE FROM records WHERE namespace = :namespace AND key = :key AND ${LIVE}`).run(parameters)
          : statement(
              `DELETE FROM records WHERE namespace = :namespace AND key = :key AND version = :version AND ${LIVE}`,
            ).run({
              ...parameters,
              version: deleteOptions.ifVersion,
            });
      return Number(result.changes) > 0;
    },

    async list(namespace, listOptions = {}) {
      open();
      checkNamespace(namespace);
      const limit = listLimit(listOptions.limit);
      const prefix = listOptions.prefix ?? '';
      const after = listOptions.after;
      const upper = prefix === '' ? undefined : prefixUpperBound(prefix);
      // The primary key is in byte order of the UTF-8, as Redis orders its keys, so both page alike.
      const where = ['namespace = :namespace', 'key >= :prefix', LIVE];
      if (upper !== undefined) where.push('key < :upper');
      if (after !== undefined) where.push('key > :after');
      const rows = statement(
        `SELECT key, value, version, expires_at FROM records WHERE ${where.join(' AND ')} ORDER BY key LIMIT :limit`,
      ).all({
        namespace,
        prefix,
        now: Date.now(),
        limit: limit + 1,
        ...(upper !== undefined ? { upper } : {}),
        ...(after !== undefined ? { after } : {}),
      });
      const page = rows.slice(0, limit).map(toRecord);
      const last = page.at(-1);
      return rows.length > limit && last ? { records: page, nextAfter: last.key } : { records: page };
    },
  };

  // Leases: a row per lock or leader role. `renewOwn` lets the owner take its own live lease again.
  function takeLease(name: string, owner: string, ttlMs: number, renewOwn: boolean): boolean {
    const now = Date.now();
    const row = statement(
      `INSERT INTO leases (name, owner, expires_at) VALUES (:name, :owner, :expiresAt)
       ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
       WHERE leases.expires_at <= :now ${renewOwn ? 'OR leases.owner = excluded.owner' : ''}
       RETURNING owner`,
    ).get({ name, owner, expiresAt: now + ttlMs, now });
    return row !== undefined;
  }

  function extendLease(name: string, owner: string, ttlMs: number): boolean {
    const now = Date.now();
    const result = statement(
      'UPDATE leases SET expires_at = :expiresAt WHERE name = :name AND owner = :owner AND expires_at > :now',
    ).run({
      name,
      owner,
      expiresAt: now + ttlMs,
      now,
    });
    return Number(result.changes) > 0;
  }

  function dropLease(name: string, owner: string): boolean {
    const result = statement('DELETE FROM leases WHERE name = :name AND owner = :owner AND expires_at > :now').run({
      name,
      owner,
      now: Date.now(),
    });
    return Number(result.changes) > 0;
  }

  function leaseHolder(name: string): string | undefined {
    const row = statement('SELECT owner FROM leases WHERE name = :name AND expires_at > :now').get({
      name,
      now: Date.now(),
    });
    return row ? text(row, 'owner') : undefined;
  }

  // Waiters in this process wake as soon as a lock of theirs is released here; others poll.
  const releases = new EventEmitter();
  releases.setMaxListeners(0);

  const turns = createLocalTurns();
  const locks: LockManager = {
    async acquire(name, lockOptions) {
      open();
      checkLockOptions(name, lockOptions);
      const token = newLockToken(instanceId);
      const taken = await acquireWithin(
        async () => {
          open();
          return takeLease(`lock:${name}`, token, lockOptions.ttlMs, false);
        },
        lockOptions.waitMs ?? 0,
        (wake) => {
          releases.once(`released:${name}`, wake);
          return () => void releases.off(`released:${name}`, wake);
        },
        lockOptions,
      );
      if (!taken) return undefined;
      // What the holder before left with its release (a record of its own, so every instance on this file sees it).
      const left = await records.get(LOCK_NOTES, name);
      return heldLock(locks, name, token, left?.value);
    },
    async release(name, token, note) {
      open();
      const released = transaction(() => {
        if (!dropLease(`lock:${name}`, token)) return false;
        if (note) write(LOCK_NOTES, name, serializeValue(note), LOCK_NOTE_TTL_MS, Date.now());
        return true;
      });
      if (released) releases.emit(`released:${name}`, note);
      return released;
    },
    async extend(name, token, ttlMs) {
      open();
      checkDuration(ttlMs, 'ttlMs');
      return extendLease(`lock:${name}`, token, ttlMs);
    },
    withLock: (name, lockOptions, task) => runWithLock(locks, turns, name, lockOptions, task),
  };

  const leadership: LeaderLeases = {
    async tryAcquire(role, ttlMs) {
      open();
      checkKey(role, 'role');
      checkDuration(ttlMs, 'ttlMs');
      return takeLease(`leader:${role}`, instanceId, ttlMs, true);
    },
    async renew(role, ttlMs) {
      open();
      checkDuration(ttlMs, 'ttlMs');
      return extendLease(`leader:${role}`, instanceId, ttlMs);
    },
    async release(role) {
      open();
      return dropLease(`leader:${role}`, instanceId);
    },
    async holder(role) {
      open();
      return leaseHolder(`leader:${role}`);
    },
  };

  const history = new EventHistory(newHistoryId(), options.eventHistorySize);
  const listeners = new Set<EventListener>();
  const events: EventBus = {
    async publish(event) {
      open();
      checkKey(event.type, 'event type');
      serializeValue(event.data);
      const published = history.append(event.type, structuredClone(event.data), instanceId);
      for (const listener of listeners) {
        // Delivered after publish returns, in publish order, and a failing listener harms no other.
        queueMicrotask(() => {
          if (!listeners.has(listener)) return;
          try {
            listener.onEvent(published);
          } catch (error) {
            log.error({ err: error, eventId: published.id }, 'An event listener failed');
          }
        });
      }
      return published.id;
    },
    async subscribe(listener) {
      open();
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    async since(lastEventId, replayOptions = {}) {
      open();
      return history.since(lastEventId, replayOptions.limit ?? DEFAULT_REPLAY_LIMIT);
    },
    async latestId() {
      open();
      return history.latestId();
    },
  };

  function sweep(): number {
    const now = Date.now();
    let removed = 0;
    // In batches, so a large backlog never holds the write lock for long.
    for (;;) {
      const batch = Number(
        statement(
          'DELETE FROM records WHERE (namespace, key) IN (SELECT namespace, key FROM records WHERE expires_at <= :now LIMIT :batch)',
        ).run({ now, batch: SWEEP_BATCH }).changes,
      );
      removed += batch;
      if (batch < SWEEP_BATCH) break;
    }
    removed += Number(statement('DELETE FROM leases WHERE expires_at <= :now').run({ now }).changes);
    return removed;
  }

  const statusListeners = new Set<(status: SharedStateStatus) => void>();
  sweep();
  const sweeper = setInterval(() => {
    try {
      sweep();
    } catch (error) {
      log.warn({ err: error }, 'Sweeping expired shared records failed; trying again later');
    }
  }, options.sweepIntervalMs ?? 60_000);
  sweeper.unref();

  return {
    kind: 'in-process',
    instanceId,
    records,
    locks,
    events,
    leadership,
    rateLimits: undefined,
    // SQLite is a file of this machine: there is nothing to lose contact with until close.
    status: () => (closed ? 'unavailable' : 'ok'),
    onStatusChange(listener) {
      statusListeners.add(listener);
      return () => void statusListeners.delete(listener);
    },
    sweep() {
      open();
      return sweep();
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(sweeper);
      listeners.clear();
      db.close();
      for (const listener of statusListeners) listener('unavailable');
      statusListeners.clear();
    },
  };
}

/**
 * The last `size` events in a ring buffer. Ids are `<history>:<ms>-<seq>` like Redis stream ids:
 * milliseconds that never go back (a clock step back reuses the last one), then a sequence within them.
 */
class EventHistory {
  readonly #history: string;
  readonly #buffer: Array<BusEvent | undefined>;
  #oldest = 0;
  #size = 0;
  #last = { ms: 0, seq: 0 };
  /** The newest event pushed out of the buffer: a replay from before it has a gap. */
  #lastEvicted: { ms: number; seq: number } | undefined;

  constructor(history: string, size: number) {
    if (!Number.isSafeInteger(size) || size < 1) throw new TypeError('The event history size is at least 1');
    this.#history = history;
    this.#buffer = new Array<BusEvent | undefined>(size);
  }

  append(type: string, data: JsonObject, source: string): BusEvent {
    const now = Date.now();
    const position = now > this.#last.ms ? { ms: now, seq: 0 } : { ms: this.#last.ms, seq: this.#last.seq + 1 };
    this.#last = position;
    const event: BusEvent = {
      id: formatEventId(this.#history, streamIdOf(position)),
      type,
      data,
      source,
      publishedAt: position.ms,
    };
    const capacity = this.#buffer.length;
    if (this.#size < capacity) {
      this.#buffer[(this.#oldest + this.#size) % capacity] = event;
      this.#size += 1;
    } else {
      const evicted = this.#buffer[this.#oldest];
      if (evicted) this.#lastEvicted = parseEventId(evicted.id);
      this.#buffer[this.#oldest] = event;
      this.#oldest = (this.#oldest + 1) % capacity;
    }
    return event;
  }

  latestId(): string {
    return formatEventId(this.#history, streamIdOf(this.#last));
  }

  since(lastEventId: string, limit: number): EventReplay {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new TypeError('limit is at least 1');
    const position = parseEventId(lastEventId);
    if (!position || position.history !== this.#history) return { resync: true };
    if (comparePositions(position, this.#last) > 0) return { resync: true };
    if (this.#lastEvicted && comparePositions(position, this.#lastEvicted) < 0) return { resync: true };
    // Binary search for the first kept event after `position`.
    let low = 0;
    let high = this.#size;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const event = this.#at(middle);
      const kept = event ? parseEventId(event.id) : undefined;
      if (kept && comparePositions(kept, position) <= 0) low = middle + 1;
      else high = middle;
    }
    const events: BusEvent[] = [];
    for (let index = low; index < this.#size && events.length < limit; index++) {
      const event = this.#at(index);
      if (event) events.push(event);
    }
    return { resync: false, events, more: low + events.length < this.#size };
  }

  #at(index: number): BusEvent | undefined {
    return this.#buffer[(this.#oldest + index) % this.#buffer.length];
  }
}

/**
 * The least string greater than every string starting with `prefix`, in code point order (which is
 * the byte order of UTF-8): the last code point below U+10FFFF is incremented, skipping surrogates.
 */
export function prefixUpperBound(prefix: string): string | undefined {
  const points = Array.from(prefix, (character) => character.codePointAt(0) ?? 0);
  while (points.length > 0) {
    const last = points.pop() ?? 0;
    if (last < 0x10ffff) {
      points.push(last + 1 === 0xd800 ? 0xe000 : last + 1);
      return String.fromCodePoint(...points);
    }
  }
  return undefined;
}

type Row = Record<string, SQLOutputValue>;

function toRecord(row: Row): StoredRecord {
  const expiresAt = row.expires_at;
  return {
    key: text(row, 'key'),
    value: parseValue(text(row, 'value')),
    version: integer(row, 'version'),
    expiresAt: expiresAt === null || expiresAt === undefined ? null : Number(expiresAt),
  };
}

function text(row: Row, column: string): string {
  const value = row[column];
  if (typeof value !== 'string') throw new Error(`Column ${column} is not text`);
  return value;
}

function integer(row: Row, column: string): number {
  const value = row[column];
  if (typeof value !== 'number' && typeof value !== 'bigint') throw new Error(`Column ${column} is not an integer`);
  return Number(value);
}
