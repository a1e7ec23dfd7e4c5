import type { QueryClient } from '@tanstack/react-query';
import type { Severity } from '../../../../contract/avara-types.ts';
import { SEVERITIES } from '../../../../contract/avara-types.ts';

const MAX_DEPTH = 4;

function isSeverity(value: unknown): value is Severity {
  return typeof value === 'string' && SEVERITIES.some((severity) => severity === value);
}

/** Every study (an object with a `studyId` and a `severity`) in a cached answer: a page, pages, a detail. */
function visitStudies(value: unknown, visit: (studyId: string, severity: Severity) => void, depth = 0): void {
  if (depth > MAX_DEPTH || typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    for (const entry of value) visitStudies(entry, visit, depth + 1);
    return;
  }
  const studyId: unknown = Reflect.get(value, 'studyId');
  const severity: unknown = Reflect.get(value, 'severity');
  if (typeof studyId === 'string' && isSeverity(severity)) {
    visit(studyId, severity);
    return;
  }
  for (const entry of Object.values(value)) visitStudies(entry, visit, depth + 1);
}

/**
 * The severity each study had as the page last knew it, from the query cache (lists and drawers)
 * and the events seen. The cache's updates are recorded a microtask late on purpose: the list's own
 * event handler writes the new version into the cache during the same dispatch, before the alert
 * asks what the study was before.
 */
export interface SeverityMemory {
  before(studyId: string): Severity | undefined;
  note(studyId: string, severity: Severity): void;
  stop(): void;
}

export function rememberSeverities(queryClient: QueryClient): SeverityMemory {
  const known = new Map<string, Severity>();
  const record = (studyId: string, severity: Severity) => known.set(studyId, severity);
  for (const query of queryClient.getQueryCache().getAll()) visitStudies(query.state.data, record);
  const stop = queryClient.getQueryCache().subscribe((event) => {
    if (event.type !== 'updated' || event.action.type !== 'success') return;
    const data: unknown = event.query.state.data;
    queueMicrotask(() => visitStudies(data, record));
  });
  return { before: (studyId) => known.get(studyId), note: record, stop };
}
