import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis, type RedisOptions } from 'ioredis';
import { formatEventId, newHistoryId, parseEventId } from './event-ids.ts';
import {
  UNTOLD_RETRY_MS,
  acquireWhenTold,
  checkLockOptions,
  createLocalTurns,
  heldLock,
  newLockToken,
  runWithLock,
} from './locking.ts';
import {
  DEFAULT_REPLAY_LIMIT,
  DEFAULT_UPDATE_ATTEMPTS,
  SharedStateUnavailableError,
  UpdateConflictError,
  checkDuration,
  checkKey,
  checkNamespace,
  checkSetOptions,
  listLimit,
  noLog,
  LOCK_NOTE_TTL_MS,
  parseValue,
  type JsonObject,
  serializeValue,
  writtenRecord,
  type BusEvent,
  type EventBus,
  type EventListener,
  type LeaderLeases,
  type LockManager,
  type RateLimitCount,
  type RateLimitCounters,
  type RecordStore,
  type SharedState,
  type SharedStateLog,
  type SharedStateStatus,
  type StoredRecord,
} from './shared-state.ts';
import { isUnknownArray } from '../lib/unknown-array.ts';

export interface RedisSharedStateOptions {
  /** `redis://` or `rediss://` address, with credentials and database when needed. */
  url: string;
  instanceId: string;
  /** In front of every key, so several deployments (or tests) can share one Redis. */
  keyPrefix: string;
  /** Events kept for replay: the stream is trimmed to about this many (at least this many are kept). */
  eventHistorySize: number;
  log?: SharedStateLog;
  /** How long opening (and a first subscribe) waits for Redis before going on as 'unavailable'; default 5 s. */
  connectWaitMs?: number;
  /** A command that has no answer by then fails (and counts as Redis unavailable); default 2 s. */
  commandTimeoutMs?: number;
  /** Longest pause between reconnection attempts (they go on forever, backing off from 50 ms); default 2 s. */
  reconnectMaxDelayMs?: number;
}

/** How long one XREAD waits for new events before asking again. */
const READ_BLOCK_MS = 5_000;
const READ_BATCH = 500;

// Lua shared by the record scripts. Time is Redis's own (TIME), so every instance agrees on expiry
// whatever its clock. A record is live until its expiry, exclusive, as in the SQLite implementation.
const PRELUDE = `
local function now()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function live(key, at)
  local expiry = redis.call('PEXPIRETIME', key)
  return expiry == -1 or expiry > at
end
-- Index entries of records that expired, a few at a time, so the index stays the size of what is live.
local function purge(index, expiries, at)
  local gone = redis.call('ZRANGEBYSCORE', expiries, '-inf', at, 'LIMIT', 0, 20)
  for _, member in ipairs(gone) do
    redis.call('ZREM', index, member)
    redis.call('ZREM', expiries, member)
  end
end
`;

/** A lock's note as stored; a note that is not a JSON object (never written so) counts as none: it is only a hint. */
function noteOf(text: string): JsonObject | undefined {
  try {
    return parseValue(text);
  } catch {
    return undefined;
  }
}

/**
 * A message of the release channel: the note's JSON ('' when none), a line break, the lock's name.
 * One without a line break is a lock's name alone (as an older version sends it): no note.
 */
export function releaseMessage(message: string): { name: string; note?: string } {
  const end = message.indexOf('\n');
  if (end < 0) return { name: message };
  const note = message.slice(0, end);
  return { name: message.slice(end + 1), ...(note ? { note } : {}) };
}

/** A Lua script run by its SHA1 (EVALSHA), sent whole only when this Redis does not have it yet. */
class LuaScript {
  readonly source: string;
  readonly sha: string;

  constructor(body: string) {
    this.source = `${PRELUDE}\n${body}`;
    this.sha = createHash('sha1').update(this.source).digest('hex');
  }

  async run(connection: Redis, scriptKeys: string[], args: Array<string | number>): Promise<unknown> {
    try {
      return await connection.evalsha(this.sha, scriptKeys.length, ...scriptKeys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return connection.eval(this.source, scriptKeys.length, ...scriptKeys, ...args);
    }
  }
}

// A record is a hash {v: JSON, n: version} with Redis's own expiry; per namespace, a sorted set of its
// keys (all scores 0, so ordered by bytes, for listing by prefix) and one of their expiries (for purging
// the first). Versions come from one counter, so they never repeat.
const GET_RECORD = new LuaScript(`
local at = now()
if not live(KEYS[1], at) then return false end
local fields = redis.call('HMGET', KEYS[1], 'v', 'n')
return {fields[1], fields[2], redis.call('PEXPIRETIME', KEYS[1])}
`);

const SET_RECORD = new LuaScript(`
local at = now()
purge(KEYS[2], KEYS[3], at)
local mode = ARGV[3]
if mode ~= 'always' then
  local alive = live(KEYS[1], at)
  if mode == 'absent' and alive then return false end
  if mode == 'version' and ((not alive) or redis.call('HGET', KEYS[1], 'n') ~= ARGV[4]) then return false end
end
local version = redis.call('INCR', KEYS[4])
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'v', ARGV[1], 'n', version)
local expiresAt = -1
if ARGV[2] ~= '' then
  expiresAt = at + tonumber(ARGV[2])
  redis.call('PEXPIREAT', KEYS[1], expiresAt)
  redis.call('ZADD', KEYS[3], expiresAt, ARGV[5])
else
  redis.call('ZREM', KEYS[3], ARGV[5])
end
redis.call('ZADD', KEYS[2], 0, ARGV[5])
return {version, expiresAt}
`);

const TOUCH_RECORD = new LuaScript(`
local at = now()
if not live(KEYS[1], at) then return 0 end
local expiresAt = at + tonumber(ARGV[1])
redis.call('PEXPIREAT', KEYS[1], expiresAt)
redis.call('ZADD', KEYS[3], expiresAt, ARGV[2])
return 1
`);

const DELETE_RECORD = new LuaScript(`
local at = now()
if not live(KEYS[1], at) then return 0 end
if ARGV[1] ~= '' and redis.call('HGET', KEYS[1], 'n') ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[2])
redis.call('ZREM', KEYS[3], ARGV[2])
return 1
`);

// ARGV: record key prefix, key prefix, first bound ('[' or '(' and a key), limit. 0xFF never occurs in
// UTF-8, so '(' prefix 0xFF bounds every key that starts with the prefix.
const LIST_RECORDS = new LuaScript(`
local at = now()
purge(KEYS[1], KEYS[2], at)
local upper = '+'
if ARGV[2] ~= '' then upper = '(' .. ARGV[2] .. '\\255' end
local limit = tonumber(ARGV[4])
local members = redis.call('ZRANGEBYLEX', KEYS[1], ARGV[3], upper, 'LIMIT', 0, limit + 1)
local found = {}
local last = false
for i = 1, math.min(#members, limit) do
  local member = members[i]
  last = member
  local key = ARGV[1] .. member
  if live(key, at) then
    local fields = redis.call('HMGET', key, 'v', 'n')
    table.insert(found, {member, fields[1], fields[2], redis.call('PEXPIRETIME', key)})
  end
end
local more = 0
if #members > limit then more = 1 end
return {more, last, found}
`);

// A rate-limit budget's fixed window, as @fastify/rate-limit's Redis store counts it: the first
// request of a window starts its expiry; later ones read what is left of it.
const HIT = `
local function hit(key, window)
  local current = redis.call('INCR', key)
  if current == 1 then
    redis.call('PEXPIRE', key, window)
    return {current, window}
  end
  return {current, redis.call('PTTL', key)}
end
`;

const RATE_LIMIT_HIT = new LuaScript(`
${HIT}
return hit(KEYS[1], tonumber(ARGV[1]))
`);

// GET_RECORD, and one request counted against ARGV[1] followed by the text at the path ARGV[4…] in
// the record's value, or against ARGV[2] (no live record, no text there). The budget's key is known
// only once the record is read, so it is not among KEYS: a standalone Redis, as everywhere here.
const GET_RECORD_AND_HIT = new LuaScript(`
${HIT}
local at = now()
local fields = false
local counter = ARGV[2]
local bySubject = 0
if live(KEYS[1], at) then
  local values = redis.call('HMGET', KEYS[1], 'v', 'n')
  fields = {values[1], values[2], redis.call('PEXPIRETIME', KEYS[1])}
  local ok, value = pcall(cjson.decode, values[1])
  if ok then
    for i = 4, #ARGV do
      if type(value) ~= 'table' then
        value = nil
        break
      end
      value = value[ARGV[i]]
    end
    if type(value) == 'string' and value ~= '' then
      counter = ARGV[1] .. value
      bySubject = 1
    end
  end
end
local counted = hit(counter, tonumber(ARGV[3]))
return {fields, counted[1], counted[2], bySubject}
`);

const RELEASE_IF_OWNER = new LuaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

// A lock taken with what its last holder left (KEYS[2], '' when nothing): {1, note}; or, while
// someone holds it, {0, the time it has left in ms}, marking that someone waits (KEYS[3], for ARGV[3]
// ms; '0': the caller does not wait) so that its release tells the waiters (docs/decisions/046).
const TAKE_LOCK = new LuaScript(`
if redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then
  return {1, redis.call('GET', KEYS[2]) or ''}
end
if ARGV[3] ~= '0' then redis.call('SET', KEYS[3], '1', 'PX', ARGV[3]) end
return {0, redis.call('PTTL', KEYS[1])}
`);

// A lock's release by its owner (ARGV[1]); when someone waits for it (KEYS[2]), the release goes out
// on the release channel (ARGV[2]) in the same step: what it left (the note's JSON, '' when none), a
// line break, the lock's name (ARGV[3]). JSON never holds a bare line break, so the first one ends
// the note whatever the name holds (releaseMessage, docs/decisions/047).
const tellWaiters = (note: string) =>
  `if redis.call('DEL', KEYS[2]) == 1 then redis.call('PUBLISH', ARGV[2], ${note} .. '\\n' .. ARGV[3]) end`;

const RELEASE_LOCK = new LuaScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
${tellWaiters("''")}
return 1
`);

// RELEASE_LOCK leaving a note (ARGV[4], for ARGV[5] ms) for the lock's next holder (KEYS[3]), in the same step.
const RELEASE_LEAVING_NOTE = new LuaScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('SET', KEYS[3], ARGV[4], 'PX', ARGV[5])
${tellWaiters('ARGV[4]')}
return 1
`);

const EXTEND_IF_OWNER = new LuaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`);

const TAKE_OR_RENEW = new LuaScript(`
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if not holder then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
`);

// The history id lives beside the stream: a Redis that lost its data starts a new history, and ids of
// the old one then ask for a resync instead of being compared with unrelated new ids. `history` is
// the stream's (KEYS[2]), begun as ARGV[1] when there is none yet.
const HISTORY = `local history = redis.call('GET', KEYS[2])
if not history then
  history = ARGV[1]
  redis.call('SET', KEYS[2], history)
end`;

const PUBLISH = new LuaScript(`
${HISTORY}
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 't', ARGV[3], 'd', ARGV[4], 's', ARGV[5])
return {history, id}
`);

const LATEST = new LuaScript(`
${HISTORY}
if redis.call('EXISTS', KEYS[1]) == 0 then return {history, '0-0'} end
local info = redis.call('XINFO', 'STREAM', KEYS[1])
for i = 1, #info, 2 do
  if info[i] == 'last-generated-id' then return {history, info[i + 1]} end
end
return {history, '0-0'}
`);

// Trimming drops the oldest entries, so a replay is whole when nothing was ever trimmed, or when the
// given id is still kept (everything after it then is too).
const SINCE = new LuaScript(`
local history = redis.call('GET', KEYS[2])
if (not history) or history ~= ARGV[1] then return {'resync'} end
if redis.call('EXISTS', KEYS[1]) == 0 then
  if ARGV[2] == '0-0' then return {'ok', {}} end
  return {'resync'}
end
local info = redis.call('XINFO', 'STREAM', KEYS[1])
local fields = {}
for i = 1, #info, 2 do fields[info[i]] = info[i + 1] end
local function parts(id)
  local ms, seq = string.match(id, '^(%d+)-(%d+)$')
  return tonumber(ms), tonumber(seq)
end
local lastMs, lastSeq = parts(fields['last-generated-id'])
local ms, seq = parts(ARGV[2])
if ms > lastMs or (ms == lastMs and seq > lastSeq) then return {'resync'} end
if fields['entries-added'] ~= fields['length'] and #redis.call('XRANGE', KEYS[1], ARGV[2], ARGV[2]) == 0 then
  return {'resync'}
end
return {'ok', redis.call('XRANGE', KEYS[1], '(' .. ARGV[2], '+', 'COUNT', tonumber(ARGV[3]) + 1)}
`);

/**
 * The implementation for several instances: everything in Redis, every multi-step change one Lua
 * script (atomic), events in a stream (XADD trimmed with MAXLEN ~, XREAD BLOCK on a connection of its
 * own, XRANGE for replay). Commands fail at once while Redis is unreachable (no offline queue, no
 * retries of a sent command) with SharedStateUnavailableError; the connections reconnect forever, with
 * backoff, and `status()` follows them. A standalone Redis (or Sentinel); not Redis Cluster.
 */
export async function openRedisSharedState(options: RedisSharedStateOptions): Promise<SharedState> {
  const { instanceId, keyPrefix } = options;
  const log = options.log ?? noLog;
  const connectWaitMs = options.connectWaitMs ?? 5_000;
  if (!Number.isSafeInteger(options.eventHistorySize) || options.eventHistorySize < 1)
    throw new TypeError('The event history size is at least 1');

  const keys = {
    record: (namespace: string, key: string) => `${keyPrefix}rec:${namespace}:${key}`,
    recordPrefix: (namespace: string) => `${keyPrefix}rec:${namespace}:`,
    index: (namespace: string) => `${keyPrefix}idx:${namespace}`,
    expiries: (namespace: string) => `${keyPrefix}exp:${namespace}`,
    versions: `${keyPrefix}versions`,
    lock: (name: string) => `${keyPrefix}lock:${name}`,
    lockNote: (name: string) => `${keyPrefix}lock-note:${name}`,
    lockWaiting: (name: string) => `${keyPrefix}lock-waiting:${name}`,
    lockReleases: `${keyPrefix}lock-released`,
    leader: (role: string) => `${keyPrefix}leader:${role}`,
    stream: `${keyPrefix}events`,
    history: `${keyPrefix}events:history`,
  };

  const commands = new Redis(options.url, connectionOptions(options, 'commands'));
  let reader: Redis | undefined;
  /** The event reader counts for the status once it has connected (until then, commands say it all). */
  let readerConnected = false;
  let closed = false;
  const closing = new AbortController();

  // ---- status ---------------------------------------------------------------------------------------
  const statusListeners = new Set<(status: SharedStateStatus) => void>();
  let currentStatus: SharedStateStatus = 'unavailable';
  function computeStatus(): SharedStateStatus {
    return commands.status === 'ready' && (!readerConnected || reader?.status === 'ready') ? 'ok' : 'unavailable';
  }
  function refreshStatus(): void {
    const next = closed ? 'unavailable' : computeStatus();
    if (next === currentStatus) return;
    currentStatus = next;
    if (next === 'ok') log.info({ sharedState: 'redis' }, 'Shared state available');
    else if (!closed)
      log.warn({ sharedState: 'redis' }, 'Shared state unavailable: Redis cannot be reached; reconnecting');
    for (const listener of statusListeners) {
      try {
        listener(next);
      } catch (error) {
        log.error({ err: error }, 'A shared-state status listener failed');
      }
    }
  }
  function watch(connection: Redis): void {
    for (const event of ['ready', 'close', 'end', 'reconnecting'] as const) connection.on(event, refreshStatus);
    // Without a listener ioredis would stay silent; the status change is what gets logged.
    connection.on('error', () => {});
  }
  watch(commands);

  // ---- running commands -------------------------------------------------------------------------------
  async function run<T>(operation: () => Promise<T>): Promise<T> {
    if (closed) throw new SharedStateUnavailableError('The shared state is closed');
    try {
      return await operation();
    } catch (error) {
      throw asUnavailable(error);
    }
  }

  async function script(
    connection: Redis,
    lua: LuaScript,
    scriptKeys: string[],
    args: Array<string | number>,
  ): Promise<unknown> {
    return run(() => lua.run(connection, scriptKeys, args));
  }

  // ---- records --------------------------------------------------------------------------------------
  function recordFromReply(key: string, value: unknown, version: unknown, expiry: unknown): StoredRecord {
    if (typeof value !== 'string') throw new Error(`Record ${key} has no value`);
    const expiresAt = Number(expiry);
    return { key, value: parseValue(value), version: Number(version), expiresAt: expiresAt >= 0 ? expiresAt : null };
  }

  const records: RecordStore = {
    async get(namespace, key) {
      checkNamespace(namespace);
      checkKey(key);
      const reply = await script(commands, GET_RECORD, [keys.record(namespace, key)], []);
      if (!Array.isArray(reply)) return undefined;
      return recordFromReply(key, reply[0], reply[1], reply[2]);
    },

    async set(namespace, key, value, setOptions = {}) {
      checkNamespace(namespace);
      checkKey(key);
      checkSetOptions(setOptions);
      const text = serializeValue(value);
      const mode = setOptions.ifAbsent ? 'absent' : setOptions.ifVersion !== undefined ? 'version' : 'always';
      const reply = await script(
        commands,
        SET_RECORD,
        [keys.record(namespace, key), keys.index(namespace), keys.expiries(namespace), keys.versions],
        [text, setOptions.ttlMs ?? '', mode, setOptions.ifVersion ?? '', key],
      );
      if (!Array.isArray(reply)) return undefined;
      const expiresAt = Number(reply[1]);
      return writtenRecord(key, text, Number(reply[0]), expiresAt >= 0 ? expiresAt : null);
    },

    async update(namespace, key, change, updateOptions = {}) {
      if (updateOptions.ttlMs !== undefined) checkDuration(updateOptions.ttlMs, 'ttlMs');
      const attempts = updateOptions.attempts ?? DEFAULT_UPDATE_ATTEMPTS;
      // Optimistic: write only if nobody wrote since the read (version, or still absent); else read again.
      for (let attempt = 1; attempt <= attempts; attempt++) {
        const current = await records.get(namespace, key);
        const next = change(current);
        if (next === undefined) return undefined;
        const condition = current ? { ifVersion: current.version } : { ifAbsent: true };
        const written = await records.set(namespace, key, next, {
          ...condition,
          ...(updateOptions.ttlMs !== undefined ? { ttlMs: updateOptions.ttlMs } : {}),
        });
        if (written) return written;
        await sleep(Math.random() * Math.min(2 ** attempt, 50));
      }
      throw new UpdateConflictError(`Record ${namespace}/${key} kept changing; gave up after ${attempts} attempts`);
    },

    async touch(namespace, key, ttlMs) {
      checkNamespace(namespace);
      checkKey(key);
      checkDuration(ttlMs, 'ttlMs');
      const reply = await script(
        commands,
        TOUCH_RECORD,
        [keys.record(namespace, key), keys.index(namespace), keys.expiries(namespace)],
        [ttlMs, key],
      );
      return reply === 1;
    },

    async delete(namespace, key, deleteOptions = {}) {
      checkNamespace(namespace);
      checkKey(key);
      const reply = await script(
        commands,
        DELETE_RECORD,
        [keys.record(namespace, key), keys.index(namespace), keys.expiries(namespace)],
        [deleteOptions.ifVersion ?? '', key],
      );
      return reply === 1;
    },

    async list(namespace, listOptions = {}) {
      checkNamespace(namespace);
      const limit = listLimit(listOptions.limit);
      const prefix = listOptions.prefix ?? '';
      const after = listOptions.after;
      const lower =
        after !== undefined && Buffer.compare(Buffer.from(after), Buffer.from(prefix)) >= 0
          ? `(${after}`
          : `[${prefix}`;
      const reply: unknown = await script(
        commands,
        LIST_RECORDS,
        [keys.index(namespace), keys.expiries(namespace)],
        [keys.recordPrefix(namespace), prefix, lower, limit],
      );
      if (!isUnknownArray(reply) || !isUnknownArray(reply[2]))
        throw new Error('Unexpected answer to the record listing');
      const found: StoredRecord[] = [];
      for (const entry of reply[2]) {
        if (!isUnknownArray(entry) || typeof entry[0] !== 'string') continue;
        found.push(recordFromReply(entry[0], entry[1], entry[2], entry[3]));
      }
      const last = reply[1];
      return reply[0] === 1 && typeof last === 'string' ? { records: found, nextAfter: last } : { records: found };
    },
  };

  // ---- rate limits ------------------------------------------------------------------------------------
  const rateLimitKey = (key: string) => `${keyPrefix}rate-limit:${key}`;
  const rateLimits: RateLimitCounters = {
    async hit(key, windowMs) {
      checkDuration(windowMs, 'windowMs');
      return countOf(await script(commands, RATE_LIMIT_HIT, [rateLimitKey(key)], [windowMs]), 0);
    },
    async readAndHit(namespace, key, hit) {
      checkNamespace(namespace);
      checkKey(key);
      checkDuration(hit.windowMs, 'windowMs');
      const reply = await script(
        commands,
        GET_RECORD_AND_HIT,
        [keys.record(namespace, key)],
        [rateLimitKey(hit.subjectKey), rateLimitKey(hit.otherwiseKey), hit.windowMs, ...hit.subjectPath],
      );
      if (!isUnknownArray(reply)) throw new Error('Unexpected answer to the record read with a rate-limit count');
      const fields = reply[0];
      const record = isUnknownArray(fields) ? recordFromReply(key, fields[0], fields[1], fields[2]) : undefined;
      return { record, count: { ...countOf(reply, 1), bySubject: reply[3] === 1 } };
    },
  };

  // ---- locks and leader leases ------------------------------------------------------------------------
  // Waiters are told of releases on a channel (a connection of its own, opened at the first wait):
  // each release of a lock that someone waited for, with what it left, heard by every instance.
  const releaseWakes = new Map<string, Set<(note?: JsonObject) => void>>();
  let releases: Redis | undefined;
  let hearingReleases = false;

  function listenForRelease(name: string, wake: (note?: JsonObject) => void): () => void {
    if (!releases && !closed) startHearingReleases();
    let wakes = releaseWakes.get(name);
    if (!wakes) {
      wakes = new Set();
      releaseWakes.set(name, wakes);
    }
    const line = wakes;
    line.add(wake);
    return () => {
      line.delete(wake);
      if (line.size === 0 && releaseWakes.get(name) === line) releaseWakes.delete(name);
    };
  }

  function startHearingReleases(): void {
    const connection = new Redis(options.url, connectionOptions(options, 'releases'));
    releases = connection;
    connection.on('error', () => undefined);
    connection.on('close', () => (hearingReleases = false));
    connection.on('ready', () => {
      connection.subscribe(keys.lockReleases).then(
        () => (hearingReleases = !closed && connection.status === 'ready'),
        () => (hearingReleases = false),
      );
    });
    connection.on('message', (channel: string, message: string) => {
      if (channel !== keys.lockReleases) return;
      const { name, note } = releaseMessage(message);
      const wakes = releaseWakes.get(name);
      if (!wakes) return;
      // Parsed only here, where someone waits for this lock, and once for all of them.
      const left = note ? noteOf(note) : undefined;
      for (const wake of [...wakes]) wake(left);
    });
  }

  const turns = createLocalTurns();
  const locks: LockManager = {
    async acquire(name, lockOptions) {
      checkLockOptions(name, lockOptions);
      const token = newLockToken(instanceId);
      const lockKeys = [keys.lock(name), keys.lockNote(name), keys.lockWaiting(name)];
      const waitMs = lockOptions.waitMs ?? 0;
      let left: string | undefined;
      const take = async (waitLeftMs: number): Promise<true | number> => {
        const answer = await script(commands, TAKE_LOCK, lockKeys, [token, lockOptions.ttlMs, waitLeftMs]);
        if (!isUnknownArray(answer)) throw new Error('Unexpected answer to TAKE_LOCK');
        if (answer[0] === 1 && typeof answer[1] === 'string') {
          left = answer[1];
          return true;
        }
        // The time the holder's lock has left (a lock without an expiry, never ours: tried again untold).
        const lockLeft = Number(answer[1]);
        return lockLeft > 0 ? lockLeft : UNTOLD_RETRY_MS;
      };
      const taken =
        waitMs > 0
          ? await acquireWhenTold(
              take,
              waitMs,
              (wake) => listenForRelease(name, wake),
              () => hearingReleases,
              lockOptions,
            )
          : !lockOptions.signal?.aborted && (await take(0)) === true;
      return taken ? heldLock(locks, name, token, left ? noteOf(left) : undefined) : undefined;
    },
    async release(name, token, note) {
      checkKey(name, 'lock name');
      const releaseKeys = [keys.lock(name), keys.lockWaiting(name)];
      const told = [token, keys.lockReleases, name];
      if (!note) return (await script(commands, RELEASE_LOCK, releaseKeys, told)) === 1;
      return (
        (await script(
          commands,
          RELEASE_LEAVING_NOTE,
          [...releaseKeys, keys.lockNote(name)],
          [...told, serializeValue(note), LOCK_NOTE_TTL_MS],
        )) === 1
      );
    },
    async extend(name, token, ttlMs) {
      checkKey(name, 'lock name');
      checkDuration(ttlMs, 'ttlMs');
      return (await script(commands, EXTEND_IF_OWNER, [keys.lock(name)], [token, ttlMs])) === 1;
    },
    withLock: (name, lockOptions, task) => runWithLock(locks, turns, name, lockOptions, task),
  };

  const leadership: LeaderLeases = {
    async tryAcquire(role, ttlMs) {
      checkKey(role, 'role');
      checkDuration(ttlMs, 'ttlMs');
      return (await script(commands, TAKE_OR_RENEW, [keys.leader(role)], [instanceId, ttlMs])) === 1;
    },
    async renew(role, ttlMs) {
      checkKey(role, 'role');
      checkDuration(ttlMs, 'ttlMs');
      return (await script(commands, EXTEND_IF_OWNER, [keys.leader(role)], [instanceId, ttlMs])) === 1;
    },
    async release(role) {
      checkKey(role, 'role');
      return (await script(commands, RELEASE_IF_OWNER, [keys.leader(role)], [instanceId])) === 1;
    },
    async holder(role) {
      checkKey(role, 'role');
      const holder = await run(() => commands.get(keys.leader(role)));
      return holder ?? undefined;
    },
  };

  // ---- events ------------------------------------------------------------------------------------------
  async function latest(connection: Redis): Promise<{ history: string; streamId: string }> {
    const reply = await script(connection, LATEST, [keys.stream, keys.history], [newHistoryId()]);
    if (!Array.isArray(reply) || typeof reply[0] !== 'string' || typeof reply[1] !== 'string')
      throw new Error('Unexpected answer to LATEST');
    return { history: reply[0], streamId: reply[1] };
  }

  async function replay(
    connection: Redis,
    history: string,
    streamId: string,
    limit: number,
  ): Promise<{ entries: unknown[] } | 'resync'> {
    const reply = await script(connection, SINCE, [keys.stream, keys.history], [history, streamId, limit]);
    if (!Array.isArray(reply) || reply[0] !== 'ok') return 'resync';
    return { entries: Array.isArray(reply[1]) ? reply[1] : [] };
  }

  const listeners = new Set<EventListener>();
  let readerLoop: Promise<void> | undefined;
  let positioned: Promise<void> | undefined;
  /** A subscribe went on before the reader knew where the stream stood: what came between is unknown. */
  let resyncOwed = false;
  let isPositioned = false;

  function deliver(event: BusEvent): void {
    for (const listener of listeners) {
      try {
        listener.onEvent(event);
      } catch (error) {
        log.error({ err: error, eventId: event.id }, 'An event listener failed');
      }
    }
  }

  function resyncAll(): void {
    for (const listener of listeners) {
      try {
        listener.onResync?.();
      } catch (error) {
        log.error({ err: error }, 'An event listener failed on resync');
      }
    }
  }

  async function readEvents(connection: Redis, markPositioned: () => void): Promise<void> {
    let position: { history: string; streamId: string } | undefined;
    let interrupted = false;
    while (!closed) {
      try {
        await whenReady(connection, closing.signal);
        if (closed) break;
        if (!position) {
          position = await latest(commands);
          markPositioned();
          if (resyncOwed) {
            resyncOwed = false;
            resyncAll();
          }
        } else if (interrupted) {
          // Back after a lost connection: go on where we were if nothing was lost meanwhile.
          const check = await replay(commands, position.history, position.streamId, 1);
          if (check === 'resync') {
            const now = await latest(commands);
            position = now.history === position.history ? now : { history: now.history, streamId: '0-0' };
            resyncAll();
          }
        }
        interrupted = false;
        const history = position.history;
        const reply: unknown = await connection.xread(
          'COUNT',
          READ_BATCH,
          'BLOCK',
          READ_BLOCK_MS,
          'STREAMS',
          keys.stream,
          position.streamId,
        );
        for (const entry of streamEntries(reply)) {
          position = { history, streamId: entry.id };
          const event = eventFromEntry(history, entry);
          if (event) deliver(event);
        }
      } catch (error) {
        if (closed) break;
        interrupted = true;
        if (connection.status === 'ready' && !isUnavailable(error)) {
          log.error({ err: error }, 'Reading shared events failed; trying again');
        }
        await sleep(100, undefined, { signal: closing.signal }).catch(() => undefined);
      }
    }
  }

  function startReader(): Promise<void> {
    if (positioned) return positioned;
    const connection = new Redis(options.url, connectionOptions(options, 'events'));
    reader = connection;
    watch(connection);
    connection.once('ready', () => {
      readerConnected = true;
      refreshStatus();
    });
    positioned = new Promise<void>((resolve) => {
      readerLoop = readEvents(connection, () => {
        isPositioned = true;
        resolve();
      });
    });
    return positioned;
  }

  const events: EventBus = {
    async publish(event) {
      checkKey(event.type, 'event type');
      const data = serializeValue(event.data);
      const reply = await script(
        commands,
        PUBLISH,
        [keys.stream, keys.history],
        [newHistoryId(), options.eventHistorySize, event.type, data, instanceId],
      );
      if (!Array.isArray(reply) || typeof reply[0] !== 'string' || typeof reply[1] !== 'string')
        throw new Error('Unexpected answer to PUBLISH');
      return formatEventId(reply[0], reply[1]);
    },

    async subscribe(listener) {
      if (closed) throw new SharedStateUnavailableError('The shared state is closed');
      listeners.add(listener);
      const started = startReader();
      const timeout = new AbortController();
      await Promise.race([started, sleep(connectWaitMs, undefined, { signal: timeout.signal }).catch(() => undefined)]);
      timeout.abort();
      // Still not listening: whatever is published until then is unknown to this listener.
      if (!isPositioned) resyncOwed = true;
      return () => void listeners.delete(listener);
    },

    async since(lastEventId, replayOptions = {}) {
      const limit = replayOptions.limit ?? DEFAULT_REPLAY_LIMIT;
      if (!Number.isSafeInteger(limit) || limit < 1) throw new TypeError('limit is at least 1');
      const position = parseEventId(lastEventId);
      if (!position) return { resync: true };
      const answer = await replay(commands, position.history, `${position.ms}-${position.seq}`, limit);
      if (answer === 'resync') return { resync: true };
      const found: BusEvent[] = [];
      for (const entry of streamEntryList(answer.entries)) {
        const event = eventFromEntry(position.history, entry);
        if (event) found.push(event);
      }
      return { resync: false, events: found.slice(0, limit), more: answer.entries.length > limit };
    },

    async latestId() {
      const position = await latest(commands);
      return formatEventId(position.history, position.streamId);
    },
  };

  function eventFromEntry(history: string, entry: StreamEntry): BusEvent | undefined {
    const type = entry.fields.get('t');
    const data = entry.fields.get('d');
    const source = entry.fields.get('s');
    const [ms] = entry.id.split('-');
    if (type === undefined || data === undefined || source === undefined) {
      log.warn({ streamId: entry.id }, 'Skipped a shared event without type, data or source');
      return undefined;
    }
    try {
      return { id: formatEventId(history, entry.id), type, data: parseValue(data), source, publishedAt: Number(ms) };
    } catch (error) {
      log.warn({ err: error, streamId: entry.id }, 'Skipped a shared event whose data is not a JSON object');
      return undefined;
    }
  }

  // ---- start-up ------------------------------------------------------------------------------------------
  const startup = AbortSignal.timeout(connectWaitMs);
  await whenReady(commands, startup);
  const opened = commands.status === 'ready';
  refreshStatus();
  if (!opened)
    log.warn(
      { sharedState: 'redis' },
      `Redis did not answer within ${connectWaitMs} ms; starting without it and reconnecting`,
    );

  return {
    kind: 'redis',
    instanceId,
    records,
    locks,
    events,
    leadership,
    rateLimits,
    status: () => currentStatus,
    onStatusChange(listener) {
      statusListeners.add(listener);
      return () => void statusListeners.delete(listener);
    },
    async close() {
      if (closed) return;
      closed = true;
      closing.abort();
      listeners.clear();
      reader?.disconnect();
      releases?.disconnect();
      hearingReleases = false;
      await readerLoop;
      await commands.quit().catch(() => commands.disconnect());
      refreshStatus();
      statusListeners.clear();
    },
  };
}

/** The count and window left of a budget, at `from` in a script's answer. */
function countOf(reply: unknown, from: number): RateLimitCount {
  const list = isUnknownArray(reply) ? reply : [];
  const current = Number(list[from]);
  const ttlMs = Number(list[from + 1]);
  if (!Number.isFinite(current) || !Number.isFinite(ttlMs)) throw new Error('Unexpected answer to a rate-limit count');
  return { current, ttlMs: Math.max(0, ttlMs) };
}

/** Resolves when the connection is ready, or when `signal` aborts; connection errors on the way are ignored. */
async function whenReady(connection: Redis, signal: AbortSignal): Promise<void> {
  if (connection.status === 'ready' || signal.aborted) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      connection.off('ready', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    connection.on('ready', done);
    signal.addEventListener('abort', done);
  });
}

/**
 * Fail fast, reconnect forever: no offline queue (a command while disconnected fails at once), a
 * command in flight when the connection drops fails at once (maxRetriesPerRequest 0) and is never sent
 * again later (autoResendUnfulfilledCommands off: a write the caller saw fail must not happen after).
 */
function connectionOptions(options: RedisSharedStateOptions, role: 'commands' | 'events' | 'releases'): RedisOptions {
  const longestPause = options.reconnectMaxDelayMs ?? 2_000;
  const commandTimeout = options.commandTimeoutMs ?? 2_000;
  return {
    connectionName: `radiology-worklist:${options.instanceId.replace(/[^\w.:-]/g, '_')}:${role}`,
    disableClientInfo: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    connectTimeout: 2_000,
    retryStrategy: (attempt) =>
      Math.min(50 * 2 ** Math.min(attempt - 1, 10), longestPause) + Math.floor(Math.random() * 50),
    ...(role === 'commands'
      ? {
          // A server that stops answering (but keeps the socket) counts as down too: the socket is dropped.
          commandTimeout,
          socketTimeout: commandTimeout * 2,
          // Commands issued in the same turn of the event loop (many requests at once: sessions, rate
          // limits, locks, events) go out in one write and come back in one read.
          enableAutoPipelining: true,
        }
      : role === 'events'
        ? // XREAD BLOCK waits by design; a reply that never comes still ends, as "nothing new".
          { blockingTimeout: READ_BLOCK_MS * 2 }
        : // Only listens (the release channel), subscribing anew itself after each reconnect.
          { autoResubscribe: false }),
  };
}

/** Errors that mean "Redis cannot serve this now", as opposed to a bug (a bad script, a wrong type). */
function isUnavailable(error: unknown): boolean {
  if (error instanceof SharedStateUnavailableError) return true;
  if (!(error instanceof Error)) return false;
  if (error.name !== 'ReplyError') return true;
  return /^(LOADING|BUSY|MASTERDOWN|READONLY|TRYAGAIN|CLUSTERDOWN|NOREPLICAS|OOM)\b/.test(error.message);
}

function asUnavailable(error: unknown): unknown {
  if (error instanceof SharedStateUnavailableError || !isUnavailable(error)) return error;
  return new SharedStateUnavailableError('Redis cannot be reached', { cause: error });
}

interface StreamEntry {
  id: string;
  fields: Map<string, string>;
}

/** The entries of an XREAD answer for one stream: `[[stream, [[id, [field, value, ...]], ...]]]`. */
function streamEntries(reply: unknown): StreamEntry[] {
  if (!Array.isArray(reply)) return [];
  const first: unknown = reply[0];
  return Array.isArray(first) ? streamEntryList(first[1]) : [];
}

/** Entries as XRANGE answers them: `[[id, [field, value, ...]], ...]`. */
function streamEntryList(list: unknown): StreamEntry[] {
  if (!Array.isArray(list)) return [];
  const entries: StreamEntry[] = [];
  for (const item of list) {
    if (!Array.isArray(item) || typeof item[0] !== 'string' || !Array.isArray(item[1])) continue;
    const fields = new Map<string, string>();
    const flat: unknown[] = item[1];
    for (let index = 0; index + 1 < flat.length; index += 2) {
      const field = flat[index];
      const value = flat[index + 1];
      if (typeof field === 'string' && typeof value === 'string') fields.set(field, value);
    }
    entries.push({ id: item[0], fields });
  }
  return entries;
}
