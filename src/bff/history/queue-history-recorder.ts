import { isReadingLease, isStudy } from '../../contract/answer-shapes.ts';
import type { Study } from '../../contract/avara-types.ts';
import type { BusEvent, EventBus, SharedStateLog } from '../shared-state/shared-state.ts';
import type { HistoryObservation, ObservedStudy, QueueHistory } from './queue-history.ts';

export interface QueueHistoryRecorderOptions {
  history: QueueHistory;
  /** Every instance's events: the worklist's own changes, the queue watcher's differences, PACS arrivals, leases. */
  bus: Pick<EventBus, 'subscribe'>;
  /** HISTORY_RETENTION_DAYS. */
  retentionDays: number;
  log: SharedStateLog;
  now?: () => number;
  /** How often entries past the retention are forgotten; default hourly. */
  pruneIntervalMs?: number;
  /** A write that failed (the store unreachable) is tried again after this long; default 1 s. */
  retryMs?: number;
}

export interface QueueHistoryRecorder {
  /** Resolves once everything heard so far is written (or given up on). For tests and shutdown. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

/** Observations kept while the store cannot be written; beyond this the oldest are dropped (the history is not the record). */
const MAX_PENDING = 10_000;
const DAY_MS = 24 * 60 * 60_000;

/** What an event says for the history, or undefined when it says nothing (presence, resync, a malformed study). */
export function observationOf(event: Pick<BusEvent, 'type' | 'data' | 'publishedAt'>): HistoryObservation | undefined {
  if (event.type === 'study.created' || event.type === 'study.changed') {
    const { study, by } = event.data;
    if (!isStudy(study)) return undefined;
    const userId = typeof by === 'object' && by !== null && !Array.isArray(by) ? by.userId : undefined;
    return {
      kind: 'study',
      study: observedStudy(study),
      by: typeof userId === 'string' ? userId : null,
      seenAt: event.publishedAt,
    };
  }
  if (event.type === 'lease.taken') {
    const { lease } = event.data;
    if (!isReadingLease(lease)) return undefined;
    const since = Date.parse(lease.since);
    return {
      kind: 'reading',
      studyId: lease.studyId,
      holderId: lease.holder.userId,
      since: Number.isNaN(since) ? event.publishedAt : since,
    };
  }
  return undefined;
}

export function observedStudy(study: Study): ObservedStudy {
  return {
    studyId: study.studyId,
    severity: study.severity,
    createdAt: study.createdAt,
    updatedAt: study.updatedAt,
    assigneeId: study.assignedTo?.userId ?? null,
    complete: study.studyViewerStatus === 'complete',
    isCancelled: study.isCancelled,
    cancelledAt: study.cancelledAt,
  };
}

/**
 * Records what every instance publishes into the queue history, in order, a batch at a time;
 * every instance records every event it hears (the merge is idempotent), so no instance is needed
 * for the history to be complete. Forgets entries older than the retention, at start and hourly.
 */
export function startQueueHistoryRecorder(options: QueueHistoryRecorderOptions): QueueHistoryRecorder {
  const { history, log } = options;
  const now = options.now ?? Date.now;
  const retryMs = options.retryMs ?? 1_000;
  const pending: HistoryObservation[] = [];
  let draining: Promise<void> | undefined;
  let retry: NodeJS.Timeout | undefined;
  let failing = false;
  let closed = false;

  function drain(): Promise<void> {
    draining ??= (async () => {
      try {
        // The events of one read of the bus are heard one after another in this turn: a batch takes them all.
        await Promise.resolve();
        while (pending.length > 0 && !closed) {
          const batch = pending.slice(0, 100);
          await history.record(batch);
          pending.splice(0, batch.length);
          if (failing) log.info('The queue history records again');
          failing = false;
        }
      } catch (error) {
        if (!failing) log.warn({ err: error }, 'The queue history could not be written; trying again');
        failing = true;
        clearTimeout(retry);
        retry = setTimeout(() => void drain(), retryMs);
        retry.unref();
      } finally {
        draining = undefined;
      }
    })();
    return draining;
  }

  function hear(event: BusEvent): void {
    const observation = observationOf(event);
    if (!observation || closed) return;
    pending.push(observation);
    if (pending.length > MAX_PENDING) pending.splice(0, pending.length - MAX_PENDING);
    if (!failing) void drain();
  }

  async function prune(): Promise<void> {
    try {
      const forgotten = await history.prune(now() - options.retentionDays * DAY_MS);
      if (forgotten > 0) log.info({ forgotten }, 'The queue history forgot studies past its retention');
    } catch (error) {
      log.warn({ err: error }, 'The queue history could not forget old studies; trying again later');
    }
  }
  void prune();
  const pruning = setInterval(() => void prune(), options.pruneIntervalMs ?? 60 * 60_000);
  pruning.unref();

  const subscription = options.bus.subscribe({ onEvent: hear }).catch((error: unknown) => {
    log.warn({ err: error }, 'The queue history could not listen to the event bus; the dashboard misses changes');
    return undefined;
  });

  return {
    async settled() {
      await subscription;
      while (draining) await draining;
    },
    async close() {
      const stop = await subscription;
      stop?.();
      closed = true;
      clearInterval(pruning);
      clearTimeout(retry);
      await draining;
    },
  };
}
