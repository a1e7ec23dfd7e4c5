import type { Severity } from '../../../../contract/avara-types.ts';

/** How long a study of each severity may wait before it is overdue, in minutes. */
export type SlaTargets = Record<Severity, number>;

/** Common reading-room targets; a settings screen can override them later. */
export const DEFAULT_SLA_TARGETS: SlaTargets = { stat: 60, high: 4 * 60, normal: 24 * 60 };

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
  targets: SlaTargets = DEFAULT_SLA_TARGETS,
): Waiting | null {
  if (!createdAt) return null;
  const created = Date.parse(createdAt);
  if (Number.isNaN(created)) return null;
  const minutes = Math.max(0, Math.floor((now.getTime() - created) / 60_000));
  const targetMinutes = targets[severity];
  const state: SlaState = minutes >= targetMinutes ? 'overdue' : minutes >= targetMinutes * DUE_SOON_SHARE ? 'due-soon' : 'ok';
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
