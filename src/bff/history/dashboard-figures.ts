/**
 * The dashboard's figures from the queue history: pure functions of the entries, the leases and
 * the queue watcher's counts at a given time, tested over generated histories
 * (dashboard-figures.test.ts). A study "waits" from its appearance to its reading; it met its target
 * when it was read before its severity's target, counted in whole minutes as the worklist colours
 * it (contract/sla.ts: overdue once the whole minutes waited reach the target).
 */
import { SEVERITIES, type Severity } from '../../contract/avara-types.ts';
import type {
  ComplianceFigure,
  DashboardTiles,
  HourFigure,
  TurnaroundFigure,
  WindowFigures,
} from '../../contract/dashboard-api.ts';
import { isOverdue, type SlaTargets } from '../../contract/sla.ts';
import type { SeverityCounts } from '../../contract/worklist-api.ts';
import type { QueueCounts } from '../events/queue-snapshot.ts';
import { isOpen, type HistoryEntry } from './queue-history.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
export const WEEK_MS = 7 * 24 * HOUR;

/** A lease as the figures need it. */
export interface LeaseHolding {
  studyId: string;
  holderId: string | null;
}

function emptyCounts(): SeverityCounts {
  return { stat: 0, high: 0, normal: 0 };
}

function perSeverity<T>(make: (severity: Severity) => T): Record<Severity, T> {
  return { stat: make('stat'), high: make('high'), normal: make('normal') };
}

/** Nearest-rank percentile (0 < q ≤ 1) of ascending values: the smallest value with at least q of them at or below it. */
export function percentile(ascending: readonly number[], q: number): number | null {
  if (ascending.length === 0) return null;
  const rank = Math.max(1, Math.ceil(q * ascending.length));
  return ascending[rank - 1] ?? null;
}

/** Milliseconds from appearance to reading. */
export function turnaroundMs(entry: HistoryEntry): number | null {
  return entry.readAt === null ? null : Math.max(0, entry.readAt - entry.appearedAt);
}

/** Whether a study read was read before its target (whole minutes waited below it). */
export function readWithinTarget(entry: HistoryEntry, targets: Readonly<SlaTargets>): boolean {
  const ms = turnaroundMs(entry);
  return ms !== null && !isOverdue(Math.floor(ms / MINUTE), entry.severity, targets);
}

const tenths = (ms: number) => Math.round((ms / MINUTE) * 10) / 10;

/** Turnaround p50 and p90 per severity of the studies read in [from, to). */
export function turnaround(
  entries: readonly HistoryEntry[],
  from: number,
  to: number,
): Record<Severity, TurnaroundFigure> {
  const durations = perSeverity<number[]>(() => []);
  for (const entry of entries) {
    if (entry.readAt === null || entry.readAt < from || entry.readAt >= to || entry.cancelledAt !== null) continue;
    durations[entry.severity].push(turnaroundMs(entry) ?? 0);
  }
  return perSeverity((severity) => {
    const sorted = durations[severity].sort((a, b) => a - b);
    const p50 = percentile(sorted, 0.5);
    const p90 = percentile(sorted, 0.9);
    return {
      count: sorted.length,
      p50Minutes: p50 === null ? null : tenths(p50),
      p90Minutes: p90 === null ? null : tenths(p90),
    };
  });
}

/** SLA compliance per severity in [from, to) at `now`: read within target, against read plus still waiting past it. */
export function compliance(
  entries: readonly HistoryEntry[],
  from: number,
  to: number,
  now: number,
  targets: Readonly<SlaTargets>,
): Record<Severity, ComplianceFigure> {
  const figures = perSeverity<ComplianceFigure>(() => ({
    read: 0,
    readWithinTarget: 0,
    waitingOverdue: 0,
    share: null,
  }));
  for (const entry of entries) {
    const figure = figures[entry.severity];
    if (entry.cancelledAt !== null) continue;
    if (entry.readAt !== null) {
      if (entry.readAt < from || entry.readAt >= to) continue;
      figure.read += 1;
      if (readWithinTarget(entry, targets)) figure.readWithinTarget += 1;
    } else if (
      entry.appearedAt >= from &&
      entry.appearedAt < to &&
      isOverdue(Math.floor(Math.max(0, now - entry.appearedAt) / MINUTE), entry.severity, targets)
    ) {
      figure.waitingOverdue += 1;
    }
  }
  for (const severity of SEVERITIES) {
    const figure = figures[severity];
    const total = figure.read + figure.waitingOverdue;
    figure.share = total === 0 ? null : figure.readWithinTarget / total;
  }
  return figures;
}

/** Arrivals and completions (marked read) per hour over the 24 hours up to the one under way at `now`. */
export function hourly(entries: readonly HistoryEntry[], now: number): HourFigure[] {
  const current = Math.floor(now / HOUR) * HOUR;
  const first = current - 23 * HOUR;
  const hours = Array.from({ length: 24 }, (_, index) => ({
    hour: new Date(first + index * HOUR).toISOString(),
    arrivals: 0,
    completions: 0,
  }));
  const slot = (at: number) => (at >= first && at <= now ? Math.floor((at - first) / HOUR) : -1);
  for (const entry of entries) {
    const arrival = hours[slot(entry.appearedAt)];
    if (arrival) arrival.arrivals += 1;
    if (entry.readAt !== null) {
      const completion = hours[slot(entry.readAt)];
      if (completion) completion.completions += 1;
    }
  }
  return hours;
}

/** The live tiles: from the queue watcher's exact counts when it has walked, else from the open entries. */
export function tiles(
  entries: readonly HistoryEntry[],
  leases: readonly LeaseHolding[],
  now: number,
  targets: Readonly<SlaTargets>,
  queue?: QueueCounts,
): DashboardTiles {
  const beingRead = leases.length;
  if (queue)
    return {
      unread: { ...queue.bySeverity },
      overdue: { ...queue.overdue },
      unassigned: { ...queue.unassigned },
      beingRead,
      source: 'queue-watcher',
      asOf: queue.asOf,
    };
  const figures: DashboardTiles = {
    unread: emptyCounts(),
    overdue: emptyCounts(),
    unassigned: emptyCounts(),
    beingRead,
    source: 'history',
    asOf: null,
  };
  for (const entry of entries) {
    if (!isOpen(entry)) continue;
    figures.unread[entry.severity] += 1;
    if (isOverdue(Math.floor(Math.max(0, now - entry.appearedAt) / MINUTE), entry.severity, targets))
      figures.overdue[entry.severity] += 1;
    if (entry.assigneeId === null) figures.unassigned[entry.severity] += 1;
  }
  return figures;
}

export interface LoadFigure {
  userId: string;
  assignedUnread: SeverityCounts;
  readingNow: number;
  readToday: number;
}

/**
 * Load per radiologist: assigned unread by severity (the watcher's exact counts when it has walked,
 * else the open entries), reading leases held now, and studies marked read since `todayStart`.
 */
export function radiologistLoad(
  entries: readonly HistoryEntry[],
  leases: readonly LeaseHolding[],
  todayStart: number,
  queue?: QueueCounts,
): LoadFigure[] {
  const people = new Map<string, LoadFigure>();
  const person = (userId: string) => {
    let figure = people.get(userId);
    if (!figure) {
      figure = { userId, assignedUnread: emptyCounts(), readingNow: 0, readToday: 0 };
      people.set(userId, figure);
    }
    return figure;
  };
  if (queue) {
    for (const [userId, counts] of Object.entries(queue.byAssignee)) person(userId).assignedUnread = { ...counts };
  }
  for (const entry of entries) {
    if (!queue && isOpen(entry) && entry.assigneeId !== null)
      person(entry.assigneeId).assignedUnread[entry.severity] += 1;
    if (entry.readAt !== null && entry.readAt >= todayStart && entry.readBy !== null && entry.cancelledAt === null)
      person(entry.readBy).readToday += 1;
  }
  for (const lease of leases) if (lease.holderId !== null) person(lease.holderId).readingNow += 1;
  return [...people.values()].sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));
}

/** Both windows of a figure: since `todayStart`, and the last 7 days, up to `now`. */
export function windows<T>(
  figure: (from: number, to: number) => Record<Severity, T>,
  todayStart: number,
  now: number,
): Record<Severity, WindowFigures<T>> {
  const today = figure(todayStart, now + 1);
  const week = figure(now - WEEK_MS, now + 1);
  return perSeverity((severity) => ({ today: today[severity], week: week[severity] }));
}
