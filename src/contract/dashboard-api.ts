/**
 * The coordinator's dashboard answer (GET /api/dashboard), shared by the BFF that computes it and
 * the SPA page that draws it. Durations are in minutes; times are ISO. See docs/api.md.
 */
import type { components } from './worklist-api.gen.ts';

type Schemas = components['schemas'];

/** Turnaround (arrival to read) of the studies read in a window; percentiles in minutes, null when nothing was read. */
export type TurnaroundFigure = Schemas['TurnaroundFigure'];
/** How many studies met their target in a window. */
export type ComplianceFigure = Schemas['ComplianceFigure'];
/** `today` (since midnight, the BFF's time zone) and `week` (the last 7 × 24 hours). */
export interface WindowFigures<T> {
  today: T;
  week: T;
}
export type HourFigure = Schemas['HourFigure'];
export type RadiologistLoad = Schemas['RadiologistLoad'];
export type DashboardTiles = Schemas['DashboardTiles'];
/** The answer of GET /api/dashboard, as the BFF's API document has it. */
export type DashboardAnswer = Schemas['DashboardAnswer'];

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
