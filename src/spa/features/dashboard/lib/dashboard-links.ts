/**
 * Where each number of the dashboard leads: the worklist, filtered by its own URL filters (`groups`,
 * `assignee`, `status`, `overdue`: src/contract/worklist-filters.ts, held to these
 * by dashboard-links.test.ts). The worklist has no filter for who is reading or for when a study was
 * read: those numbers lead to the nearest list (the whole queue, the severity's or the person's read
 * studies).
 */
import type { Severity } from '../../../../contract/avara-types.ts';

function worklist(params: Record<string, string>): string {
  return `/?${new URLSearchParams(params).toString()}`;
}

export const dashboardLinks = {
  /** Unread studies of a severity, everyone's. */
  unread: (severity: Severity) => worklist({ groups: severity, assignee: 'anyone', status: 'incomplete' }),
  /** The severity's unread studies past their SLA target. */
  overdue: (severity: Severity) =>
    worklist({ groups: severity, assignee: 'anyone', status: 'incomplete', overdue: '1' }),
  unassigned: (severity: Severity) => worklist({ groups: severity, assignee: 'unassigned', status: 'incomplete' }),
  /** No "being read" filter: the whole queue, whose Reading column shows who reads what. */
  beingRead: () => worklist({ assignee: 'anyone', status: 'incomplete' }),
  /** No reading-date filter: the severity's read studies. */
  read: (severity: Severity) => worklist({ groups: severity, assignee: 'anyone', status: 'complete' }),
  assignedUnread: (userId: string, severity?: Severity) =>
    worklist({ ...(severity ? { groups: severity } : {}), assignee: userId, status: 'incomplete' }),
  /** No reading-date filter: the person's read studies. */
  readBy: (userId: string) => worklist({ assignee: userId, status: 'complete' }),
} as const;
