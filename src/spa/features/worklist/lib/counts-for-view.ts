import type { Severity } from '../../../../contract/avara-types.ts';
import { MINE_OR_UNASSIGNED, type WorklistCounts } from '../../../../contract/worklist-api.ts';
import type { Viewer, WorklistFilters } from '../../../../contract/worklist-filters.ts';

/** A group's exact size from the counts, or "at least" when the server's walk was capped. */
export interface ExactCount {
  count: number;
  capped: boolean;
  /** Of them, waiting past the severity's target; only where the counts say it for this view. */
  overdue?: number;
}

export type ViewCounts = Record<Severity, ExactCount>;

/**
 * Which of `/api/worklist/counts` counts the current view, or null when none does. The counts are
 * the active queue: unread, not cancelled, every description and customer (see
 * src/bff/events/queue-snapshot.ts), split by assignee. So they apply only to views with exactly
 * those filters, and then per assignee choice; any other view shows what it has loaded instead.
 * A new assignee choice adds one case here.
 */
export function countsForView(
  filters: WorklistFilters,
  viewer: Viewer,
  counts: WorklistCounts | undefined,
): ViewCounts | null {
  if (!counts) return null;
  if (
    filters.viewerStatus !== 'incomplete' ||
    filters.includeCancelled ||
    filters.description.trim() !== '' ||
    filters.customer !== 'any'
  )
    return null;
  if (filters.modality !== '' || filters.studyDate !== '' || filters.overdue || filters.critical) return null;
  const byAssignee = (userId: string) => counts.byAssignee[userId] ?? { stat: 0, high: 0, normal: 0 };
  let numbers: Record<Severity, number>;
  let overdue: Record<Severity, number> | undefined;
  const assignee = filters.assignee;
  if (assignee === 'anyone') {
    numbers = counts.bySeverity;
    overdue = counts.overdue;
  } else if (assignee === 'unassigned') {
    numbers = counts.unassigned;
  } else if (assignee === 'me') {
    if (!viewer.userId) return null;
    numbers = byAssignee(viewer.userId);
  } else if (assignee === MINE_OR_UNASSIGNED) {
    // The server's sum for the person asking (the same two counts added up).
    if (!viewer.userId || !counts.mineAndUnassigned) return null;
    numbers = counts.mineAndUnassigned;
  } else {
    numbers = byAssignee(assignee);
  }
  // Per severity where the answer says it (STAT, high); for normal only the answer's overall flag.
  const capped = (severity: Severity) => (severity === 'normal' ? counts.capped : counts.unread[severity].capped);
  const exact = (severity: Severity): ExactCount => ({
    count: numbers[severity],
    capped: capped(severity),
    ...(overdue ? { overdue: overdue[severity] } : {}),
  });
  return { stat: exact('stat'), high: exact('high'), normal: exact('normal') };
}
