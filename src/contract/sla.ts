/**
 * How long a study may wait for its reading, per severity: the one definition. The SPA colours
 * waiting times against it and the BFF's queue watcher counts overdue studies by it. Pure: no I/O,
 * nothing on import.
 */
import type { Severity } from './avara-types.ts';

/** How long a study of each severity may wait before it is overdue, in minutes. */
export type SlaTargets = Record<Severity, number>;

/**
 * Common reading-room targets: the defaults of SLA_STAT_MINUTES, SLA_HIGH_MINUTES and
 * SLA_NORMAL_MINUTES. The BFF's settings decide (slaTargetsOf in src/bff/config/env.ts); the SPA
 * reads them from GET /auth/config and uses these only until that answer is in.
 */
export const DEFAULT_SLA_TARGETS: Readonly<SlaTargets> = Object.freeze({ stat: 60, high: 4 * 60, normal: 24 * 60 });

/** The longest target a setting may give: 30 days. */
export const MAX_SLA_MINUTES = 30 * 24 * 60;

/** Whether a value is a set of targets as GET /auth/config answers them (whole minutes, 1 to MAX_SLA_MINUTES). */
export function isSlaTargets(value: unknown): value is SlaTargets {
  if (typeof value !== 'object' || value === null) return false;
  const targets: Record<string, unknown> = { ...value };
  return (['stat', 'high', 'normal'] as const).every((severity) => {
    const minutes = targets[severity];
    return typeof minutes === 'number' && Number.isSafeInteger(minutes) && minutes >= 1 && minutes <= MAX_SLA_MINUTES;
  });
}

/**
 * Whole minutes a study has waited since `createdAt` (ISO) at `now` (epoch ms), never below 0 (a
 * clock that moved back); null when the time is missing or unreadable.
 */
export function minutesWaiting(createdAt: string | null | undefined, now: number): number | null {
  if (!createdAt) return null;
  const created = Date.parse(createdAt);
  if (Number.isNaN(created)) return null;
  return minutesSince(created, now);
}

/** Whole minutes from `since` to `now` (both epoch ms), never below 0: `minutesWaiting` for a time already parsed. */
export function minutesSince(since: number, now: number): number {
  return Math.max(0, Math.floor((now - since) / 60_000));
}

/** A study is overdue once it has waited its severity's target. */
export function isOverdue(
  minutes: number,
  severity: Severity,
  targets: Readonly<SlaTargets> = DEFAULT_SLA_TARGETS,
): boolean {
  return minutes >= targets[severity];
}
