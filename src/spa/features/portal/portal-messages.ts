import type { Severity } from '../../../contract/avara-types.ts';
import { MINE_OR_UNASSIGNED, type Role } from '../../../contract/worklist-api.ts';
import { defaultAssignee } from '../../../contract/worklist-filters.ts';

/**
 * The postMessage contract with the intranet portal that frames the app (docs/portal.md).
 * Messages are plain objects with a `type` namespaced `worklist:`.
 */
import { isDicomUid } from '../../../contract/study-limits.ts';

/** Portal → app: open a study by its DICOM Study Instance UID. */
export interface OpenStudyMessage {
  type: 'worklist:open-study';
  studyInstanceUid: string;
}

/** App → portal: the app is loaded and listening. */
export interface ReadyMessage {
  type: 'worklist:ready';
}

/**
 * App → portal: unread (incomplete, not cancelled) STAT and high studies of the list the person's
 * worklist opens with (`scope`: a radiologist's own and unassigned ones, a coordinator's everyone's),
 * so the badge and the list agree; `…Capped` means "at least".
 */
export interface CountsMessage {
  type: 'worklist:counts';
  scope: 'mine-and-unassigned' | 'everyone';
  unreadStat: number;
  unreadHigh: number;
  unreadStatCapped: boolean;
  unreadHighCapped: boolean;
}

/** Reads an incoming message; anything that is not a well-formed request is ignored. */
export function readPortalMessage(data: unknown): OpenStudyMessage | undefined {
  if (typeof data !== 'object' || data === null || !('type' in data) || data.type !== 'worklist:open-study')
    return undefined;
  const uid = 'studyInstanceUid' in data ? data.studyInstanceUid : undefined;
  if (!isDicomUid(uid)) return undefined;
  return { type: 'worklist:open-study', studyInstanceUid: uid };
}

/** Whether a message's origin is one of the configured portal origins (exact match, no wildcards). */
export function isPortalOrigin(origin: string, portalOrigins: readonly string[]): boolean {
  return portalOrigins.includes(origin);
}

type SeverityCounts = Record<Severity, number>;

/** What GET /api/worklist/counts gives the badge (its `unread` and the caller's `mineAndUnassigned`). */
export interface BadgeCounts {
  unread: { stat: { count: number; capped: boolean }; high: { count: number; capped: boolean } };
  mineAndUnassigned?: SeverityCounts | undefined;
}

/**
 * The badge's counts: those of the list the person's worklist opens with (the same rule as its
 * default assignee), a radiologist's own and unassigned studies, a coordinator's everyone's.
 */
export function countsMessageFor(
  me: { role: Role; userId: string | null } | null | undefined,
  counts: BadgeCounts | undefined,
): CountsMessage | undefined {
  if (!me || !counts) return undefined;
  const own = defaultAssignee(me) === MINE_OR_UNASSIGNED ? counts.mineAndUnassigned : undefined;
  return {
    type: 'worklist:counts',
    scope: own ? 'mine-and-unassigned' : 'everyone',
    unreadStat: own ? own.stat : counts.unread.stat.count,
    unreadHigh: own ? own.high : counts.unread.high.count,
    unreadStatCapped: counts.unread.stat.capped,
    unreadHighCapped: counts.unread.high.capped,
  };
}
