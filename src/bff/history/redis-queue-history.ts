import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { noLog, type SharedStateLog } from '../shared-state/shared-state.ts';
import {
  isOpen,
  mergeObservation,
  parseEntry,
  type HistoryEntry,
  type HistoryObservation,
  type QueueHistory,
} from './queue-history.ts';

export interface RedisQueueHistoryOptions {
  /** REDIS_URL. */
  url: string;
  /** SHARED_STATE_KEY_PREFIX: the history's keys are `<prefix>qh:…`. */
  keyPrefix: string;
  log?: SharedStateLog;
  /** A command without an answer by then fails; default 2 s. */
  commandTimeoutMs?: number;
}

// An entry is a string (its JSON) under `qh:s:<studyId>`, indexed by three sorted sets: by last
// change (retention, entriesSince), the open ones, and by reading time (the export). A write is a
// compare-and-set of the whole entry against the JSON the merge started from, with its indexes, in
// one script: of several instances merging into one entry at once, each one's news is kept.
const COMPARE_AND_SET = `
local current = redis.call('GET', KEYS[1])
if ARGV[1] == '' then
  if current then return 0 end
elseif current ~= ARGV[1] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[3])
if ARGV[5] == '1' then redis.call('ZADD', KEYS[3], 0, ARGV[3]) else redis.call('ZREM', KEYS[3], ARGV[3]) end
if ARGV[6] ~= '' then redis.call('ZADD', KEYS[4], ARGV[6], ARGV[3]) else redis.call('ZREM', KEYS[4], ARGV[3]) end
return 1
`;

const PRUNE = `
local gone = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
for _, member in ipairs(gone) do
  redis.call('DEL', ARGV[2] .. member)
  redis.call('ZREM', KEYS[1], member)
  redis.call('ZREM', KEYS[2], member)
  redis.call('ZREM', KEYS[3], member)
end
return #gone
`;

const MERGE_ATTEMPTS = 20;
const PRUNE_BATCH = 1_000;
const READ_BATCH = 1_000;

/** The store every instance shares (REDIS_URL). */
export function openRedisQueueHistory(options: RedisQueueHistoryOptions): QueueHistory {
  const log = options.log ?? noLog;
  const prefix = `${options.keyPrefix}qh:`;
  const keys = {
    entry: (studyId: string) => `${prefix}s:${studyId}`,
    byChange: `${prefix}by-change`,
    open: `${prefix}open`,
    byRead: `${prefix}by-read`,
  };
  const redis = new Redis(options.url, {
    commandTimeout: options.commandTimeoutMs ?? 2_000,
    maxRetriesPerRequest: 1,
    retryStrategy: (times) => Math.min(50 * 2 ** times, 2_000),
    // The studies of one batch are merged at once (record, below): their reads go out in one write
    // and come back in one read, and so do their compare-and-sets.
    enableAutoPipelining: true,
  });
  let warned = false;
  redis.on('error', (error: unknown) => {
    if (!warned) log.warn({ err: error }, 'The queue history cannot reach Redis; it records again once Redis is back');
    warned = true;
  });
  redis.on('ready', () => {
    warned = false;
  });
  const scripts = { compareAndSet: script(COMPARE_AND_SET), prune: script(PRUNE) };

  async function run(
    source: { source: string; sha: string },
    scriptKeys: string[],
    args: Array<string | number>,
  ): Promise<unknown> {
    try {
      return await redis.evalsha(source.sha, scriptKeys.length, ...scriptKeys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return redis.eval(source.source, scriptKeys.length, ...scriptKeys, ...args);
    }
  }

  /** Merges one study's observations, in their order, into its entry: one compare-and-set for them all. */
  async function mergeStudy(studyId: string, observations: readonly HistoryObservation[]): Promise<void> {
    const key = keys.entry(studyId);
    for (let attempt = 0; attempt < MERGE_ATTEMPTS; attempt++) {
      const stored = await redis.get(key);
      const current = stored === null ? undefined : parseStored(stored);
      let next: HistoryEntry | undefined;
      for (const observation of observations) next = mergeObservation(next ?? current, observation) ?? next;
      if (!next) return;
      const written = await run(
        scripts.compareAndSet,
        [key, keys.byChange, keys.open, keys.byRead],
        [stored ?? '', JSON.stringify(next), studyId, next.lastChangeAt, isOpen(next) ? '1' : '0', next.readAt ?? ''],
      );
      if (written === 1) return;
    }
    throw new Error(`The queue history entry of ${studyId} kept changing under this merge`);
  }

  async function load(studyIds: string[]): Promise<HistoryEntry[]> {
    const entries: HistoryEntry[] = [];
    for (let start = 0; start < studyIds.length; start += READ_BATCH) {
      const values = await redis.mget(studyIds.slice(start, start + READ_BATCH).map(keys.entry));
      for (const value of values) {
        const entry = value === null ? undefined : parseStored(value);
        if (entry) entries.push(entry);
      }
    }
    return entries;
  }

  return {
    kind: 'redis',
    async record(observations) {
      // Each study's observations in order; different studies' entries are independent, so they are
      // merged side by side (one round trip for all their reads, one for all their writes).
      const byStudy = Map.groupBy(observations, (observation) =>
        observation.kind === 'study' ? observation.study.studyId : observation.studyId,
      );
      const merged = await Promise.allSettled([...byStudy].map(([studyId, list]) => mergeStudy(studyId, list)));
      const failed = merged.find((outcome) => outcome.status === 'rejected');
      if (failed) throw failed.reason;
    },
    async entry(studyId) {
      const stored = await redis.get(keys.entry(studyId));
      return stored === null ? undefined : parseStored(stored);
    },
    async entriesSince(since) {
      const [changed, open] = await Promise.all([
        redis.zrangebyscore(keys.byChange, String(since), '+inf'),
        redis.zrange(keys.open, '0', '-1'),
      ]);
      return load([...new Set([...changed, ...open])]);
    },
    async readBetween(from, to) {
      const entries = await load(await redis.zrangebyscore(keys.byRead, String(from), `(${to}`));
      return entries.sort((a, b) => (a.readAt ?? 0) - (b.readAt ?? 0) || (a.studyId < b.studyId ? -1 : 1));
    },
    async prune(before) {
      let total = 0;
      for (;;) {
        const gone = Number(
          await run(scripts.prune, [keys.byChange, keys.open, keys.byRead], [before, `${prefix}s:`, PRUNE_BATCH]),
        );
        total += gone;
        if (gone < PRUNE_BATCH) return total;
      }
    },
    async extent() {
      const studies = await redis.zcard(keys.byChange);
      if (studies === 0) return { studies, oldestAppearedAt: null };
      // Appearance is not indexed: the entry that changed longest ago is near enough for "since".
      const [oldest] = await redis.zrange(keys.byChange, '0', '0');
      const entry = oldest ? parseStored((await redis.get(keys.entry(oldest))) ?? '') : undefined;
      return { studies, oldestAppearedAt: entry?.appearedAt ?? null };
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

function parseStored(text: string): HistoryEntry | undefined {
  try {
    return parseEntry(JSON.parse(text));
  } catch {
    return undefined;
  }
}

function script(body: string): { source: string; sha: string } {
  return { source: body, sha: createHash('sha1').update(body).digest('hex') };
}
