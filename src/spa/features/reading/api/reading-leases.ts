import type { EventPerson, ReadingLease } from '../../../../contract/worklist-events.ts';
import type { LeaseAnswer, LeaseList } from '../../../../contract/worklist-api.ts';
import { apiRequest, apiRequestChecked, isApiError } from '../../../lib/api-client.ts';
import type { ApiAnswer, ApiBody } from '../../../lib/api-types.ts';

function leasePath(studyId: string): string {
  return `/api/studies/${encodeURIComponent(studyId)}/lease`;
}

/**
 * POST …/lease: takes the study's reading lease (or renews it when it is already the person's).
 * Someone else's live lease rejects with a 409 whose `current` is theirs: see {@link leaseHeldBy}.
 */
export function takeLease(
  studyId: string,
  { takeOver = false }: { takeOver?: boolean } = {},
): Promise<ApiAnswer<'/api/studies/{studyId}/lease', 'post'>> {
  return apiRequest<ApiAnswer<'/api/studies/{studyId}/lease', 'post'>>(leasePath(studyId), {
    method: 'POST',
    body: { takeOver } satisfies ApiBody<'/api/studies/{studyId}/lease', 'post'>,
  });
}

/** PUT …/lease: the heartbeat that keeps the person's lease alive. */
export function renewLease(studyId: string): Promise<ApiAnswer<'/api/studies/{studyId}/lease', 'put'>> {
  return apiRequest<ApiAnswer<'/api/studies/{studyId}/lease', 'put'>>(leasePath(studyId), { method: 'PUT' });
}

/**
 * DELETE …/lease: the holder stops reading, or a coordinator breaks someone else's lease (the server
 * decides which, and audits it). A lease that has already ended counts as released.
 */
export async function endLease(studyId: string): Promise<void> {
  try {
    await apiRequest<undefined>(leasePath(studyId), { method: 'DELETE' });
  } catch (error) {
    if (isApiError(error) && error.status === 404) return;
    throw error;
  }
}

/** GET …/lease: the study's lease, or null when nobody is reading it. */
export async function getLease(studyId: string, signal?: AbortSignal): Promise<ReadingLease | null> {
  try {
    return (await apiRequestChecked(leasePath(studyId), isLeaseAnswer, { signal })).lease;
  } catch (error) {
    if (isApiError(error) && error.status === 404) return null;
    throw error;
  }
}

/** GET /api/leases: every live lease (checked, since it feeds every row). */
export function getLeases(signal?: AbortSignal): Promise<ApiAnswer<'/api/leases', 'get'>> {
  return apiRequestChecked('/api/leases', isLeaseList, { signal });
}

/** The lease someone else holds, from a 409 of POST or PUT …/lease; undefined for any other failure. */
export function leaseHeldBy(error: unknown): ReadingLease | undefined {
  if (!isApiError(error) || error.status !== 409) return undefined;
  const current: unknown = error.problem?.current;
  return isReadingLease(current) ? current : undefined;
}

export function isEventPerson(value: unknown): value is EventPerson {
  if (!isRecord(value)) return false;
  return (
    (value.userId === null || typeof value.userId === 'string') &&
    typeof value.email === 'string' &&
    typeof value.name === 'string'
  );
}

export function isReadingLease(value: unknown): value is ReadingLease {
  if (!isRecord(value)) return false;
  return (
    typeof value.studyId === 'string' &&
    isEventPerson(value.holder) &&
    isIsoTime(value.since) &&
    isIsoTime(value.expiresAt)
  );
}

function isLeaseAnswer(value: unknown): value is LeaseAnswer {
  return isRecord(value) && isReadingLease(value.lease);
}

function isLeaseList(value: unknown): value is LeaseList {
  return (
    isRecord(value) &&
    Array.isArray(value.leases) &&
    value.leases.every(isReadingLease) &&
    typeof value.hasMore === 'boolean'
  );
}

function isIsoTime(value: unknown): value is string {
  return typeof value === 'string' && !Number.isNaN(Date.parse(value));
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
