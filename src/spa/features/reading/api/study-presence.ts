import type { EventPerson } from '../../../../contract/worklist-events.ts';
import { apiRequest, apiRequestChecked } from '../../../lib/api-client.ts';
import type { ApiAnswer } from '../../../lib/api-types.ts';
import { isEventPerson, isRecord } from './reading-leases.ts';

function presencePath(studyId: string): string {
  return `/api/studies/${encodeURIComponent(studyId)}/presence`;
}

/** PUT …/presence: the person has the study's drawer open (also its heartbeat); answers everyone there now. */
export async function markPresent(studyId: string): Promise<EventPerson[]> {
  return (await apiRequestChecked(presencePath(studyId), isPresenceAnswer, { method: 'PUT' })).viewers;
}

/** DELETE …/presence: the drawer closed. */
export async function markAbsent(studyId: string): Promise<void> {
  await apiRequest<undefined>(presencePath(studyId), { method: 'DELETE' });
}

/**
 * The same as {@link markAbsent} for a page that is going away: `keepalive` lets the request outlive
 * the page, which an ordinary fetch would not. Failures are not anyone's to hear: presence expires on its own.
 */
export function markAbsentOnExit(studyId: string): void {
  void fetch(presencePath(studyId), {
    method: 'DELETE',
    headers: { 'X-CSRF': '1' },
    credentials: 'same-origin',
    keepalive: true,
  }).catch(() => undefined);
}

/** GET …/presence: who has the study open now. */
export async function getPresence(studyId: string, signal?: AbortSignal): Promise<EventPerson[]> {
  return (await apiRequestChecked(presencePath(studyId), isPresenceAnswer, { signal })).viewers;
}

function isPresenceAnswer(value: unknown): value is ApiAnswer<'/api/studies/{studyId}/presence', 'get'> {
  return (
    isRecord(value) &&
    typeof value.studyId === 'string' &&
    Array.isArray(value.viewers) &&
    value.viewers.every(isEventPerson)
  );
}
