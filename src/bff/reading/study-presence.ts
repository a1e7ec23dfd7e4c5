/**
 * Presence: who has a study's drawer open right now, one short-lived shared-state record per person
 * per study, kept alive by the drawer's heartbeat (every ~20 s; the record lasts PRESENCE_TTL_MS).
 * `presence.changed`, naming everyone who has it open now, is published when someone arrives or
 * leaves, not on every heartbeat. A record that was written stays written when its event cannot be
 * published; shared-store faults (SharedStateUnavailableError) reach the caller.
 */
import type { WorklistEventData } from '../../contract/worklist-events.ts';
import { noLog, type SharedState, type SharedStateLog } from '../shared-state/shared-state.ts';
import {
  PRESENCE_NAMESPACE,
  PRESENCE_TTL_MS,
  VIEWER_LIST_LIMIT,
  presenceKey,
  presencePrefix,
  presenceValue,
  viewersFrom,
  type PersonJson,
  type Reader,
} from './reading-rules.ts';

export interface PresenceResult {
  /** Everyone who has the study open now, the caller included after a heartbeat. */
  viewers: PersonJson[];
  /** Whether the caller arrived or left with this call (and `presence.changed` was published). */
  changed: boolean;
}

/** A drawer's heartbeat: the person has the study open. A first heartbeat (an arrival) publishes `presence.changed`. */
export async function markPresent(
  shared: SharedState,
  studyId: string,
  reader: Reader,
  log: SharedStateLog = noLog,
): Promise<PresenceResult> {
  const key = presenceKey(studyId, reader.subject);
  let arrived = false;
  // Still there: move the expiry, nothing to tell. Gone (first heartbeat, or it just expired): arrive.
  if (!(await shared.records.touch(PRESENCE_NAMESPACE, key, PRESENCE_TTL_MS))) {
    const written = await shared.records.set(
      PRESENCE_NAMESPACE,
      key,
      presenceValue(studyId, reader, new Date().toISOString()),
      {
        ttlMs: PRESENCE_TTL_MS,
        ifAbsent: true,
      },
    );
    // Not written: another tab of the same person arrived in between, and announced it.
    arrived = written !== undefined;
  }
  const viewers = await viewersOf(shared, studyId);
  if (arrived) await publishChange(shared, log, studyId, viewers);
  return { viewers, changed: arrived };
}

/** The drawer closed: the person is no longer there. Publishes `presence.changed` when they were. */
export async function markAbsent(
  shared: SharedState,
  studyId: string,
  reader: Reader,
  log: SharedStateLog = noLog,
): Promise<PresenceResult> {
  const left = await shared.records.delete(PRESENCE_NAMESPACE, presenceKey(studyId, reader.subject));
  const viewers = await viewersOf(shared, studyId);
  if (left) await publishChange(shared, log, studyId, viewers);
  return { viewers, changed: left };
}

/** Everyone who has the study open now, first arrived first (at most VIEWER_LIST_LIMIT). */
export async function viewersOf(shared: SharedState, studyId: string): Promise<PersonJson[]> {
  const page = await shared.records.list(PRESENCE_NAMESPACE, {
    prefix: presencePrefix(studyId),
    limit: VIEWER_LIST_LIMIT,
  });
  return viewersFrom(page.records);
}

async function publishChange(
  shared: SharedState,
  log: SharedStateLog,
  studyId: string,
  viewers: PersonJson[],
): Promise<void> {
  const data = { studyId, viewers } satisfies WorklistEventData['presence.changed'];
  try {
    await shared.events.publish({ type: 'presence.changed', data });
  } catch (error) {
    log.warn({ err: error, studyId }, 'a presence event could not be published; the presence itself was written');
  }
}
