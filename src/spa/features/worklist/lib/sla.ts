import type { Severity } from '../../../../contract/avara-types.ts';
import { DEFAULT_SLA_TARGETS, isOverdue, minutesWaiting, type SlaTargets } from '../../../../contract/sla.ts';

// The targets are shared with the BFF (which counts overdue studies); the worklist imports them from here.
export { DEFAULT_SLA_TARGETS, type SlaTargets };

/** Past this share of its target a study is "due soon": time to pick it up. */
const DUE_SOON_SHARE = 0.75;

export type SlaState = 'ok' | 'due-soon' | 'overdue';

export interface Waiting {
  minutes: number;
  state: SlaState;
  targetMinutes: number;
}

/** How long a study has waited since it was created, and where that stands against its target. */
export function waitingSince(
  createdAt: string | null | undefined,
  severity: Severity,
  now: Date,
  targets: Readonly<SlaTargets> = DEFAULT_SLA_TARGETS,
): Waiting | null {
  const minutes = minutesWaiting(createdAt, now.getTime());
  if (minutes === null) return null;
  const targetMinutes = targets[severity];
  const state: SlaState = isOverdue(minutes, severity, targets)
    ? 'overdue'
    : minutes >= targetMinutes * DUE_SOON_SHARE
      ? 'due-soon'
      : 'ok';
  return { minutes, state, targetMinutes };
}

/** "45 m", "2 h 14 m", "3 d 4 h": two units at most, the way people say it. */
export function formatDuration(totalMinutes: number): string {
  const minutes = Math.max(0, Math.floor(totalMinutes));
  if (minutes < 60) return `${minutes} m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) {
    const rest = minutes % 60;
    return rest === 0 ? `${hours} h` : `${hours} h ${rest} m`;
  }
  const days = Math.floor(hours / 24);
  const restHours = hours % 24;
  return restHours === 0 ? `${days} d` : `${days} d ${restHours} h`;
}
