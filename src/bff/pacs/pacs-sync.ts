import type { FastifyBaseLogger } from 'fastify';
import { UpstreamUnreachableError, type AvaraClient } from '../services/avara-client.ts';
import { recordOf } from './json-fields.ts';
import { ORTHANC_ID, PacsUnavailableError, type OrthancChange, type OrthancClient } from './orthanc-client.ts';
import type { PriorityMap } from './priority.ts';
import { createStudyArrival, RetryLater, type ArrivalOutcome } from './study-arrival.ts';
import type { SyncState } from './sync-state.ts';

export type SyncLog = Pick<FastifyBaseLogger, 'debug' | 'info' | 'warn' | 'error'>;

export interface PacsSyncOptions {
  orthanc: OrthancClient;
  avara: AvaraClient;
  state: SyncState;
  priorityMap: PriorityMap;
  log: SyncLog;
  /** How long to wait for new changes once the feed is read to its end. */
  pollIntervalMs?: number;
  /** Changes asked for per `/changes` call. */
  pageSize?: number;
  /** Retry delay after a failure: doubles from `initialMs` up to `maxMs`. */
  backoff?: { initialMs: number; maxMs: number };
  /** How often every study Orthanc holds is compared with the settled ones (also once at start). */
  reconcileIntervalMs?: number;
  /** Study IDs asked for per `/studies` call of the reconcile pass. */
  reconcilePageSize?: number;
  /** Told of each study put on the worklist (the live event stream announces it as a PACS arrival). */
  onCreated?: (study: unknown) => Promise<void>;
  /** Told of the outcome of every study handled (the metrics count arrivals). */
  onArrival?: (outcome: ArrivalOutcome) => void;
}

/** Where the sync is in Orthanc's change feed. */
export interface PacsSyncProgress {
  /** The last change fully handled (and saved). */
  position: number;
  /** The newest change Orthanc has reported, or undefined before the first answer. */
  orthancLast: number | undefined;
}

export interface PacsSync {
  /** The last change of the feed fully handled (and saved). */
  position(): number;
  /** The position and how far Orthanc's feed goes (its difference is the lag). */
  progress(): PacsSyncProgress;
  /** Resolves after the next reconcile pass has finished (for tests and tools). */
  reconciled(): Promise<void>;
  /** Stops after the step in hand (an HTTP call already sent is let finish) and closes the state. */
  close(): Promise<void>;
}

/** Pending studies are looked at on every this many idle polls (and right after Orthanc was unreachable). */
const PENDING_CHECK_EVERY_POLLS = 5;
/** Pending studies looked at per check, the longest-waiting first. */
const PENDING_CHECK_LIMIT = 500;

/**
 * Puts every study Orthanc holds on the worklist, whatever its change feed missed, three ways:
 *
 * - It follows `/changes`. `NewStudy` makes the study pending (saved); `StableStudy` puts it on
 *   the worklist (retrieve-by-uid first, create only when missing) and settles it (saved, with
 *   the feed position, in one transaction), so a restart neither skips nor repeats one.
 * - Orthanc never sends `StableStudy` for a study that was still arriving when it stopped (it
 *   reports such a study stable after its restart). So once the feed is read to its end, and on
 *   every few polls after, pending studies that Orthanc now reports stable are put on the worklist.
 * - A reconcile pass at start (once the feed is caught up), every `reconcileIntervalMs` and when the
 *   feed restarts lists the IDs of every study Orthanc holds and handles those neither settled nor
 *   pending (a cleared feed, a replaced database). Settled IDs cost one SQLite lookup each, not an
 *   Avara call, so the pass costs Orthanc one call per `reconcilePageSize` studies.
 *
 * While Orthanc or Avara is down the loop waits and tries the same step again (warn line each
 * time); it never moves past a study it could not handle. A study Avara refuses as invalid (400,
 * e.g. a malformed UID from a modality) is logged as an error and settled: retrying cannot fix it,
 * and it would otherwise hold up every arrival behind it. See docs/decisions/016.
 */
export function startPacsSync(options: PacsSyncOptions): PacsSync {
  const { orthanc, avara, state, priorityMap, log } = options;
  const pollIntervalMs = options.pollIntervalMs ?? 2_000;
  const pageSize = options.pageSize ?? 100;
  const backoff = options.backoff ?? { initialMs: 500, maxMs: 30_000 };
  const reconcileIntervalMs = options.reconcileIntervalMs ?? 300_000;
  const reconcilePageSize = options.reconcilePageSize ?? 1_000;
  const arrival = createStudyArrival({
    orthanc,
    avara,
    priorityMap,
    log,
    ...(options.onCreated ? { onCreated: options.onCreated } : {}),
  });
  const stop = new AbortController();
  let position = state.position();
  let orthancLast: number | undefined;
  /** The feed position reached in memory but not yet written (changes that need no action). */
  let unsavedPosition = false;
  let pendingCheckDue = true;
  let reconcileDue = true;
  let nextReconcileAt = 0;
  let idlePolls = 0;
  const reconcileWaiters: Array<() => void> = [];

  async function run(): Promise<void> {
    let failures = 0;
    log.info({ position, ...state.counts() }, 'PACS sync started');
    while (!stop.signal.aborted) {
      try {
        const page = await orthanc.changes(position, pageSize);
        // A page that is not the feed's end names only its own last change; Orthanc's newest is asked for.
        orthancLast = page.done || page.changes.length === 0 ? page.last : await orthanc.lastChange();
        if (page.changes.length === 0 && page.last < position) {
          // Orthanc's database was replaced: its feed restarted below our position.
          log.warn({ position, orthancLast: page.last }, 'PACS change feed restarted; following it from the beginning');
          savePosition(0);
          reconcileDue = true;
          pendingCheckDue = true;
          continue;
        }
        for (const change of page.changes) {
          if (stop.signal.aborted) return;
          await follow(change);
          failures = 0;
        }
        flushPosition();
        failures = 0;
        if (!page.done && page.changes.length > 0) continue;

        // Caught up with the feed: what it may have missed.
        idlePolls++;
        if (pendingCheckDue || idlePolls % PENDING_CHECK_EVERY_POLLS === 0) {
          await checkPending();
          pendingCheckDue = false;
        }
        if (reconcileDue || Date.now() >= nextReconcileAt) {
          await reconcile();
          reconcileDue = false;
          nextReconcileAt = Date.now() + reconcileIntervalMs;
          for (const wake of reconcileWaiters.splice(0)) wake();
        }
        await sleep(pollIntervalMs, stop.signal);
      } catch (error) {
        if (stop.signal.aborted) return;
        // Orthanc may have restarted meanwhile, leaving arrivals without their StableStudy.
        if (error instanceof PacsUnavailableError) pendingCheckDue = true;
        if (!(
          error instanceof RetryLater ||
          error instanceof PacsUnavailableError ||
          error instanceof UpstreamUnreachableError
        )) {
          log.error({ err: error, position }, 'PACS sync step failed unexpectedly; retrying');
        }
        failures++;
        const waitMs = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(failures - 1, 16));
        log.warn(
          {
            reason: error instanceof Error ? error.message : String(error),
            position,
            attempt: failures,
            retryInMs: waitMs,
          },
          'PACS sync waiting to retry',
        );
        await sleep(waitMs, stop.signal);
      }
    }
  }

  /** One change of the feed; whatever it records is saved with its position in one transaction. */
  async function follow(change: OrthancChange): Promise<void> {
    if (change.resourceType === 'Study' && change.changeType === 'NewStudy' && ORTHANC_ID.test(change.id)) {
      if (!state.isSettled(change.id)) {
        state.addPending(change.id, change.seq);
        position = change.seq;
        unsavedPosition = false;
        return;
      }
    } else if (change.resourceType === 'Study' && change.changeType === 'StableStudy') {
      if (!state.isSettled(change.id)) {
        const outcome = await arrival.put(change.id);
        record(change.id, outcome, change.seq);
        log.info({ orthancStudyId: change.id, seq: change.seq, outcome }, 'PACS study handled');
        return;
      }
      // Stable again (more images arrived later): it is on the worklist already.
      log.debug({ orthancStudyId: change.id, seq: change.seq }, 'PACS study already settled');
    }
    position = change.seq;
    unsavedPosition = true;
  }

  function record(orthancStudyId: string, outcome: ArrivalOutcome, seq?: number): void {
    options.onArrival?.(outcome);
    if (outcome === 'gone') state.forget(orthancStudyId, seq);
    else state.settle(orthancStudyId, outcome, seq);
    if (seq !== undefined) {
      position = seq;
      unsavedPosition = false;
    }
  }

  /** Pending studies Orthanc now reports stable go on the worklist; deleted ones are forgotten. */
  async function checkPending(): Promise<void> {
    for (const orthancStudyId of state.pending(PENDING_CHECK_LIMIT)) {
      if (stop.signal.aborted) return;
      await handleIfStable(orthancStudyId, 'pending');
    }
  }

  /** Every study Orthanc holds that is neither settled nor pending is handled (or made pending). */
  async function reconcile(): Promise<void> {
    const started = Date.now();
    let listed = 0;
    let lookedAt = 0;
    for (let since = 0; ; since += reconcilePageSize) {
      const ids = await orthanc.listStudies(since, reconcilePageSize);
      listed += ids.length;
      for (const orthancStudyId of state.unaccounted(ids)) {
        if (stop.signal.aborted) return;
        lookedAt++;
        await handleIfStable(orthancStudyId, 'reconcile');
      }
      if (ids.length < reconcilePageSize) break;
    }
    const summary = { studiesInPacs: listed, lookedAt, ms: Date.now() - started, ...state.counts() };
    // Quiet when it found nothing to look at: every pass but the rare one after a missed change.
    if (lookedAt > 0) log.info(summary, 'PACS reconcile pass done');
    else log.debug(summary, 'PACS reconcile pass done');
  }

  async function handleIfStable(orthancStudyId: string, via: 'pending' | 'reconcile'): Promise<void> {
    const answer = await orthanc.getJson(`/studies/${orthancStudyId}`);
    if (!answer.ok) {
      if (answer.status !== 404) throw new RetryLater(`Orthanc answered ${answer.status} for a study`);
      if (via === 'pending') record(orthancStudyId, 'gone');
      return;
    }
    const study = recordOf(answer.body);
    if (study.IsStable !== true) {
      // Still arriving: its StableStudy change, or a later pending check, will handle it.
      if (via === 'reconcile') state.addPending(orthancStudyId);
      return;
    }
    const outcome = await arrival.put(orthancStudyId, study);
    record(orthancStudyId, outcome);
    log.info({ orthancStudyId, via, outcome }, 'PACS study handled');
  }

  function savePosition(seq: number): void {
    state.save(seq);
    position = seq;
    unsavedPosition = false;
  }

  function flushPosition(): void {
    if (unsavedPosition) savePosition(position);
  }

  const running = run().catch((error: unknown) => log.error({ err: error }, 'PACS sync stopped unexpectedly'));

  return {
    position: () => position,
    progress: () => ({ position, orthancLast }),
    reconciled: () => new Promise<void>((resolve) => reconcileWaiters.push(resolve)),
    async close() {
      stop.abort();
      await running;
      flushPosition();
      state.close();
      for (const wake of reconcileWaiters.splice(0)) wake();
      log.info({ position }, 'PACS sync stopped');
    },
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
