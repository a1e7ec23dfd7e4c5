import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { AuditLog } from '../auth/audit-log.ts';
import { SESSION_NAMESPACE } from '../auth/session-store.ts';
import type { EventStreamStats } from '../events/event-stream.ts';
import type { UpstreamObserver } from '../lib/upstream-observer.ts';
import type { ArrivalOutcome } from '../pacs/study-arrival.ts';
import type { PacsSyncProgress } from '../pacs/pacs-sync.ts';
import { LEASE_NAMESPACE } from '../reading/reading-rules.ts';
import type { SharedState } from '../shared-state/shared-state.ts';

/** Seconds: from a cached answer (sub-millisecond) to an upstream at its timeout. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** The label of requests no route matched: never the URL they asked for (any text, unbounded). */
export const UNMATCHED_ROUTE = '(unmatched)';
/** Records counted per namespace at most (1,000 a page); a larger count is reported as this. */
const MAX_COUNTED_RECORDS = 100_000;

/**
 * The BFF's Prometheus metrics (prom-client), one registry per process. Counters and histograms are
 * this instance's own; gauges read from the shared state (sessions, leases) are computed at scrape
 * time from the store, so with Redis every instance reports the same, worklist-wide number
 * (aggregate them with max, not sum). See docs/deploy.md, "Metrics".
 */
export interface BffMetrics {
  readonly registry: Registry;
  /** One answered request, by the route's pattern (never the raw URL). */
  requestDone(method: string, route: string | undefined, status: number, seconds: number): void;
  /** An observer for the upstream client of this name. */
  upstreamObserver(upstream: 'avara' | 'orthanc'): UpstreamObserver;
  /** A request refused by the rate limit. */
  rateLimited(route: string | undefined): void;
  /** The audit log, counting each line it writes. */
  countingAudit(audit: AuditLog): AuditLog;
  /** Counts a study the PACS sync handled, by outcome (`created` is an arrival put on the worklist). */
  pacsArrival(outcome: ArrivalOutcome): void;
  /** Reads the PACS sync's progress at every scrape. */
  watchPacsSync(progress: () => PacsSyncProgress): void;
  /** Reads this instance's event-stream clients at every scrape. */
  watchEventStreams(stats: () => EventStreamStats): void;
  /** Counts sessions and reading leases in the shared state at every scrape. */
  watchSharedState(shared: SharedState): void;
  /** The exposition text and its content type. */
  scrape(): Promise<{ contentType: string; body: string }>;
}

export function createBffMetrics(options: { defaultMetrics?: boolean } = {}): BffMetrics {
  const registry = new Registry();
  const registers = [registry];
  // Process and runtime figures (CPU, memory, event-loop delay, GC): what an operator looks at first.
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });

  const requestDuration = new Histogram({
    name: 'worklist_http_request_duration_seconds',
    help: 'Time to answer a request, by method, route pattern and status (event streams are counted by worklist_event_stream_clients).',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const upstreamDuration = new Histogram({
    name: 'worklist_upstream_request_duration_seconds',
    help: 'Time of each exchange with an upstream (retries counted apart), by upstream, operation and outcome (status, or the fault).',
    labelNames: ['upstream', 'operation', 'outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const upstreamErrors = new Counter({
    name: 'worklist_upstream_errors_total',
    help: 'Exchanges with an upstream that failed: unreachable, timed out, malformed or too large an answer, or a 5xx.',
    labelNames: ['upstream', 'operation', 'kind'] as const,
    registers,
  });
  const rateLimitRefusals = new Counter({
    name: 'worklist_rate_limit_refusals_total',
    help: 'Requests refused with 429 by the rate limit (RATE_LIMIT_PER_MINUTE), by route pattern.',
    labelNames: ['route'] as const,
    registers,
  });
  const auditLines = new Counter({
    name: 'worklist_audit_lines_total',
    help: 'Audit lines written, by action and outcome.',
    labelNames: ['action', 'outcome'] as const,
    registers,
  });
  const pacsArrivals = new Counter({
    name: 'worklist_pacs_arrivals_total',
    help: 'Studies the PACS sync handled, by outcome: created (put on the worklist), already-there, rejected (refused by Avara as invalid), gone (deleted from the PACS).',
    labelNames: ['outcome'] as const,
    registers,
  });
  // Present from the start, so a rate of 0 is a 0 rather than no series.
  for (const outcome of ['created', 'already-there', 'rejected', 'gone'] satisfies ArrivalOutcome[])
    pacsArrivals.inc({ outcome }, 0);

  const sharedStateUp = new Gauge({
    name: 'worklist_shared_state_up',
    help: '1 while the shared state (in-process, or Redis) can be reached, 0 otherwise.',
    labelNames: ['kind'] as const,
    registers,
  });
  const sessions = new Gauge({
    name: 'worklist_sessions_active',
    help: 'Live sessions in the shared state (worklist-wide: every instance reports the same).',
    registers,
  });
  const leases = new Gauge({
    name: 'worklist_reading_leases_active',
    help: 'Live reading leases in the shared state (worklist-wide: every instance reports the same).',
    registers,
  });
  const streamClients = new Gauge({
    name: 'worklist_event_stream_clients',
    help: 'Open event streams (GET /api/events) on this instance.',
    registers,
  });
  const streamsDropped = new Gauge({
    name: 'worklist_event_stream_dropped_clients',
    help: 'Event-stream clients this instance dropped for not reading (since start).',
    registers,
  });
  const syncPosition = new Gauge({
    name: 'worklist_pacs_sync_position',
    help: "The last change of Orthanc's feed the PACS sync has handled (this instance).",
    registers,
  });
  const syncLast = new Gauge({
    name: 'worklist_pacs_sync_orthanc_last_change',
    help: 'The newest change Orthanc has reported to the PACS sync.',
    registers,
  });
  const syncLag = new Gauge({
    name: 'worklist_pacs_sync_lag_changes',
    help: "Changes of Orthanc's feed not yet handled by the PACS sync.",
    registers,
  });

  let watchedSync: (() => PacsSyncProgress) | undefined;
  let watchedStreams: (() => EventStreamStats) | undefined;
  let watchedShared: SharedState | undefined;

  function status(call: { status?: number; fault?: string }): string {
    return call.fault ?? String(call.status ?? 'none');
  }

  return {
    registry,
    requestDone(method, route, statusCode, seconds) {
      requestDuration.observe({ method, route: route ?? UNMATCHED_ROUTE, status: String(statusCode) }, seconds);
    },
    upstreamObserver(upstream) {
      return (call) => {
        upstreamDuration.observe({ upstream, operation: call.operation, outcome: status(call) }, call.seconds);
        if (call.fault) upstreamErrors.inc({ upstream, operation: call.operation, kind: call.fault });
        else if (call.status !== undefined && call.status >= 500)
          upstreamErrors.inc({ upstream, operation: call.operation, kind: `http-${call.status}` });
      };
    },
    rateLimited(route) {
      rateLimitRefusals.inc({ route: route ?? UNMATCHED_ROUTE });
    },
    countingAudit(audit) {
      return {
        record(entry) {
          audit.record(entry);
          auditLines.inc({ action: entry.action, outcome: entry.outcome });
        },
        reopen: () => audit.reopen(),
        close: () => audit.close(),
      };
    },
    pacsArrival(outcome) {
      pacsArrivals.inc({ outcome });
    },
    watchPacsSync(progress) {
      watchedSync = progress;
    },
    watchEventStreams(stats) {
      watchedStreams = stats;
    },
    watchSharedState(shared) {
      watchedShared = shared;
    },
    async scrape() {
      if (watchedStreams) {
        const stats = watchedStreams();
        streamClients.set(stats.clients);
        streamsDropped.set(stats.dropped);
      }
      if (watchedSync) {
        const { position, orthancLast } = watchedSync();
        syncPosition.set(position);
        if (orthancLast === undefined) {
          syncLast.reset();
          syncLag.reset();
        } else {
          syncLast.set(orthancLast);
          // A feed that restarted below the position is followed from 0 at its next step.
          syncLag.set(Math.max(0, orthancLast - position));
        }
      }
      if (watchedShared) await readSharedState(watchedShared);
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };

  async function readSharedState(shared: SharedState): Promise<void> {
    try {
      const [sessionCount, leaseCount] = await Promise.all([
        countRecords(shared, SESSION_NAMESPACE),
        countRecords(shared, LEASE_NAMESPACE),
      ]);
      sessions.set(sessionCount);
      leases.set(leaseCount);
      sharedStateUp.set({ kind: shared.kind }, 1);
    } catch {
      // Unreachable (Redis down): no number rather than a wrong one; the up gauge says why.
      sessions.reset();
      leases.reset();
      sharedStateUp.set({ kind: shared.kind }, 0);
    }
  }
}

/** Live records of a namespace, counted page by page (up to MAX_COUNTED_RECORDS). */
async function countRecords(shared: SharedState, namespace: string): Promise<number> {
  let count = 0;
  let after: string | undefined;
  do {
    const page = await shared.records.list(namespace, { limit: 1000, ...(after !== undefined ? { after } : {}) });
    count += page.records.length;
    after = page.nextAfter;
  } while (after !== undefined && count < MAX_COUNTED_RECORDS);
  return Math.min(count, MAX_COUNTED_RECORDS);
}
