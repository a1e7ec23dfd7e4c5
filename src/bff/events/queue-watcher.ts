import { isStudy, isStudyListPage } from '../../contract/answer-shapes.ts';
import type { Study } from '../../contract/avara-types.ts';
import type { SlaTargets } from '../../contract/sla.ts';
import type { WorklistEventData } from '../../contract/worklist-events.ts';
import type { AvaraClient } from '../services/avara-client.ts';
import {
  SharedStateUnavailableError,
  type BusEvent,
  type RecordStore,
  type SharedState,
  type StoredRecord,
  type SharedStateLog,
} from '../shared-state/shared-state.ts';
import {
  SNAPSHOT_BUCKETS,
  bucketOf,
  countQueue,
  decodeBucket,
  encodeBuckets,
  fingerprintOf,
  isActive,
  nextTurn,
  parseQueueCounts,
  summarize,
  summarizeAgain,
  turnDue,
  type QueueCounts,
  type QueueSnapshot,
} from './queue-snapshot.ts';
import { asJsonObject } from './study-events.ts';

/** The leader lease: one instance walks at a time. */
export const QUEUE_WATCHER_ROLE = 'queue-watcher';
export const DEFAULT_QUEUE_WATCH_INTERVAL_MS = 5_000;
const NAMESPACE = 'queue-watch';
const COUNTS_KEY = 'counts';
/** Says a snapshot exists (and when it was walked); without it the first walk is a baseline. */
const STATE_KEY = 'state';
const BUCKET_PREFIX = 'snapshot-';
/**
 * What a snapshot entry's first member is: the hash of the study's answer text (answerHashOf). A
 * snapshot without it (saved by an older version, which stored fingerprints) is taken as none.
 */
const SNAPSHOT_FORM = 'answer-hash';
const bucketKey = (bucket: number) => `${BUCKET_PREFIX}${String(bucket).padStart(3, '0')}`;
const PAGE = 100;
/** More differences than this in one walk (a long outage, a bulk change): one resync rather than a flood. */
export const MAX_EVENTS_PER_WALK = 200;
/** What this instance heard the product publish, kept to not announce the same change twice. */
const TOLD_LIMIT = 10_000;
const TOLD_TTL_MS = 10 * 60_000;

export interface QueueWatcherOptions {
  avara: Pick<AvaraClient, 'listStudies' | 'retrieveStudy'>;
  shared: Pick<SharedState, 'records' | 'events' | 'leadership'>;
  /** QUEUE_WATCH_INTERVAL_MS: how often the leader walks the queue (and others ask to lead). */
  intervalMs: number;
  log: SharedStateLog;
  /**
   * Resolves when this instance answers no request (or after `maxWaitMs`): the walk waits for it
   * before each page and each bucket it writes, so people's requests go first. None: no waiting.
   */
  whenQuiet?: (maxWaitMs: number) => Promise<void>;
  /** The clock the counts are taken by (`asOf`, overdue); replaceable in tests. */
  now?: () => number;
  slaTargets?: Readonly<SlaTargets>;
}

export interface QueueWatcher {
  /** Whether this instance walked as the leader at its last turn. */
  isLeader(): boolean;
  /** Stops walking, waits for a walk under way, and gives the lease up so another instance takes over at once. */
  close(): Promise<void>;
}

/**
 * Notices changes made outside the product (in Avara's own tools). Every `intervalMs` the instance
 * holding the `queue-watcher` leader lease walks the active queue (unread, not cancelled, every
 * severity), compares it with the previous walk's snapshot and publishes the differences:
 * `study.created` for new studies, `study.changed` for changed ones and for those that left the
 * queue (read or cancelled elsewhere; fetched for their current state). Changes the product already
 * published (heard on the bus) are not announced again. The snapshot lives in the shared state, so
 * a new leader goes on from it, and gives the exact counts of GET /api/worklist/counts. The first
 * walk ever (no snapshot yet) is a baseline and publishes nothing. See docs/decisions/015.
 */
/** At most this share of the time is spent walking: a walk of 2 s spaces the walks 20 s apart. */
const WALK_SHARE = 0.1;
/** The longest a walk waits for a pause in the requests before its next step: it gets on under steady load too. */
const LONGEST_YIELD_MS = 100;
/** Snapshot entries written between two such waits (about 200 KB of JSON). */
const STUDIES_PER_YIELD = 2_000;

export function startQueueWatcher(options: QueueWatcherOptions): QueueWatcher {
  const { avara, shared, intervalMs, log } = options;
  const yieldToRequests = () => options.whenQuiet?.(LONGEST_YIELD_MS);
  const countsClock = options.now ?? Date.now;
  const now = Date.now;
  /** The pause before the next turn: the interval, or longer when walks are long (see WALK_SHARE). */
  let delayMs = intervalMs;
  let leaseMs = Math.max(3 * intervalMs, 2_000);
  const closing = new AbortController();
  let leading = false;
  /** The snapshot this leader goes on from: undefined until loaded, null when there is none yet (baseline). */
  let snapshot: QueueSnapshot | null | undefined;
  /** Buckets changed in memory but not yet written (the shared state was unreachable). */
  const unsaved = new Set<number>();
  /** Buckets that have a record in the shared state (known since the snapshot was loaded). */
  const storedBuckets = new Set<number>();
  let lastRenewal = 0;
  let failing = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  // ---- what the product published ---------------------------------------------------------------------
  // Every instance hears every event, and only the leader's walk ever compares one: the study is
  // kept as heard (the bus's own parsed object) and fingerprinted only when a walk asks about it.
  const told = new Map<string, { study: Study; fingerprint?: string; active: boolean; at: number }>();
  function hear(event: BusEvent): void {
    if (event.type !== 'study.created' && event.type !== 'study.changed') return;
    if (event.data.origin === 'watcher') return;
    const study = event.data.study;
    if (!isStudy(study)) return;
    told.delete(study.studyId);
    told.set(study.studyId, { study, active: isActive(study), at: now() });
    if (told.size > TOLD_LIMIT) {
      const oldest = told.keys().next();
      if (!oldest.done) told.delete(oldest.value);
    }
  }
  /** True (and forgotten) when the product already published the study in this very state. */
  function alreadyTold(studyId: string, fingerprint: string): boolean {
    const entry = told.get(studyId);
    if (!entry) return false;
    entry.fingerprint ??= fingerprintOf(entry.study);
    if (entry.fingerprint !== fingerprint) return false;
    told.delete(studyId);
    return true;
  }
  function forgetOldTold(): void {
    const before = now() - TOLD_TTL_MS;
    for (const [studyId, entry] of told) {
      if (entry.at >= before) break;
      told.delete(studyId);
    }
  }
  const subscription = shared.events.subscribe({ onEvent: hear }).catch((error: unknown) => {
    log.warn(
      { err: error },
      'The queue watcher could not listen to the event bus; changes made through the worklist may be announced twice',
    );
    return undefined;
  });

  // ---- leadership -----------------------------------------------------------------------------------
  async function keepLease(): Promise<void> {
    if (now() - lastRenewal < leaseMs / 3) return;
    if (!(await shared.leadership.renew(QUEUE_WATCHER_ROLE, leaseMs))) throw new LeadershipLost();
    lastRenewal = now();
  }

  async function turn(): Promise<void> {
    try {
      const leads = await shared.leadership.tryAcquire(QUEUE_WATCHER_ROLE, leaseMs);
      if (!leads) {
        if (leading) log.info('Another instance leads the queue watch now');
        stepDown();
        return;
      }
      lastRenewal = now();
      if (!leading) log.info({ intervalMs }, 'This instance leads the queue watch');
      leading = true;
      // Whoever led before may have walked since this instance last did: always go on from the shared snapshot.
      if (snapshot === undefined) snapshot = await loadSnapshot(shared.records, storedBuckets);
      const baseline = snapshot === null;
      const began = now();
      await walk();
      // A very large queue takes long to walk: walking stays a small share of the time (Avara's and
      // this instance's), and the lease outlives the longer pause. A baseline is no measure of that
      // (every bucket is written, right after a start): the walk after it is.
      if (!baseline) delayMs = Math.max(intervalMs, Math.round((now() - began) / WALK_SHARE));
      leaseMs = Math.max(3 * delayMs, 2_000, baseline ? 3 * (now() - began) : 0);
      if (failing) log.info('The queue watch walks again');
      failing = false;
    } catch (error) {
      if (error instanceof LeadershipLost) {
        log.info('The queue watch lease was lost during a walk; its result was dropped');
        stepDown();
        return;
      }
      if (closing.signal.aborted) return;
      if (!failing) {
        const unavailable = error instanceof SharedStateUnavailableError;
        log.warn(
          { err: error },
          unavailable
            ? 'The queue watch waits for the shared state'
            : 'The queue walk failed; trying again every interval',
        );
      }
      failing = true;
    } finally {
      forgetOldTold();
    }
  }

  function stepDown(): void {
    leading = false;
    snapshot = undefined;
    unsaved.clear();
    storedBuckets.clear();
  }

  // ---- one walk ---------------------------------------------------------------------------------------
  async function walk(): Promise<void> {
    const previous = snapshot ?? undefined;
    const next: QueueSnapshot = new Map();
    const announcements: Array<{ type: 'study.created' | 'study.changed'; study: Study }> = [];
    /** Buckets holding a study that came, went or changed since the previous walk: only those are written. */
    const touched = previous ? new Set<number>() : new Set(allBuckets());
    let differences = 0;
    let cursor: string | undefined;
    do {
      if (closing.signal.aborted) return;
      await yieldToRequests();
      await keepLease();
      const result = await avara.listStudies({
        studyViewerStatus: 'incomplete',
        isCancelled: false,
        limit: PAGE,
        ...(cursor ? { cursor } : {}),
      });
      if (!result.ok) throw new Error(`Avara answered ${result.status} to the queue walk`);
      const page = result.body;
      if (!isStudyListPage(page))
        throw new Error('Avara answered the queue walk with something that is not a page of studies');
      for (const study of page.studies) {
        if (!isActive(study)) continue;
        const before = previous?.get(study.studyId);
        const summary = summarizeAgain(study, before);
        next.set(study.studyId, summary);
        // Answered as at the last walk (or a baseline): no fingerprint is worked out.
        if (!previous || before === summary) continue;
        touched.add(bucketOf(study.studyId));
        if (alreadyTold(study.studyId, fingerprintOf(study))) continue;
        differences += 1;
        if (announcements.length < MAX_EVENTS_PER_WALK)
          announcements.push({ type: before ? 'study.changed' : 'study.created', study });
      }
      cursor = page.hasMore && page.cursor ? page.cursor : undefined;
    } while (cursor);

    // Studies that left the queue: read or cancelled elsewhere (or through the worklist, already told).
    const left: string[] = [];
    let handled = 0;
    for (const studyId of previous?.keys() ?? []) {
      handled += 1;
      if (turnDue(handled)) await nextTurn();
      if (next.has(studyId)) continue;
      touched.add(bucketOf(studyId));
      const heard = told.get(studyId);
      if (heard && !heard.active) {
        told.delete(studyId);
        continue;
      }
      left.push(studyId);
    }
    differences += left.length;

    await keepLease();
    if (differences > MAX_EVENTS_PER_WALK) {
      const data: WorklistEventData['resync'] = {
        reason: `${differences} studies changed at once outside the worklist: load everything again.`,
      };
      await shared.events.publish({ type: 'resync', data });
    } else {
      for (const { type, study } of announcements) await publishStudy(type, study);
      for (const studyId of left) await announceLeft(studyId, previous, next);
    }

    for (const bucket of touched) unsaved.add(bucket);
    snapshot = next;
    await saveSnapshot();
    const counts = countQueue(next.values(), countsClock(), options.slaTargets);
    await shared.records.set(NAMESPACE, COUNTS_KEY, counts);
  }

  async function publishStudy(type: 'study.created' | 'study.changed', study: Study): Promise<void> {
    const value = asJsonObject(study);
    if (value) await shared.events.publish({ type, data: { study: value, origin: 'watcher' } });
  }

  /** A study that left the active queue, announced as it is now; kept for the next walk when Avara could not say. */
  async function announceLeft(
    studyId: string,
    previous: QueueSnapshot | undefined,
    next: QueueSnapshot,
  ): Promise<void> {
    const result = await avara.retrieveStudy(studyId).catch((error: unknown) => {
      log.warn(
        { err: error, studyId },
        'A study that left the queue could not be fetched; trying again at the next walk',
      );
      return undefined;
    });
    const before = previous?.get(studyId);
    if (!result || (!result.ok && result.status >= 500)) {
      if (before) next.set(studyId, before);
      return;
    }
    // 404: deleted, nothing to show. Another refusal would refuse again: not tried again.
    if (!result.ok || !isStudy(result.body)) return;
    const study = result.body;
    const summary = summarize(study);
    // Back in the queue since the list was read: it counts, and is announced if it changed.
    if (isActive(study)) next.set(studyId, summary);
    if (summary.answerHash === before?.answerHash || alreadyTold(studyId, fingerprintOf(study))) return;
    await publishStudy('study.changed', study);
  }

  async function saveSnapshot(): Promise<void> {
    const current = snapshot;
    if (!current) return;
    if (unsaved.size === 0) return;
    let written = 0;
    for (const [bucket, value] of await encodeBuckets(current, unsaved)) {
      // An empty bucket is no record: a small queue is a few records, not one per bucket.
      const studies = Object.keys(value.studies ?? {}).length;
      const empty = studies === 0;
      if (!empty) {
        await shared.records.set(NAMESPACE, bucketKey(bucket), value);
        storedBuckets.add(bucket);
      } else if (storedBuckets.has(bucket)) {
        await shared.records.delete(NAMESPACE, bucketKey(bucket));
        storedBuckets.delete(bucket);
      }
      unsaved.delete(bucket);
      // Requests go on every few thousand studies written.
      written += studies;
      if (written >= STUDIES_PER_YIELD) {
        written = 0;
        await nextTurn();
        await yieldToRequests();
      }
    }
    // Written after the buckets, so a leader never starts from half a baseline. A leader that stops
    // midway through a later save leaves some buckets a walk behind: those changes are announced again.
    await shared.records.set(NAMESPACE, STATE_KEY, {
      savedAt: new Date(now()).toISOString(),
      buckets: SNAPSHOT_BUCKETS,
      form: SNAPSHOT_FORM,
    });
  }

  // ---- the loop ---------------------------------------------------------------------------------------
  function schedule(): void {
    if (closing.signal.aborted) return;
    timer = setTimeout(() => {
      running = turn().finally(() => {
        running = undefined;
        schedule();
      });
    }, delayMs);
    timer.unref();
  }
  // The first walk waits an interval too: instances starting together, and the requests of a fresh
  // start, are not met by a walk of the whole queue at once.
  schedule();

  return {
    isLeader: () => leading,
    async close() {
      if (closing.signal.aborted) return;
      closing.abort();
      clearTimeout(timer);
      await running;
      clearTimeout(timer);
      if (leading) await shared.leadership.release(QUEUE_WATCHER_ROLE).catch(() => false);
      stepDown();
      const stop = await subscription;
      stop?.();
    },
  };
}

/** The counts of the last walk (any instance's), or undefined before the first. */
export async function readQueueCounts(records: RecordStore): Promise<QueueCounts | undefined> {
  const stored = await records.get(NAMESPACE, COUNTS_KEY);
  return stored ? parseQueueCounts(stored.value) : undefined;
}

/**
 * The snapshot a previous leader saved, or null when none was ever saved, or it was saved in
 * another number of buckets (by an older version): its records are then removed, and the first walk
 * is a baseline again.
 */
async function loadSnapshot(records: RecordStore, storedBuckets: Set<number>): Promise<QueueSnapshot | null> {
  storedBuckets.clear();
  const state = await records.get(NAMESPACE, STATE_KEY);
  if (state?.value.buckets !== SNAPSHOT_BUCKETS || state.value.form !== SNAPSHOT_FORM) {
    // No baseline was finished (a leader may have stopped midway through one), or it is in another
    // layout or form (an older version's fingerprints): what buckets there are would only be
    // mistaken for the next baseline's.
    await removeSnapshot(records, state !== undefined);
    return null;
  }
  const snapshot: QueueSnapshot = new Map();
  await eachBucket(records, (record) => {
    decodeBucket(record.value, snapshot);
    storedBuckets.add(Number(record.key.slice(BUCKET_PREFIX.length)));
  });
  return snapshot;
}

async function removeSnapshot(records: RecordStore, withState: boolean): Promise<void> {
  if (withState) await records.delete(NAMESPACE, STATE_KEY);
  const keys: string[] = [];
  await eachBucket(records, (record) => keys.push(record.key));
  for (const key of keys) await records.delete(NAMESPACE, key);
}

/** Every stored bucket, a page of records at a time. */
async function eachBucket(records: RecordStore, visit: (record: StoredRecord) => void): Promise<void> {
  let after: string | undefined;
  do {
    const page = await records.list(NAMESPACE, { prefix: BUCKET_PREFIX, limit: 1000, ...(after ? { after } : {}) });
    for (const record of page.records) visit(record);
    after = page.nextAfter;
  } while (after);
}

function allBuckets(): number[] {
  return Array.from({ length: SNAPSHOT_BUCKETS }, (_, bucket) => bucket);
}

class LeadershipLost extends Error {
  override name = 'LeadershipLost';
}
