/**
 * The coordinator's dashboard answer (GET /api/dashboard), shared by the BFF that computes it and
 * the SPA page that draws it. Durations are in minutes; times are ISO. See docs/api.md.
 */
import type { Severity } from './avara-types.ts';
import type { SlaTargets } from './sla.ts';
import type { SeverityCounts } from './worklist-api.ts';

/** Turnaround (arrival to read) of the studies read in a window. */
export interface TurnaroundFigure {
  /** Studies read in the window. */
  count: number;
  /** Nearest-rank percentiles in minutes (one decimal); null when nothing was read. */
  p50Minutes: number | null;
  p90Minutes: number | null;
}

/** How many studies met their target in a window. */
export interface ComplianceFigure {
  /** Studies read in the window. */
  read: number;
  /** Of those, read before their severity's target. */
  readWithinTarget: number;
  /** Studies that arrived in the window, are still waiting and are already past their target. */
  waitingOverdue: number;
  /** readWithinTarget / (read + waitingOverdue), 0-1; null when both are 0. */
  share: number | null;
}

export interface WindowFigures<T> {
  /** Since midnight (the BFF's time zone). */
  today: T;
  /** The last 7 × 24 hours. */
  week: T;
}

export interface HourFigure {
  /** Start of the hour (ISO). */
  hour: string;
  arrivals: number;
  completions: number;
}

export interface RadiologistLoad {
  userId: string;
  /** From the people directory; the ID when the person is not known there. */
  name: string;
  /** Assigned to them, unread, by severity. */
  assignedUnread: SeverityCounts;
  /** Reading leases they hold now. */
  readingNow: number;
  /** Studies they marked read today. */
  readToday: number;
}

export interface DashboardTiles {
  unread: SeverityCounts;
  overdue: SeverityCounts;
  unassigned: SeverityCounts;
  /** Studies with a reading lease now. */
  beingRead: number;
  /** `queue-watcher`: exact, from its last walk; `history`: what the history has seen (before the first walk). */
  source: 'queue-watcher' | 'history';
  /** When the queue watcher's walk the counts come from ended (ISO); null with `history`. */
  asOf: string | null;
}

export interface DashboardAnswer {
  asOf: string;
  /** When today (for the `today` figures) started. */
  todayStart: string;
  slaTargets: SlaTargets;
  tiles: DashboardTiles;
  /** The last 24 hours, oldest first; the last one is the hour under way. */
  hourly: HourFigure[];
  turnaround: Record<Severity, WindowFigures<TurnaroundFigure>>;
  compliance: Record<Severity, WindowFigures<ComplianceFigure>>;
  /** Everyone with assigned unread studies, a lease, or a study read today; by name. */
  radiologists: RadiologistLoad[];
  /** What the history holds: it says what this deployment has seen, since `since`. */
  history: { studies: number; since: string | null; retentionDays: number };
}

/** The CSV export's columns (GET /api/dashboard/turnaround.csv), in order. */
export const TURNAROUND_CSV_COLUMNS = [
  'studyId',
  'severity',
  'appearedAt',
  'assignedAt',
  'assignee',
  'readingStartedAt',
  'readAt',
  'readBy',
  'turnaroundMinutes',
  'targetMinutes',
  'withinTarget',
] as const;
