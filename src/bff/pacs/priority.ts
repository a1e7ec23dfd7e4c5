import { SEVERITIES } from '../../contract/avara-types.ts';
import type { Severity } from '../../contract/avara-types.ts';

/**
 * Severity comes from Requested Procedure Priority (0040,1003): the order's urgency, which the RIS
 * copies into the images (Defined Terms STAT, HIGH, ROUTINE, MEDIUM, LOW). A study without it, or
 * with a value the map does not list, is `normal`.
 */
export const PRIORITY_TAG = 'RequestedProcedurePriority';
export const DEFAULT_PRIORITY_MAP = 'STAT:stat,HIGH:high,ROUTINE:normal,MEDIUM:normal,LOW:normal';

export type PriorityMap = ReadonlyMap<string, Severity>;

/** Parses `VALUE:severity,…` (values matched without regard to case); throws listing what is wrong. */
export function parsePriorityMap(text: string): PriorityMap {
  const map = new Map<string, Severity>();
  const problems: string[] = [];
  for (const entry of text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const [value = '', severity = ''] = entry.split(':').map((part) => part.trim());
    const known = SEVERITIES.find((candidate) => candidate === severity.toLowerCase());
    if (!value || !known) problems.push(`"${entry}" is not VALUE:${SEVERITIES.join('|')}`);
    else map.set(value.toUpperCase(), known);
  }
  if (problems.length > 0) throw new Error(problems.join('; '));
  return map;
}

export function severityFor(priority: string, map: PriorityMap): Severity {
  return map.get(priority.trim().toUpperCase()) ?? 'normal';
}
