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

/** App → portal: unread (incomplete, not cancelled) STAT and high studies; `…Capped` means "at least". */
export interface CountsMessage {
  type: 'worklist:counts';
  unreadStat: number;
  unreadHigh: number;
  unreadStatCapped: boolean;
  unreadHighCapped: boolean;
}

/** Reads an incoming message; anything that is not a well-formed request is ignored. */
export function readPortalMessage(data: unknown): OpenStudyMessage | undefined {
  if (typeof data !== 'object' || data === null || !('type' in data) || data.type !== 'worklist:open-study') return undefined;
  const uid = 'studyInstanceUid' in data ? data.studyInstanceUid : undefined;
  if (!isDicomUid(uid)) return undefined;
  return { type: 'worklist:open-study', studyInstanceUid: uid };
}

/** Whether a message's origin is one of the configured portal origins (exact match, no wildcards). */
export function isPortalOrigin(origin: string, portalOrigins: readonly string[]): boolean {
  return portalOrigins.includes(origin);
}
