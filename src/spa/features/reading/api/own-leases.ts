import type { ReadingLease } from '../../../../contract/worklist-events.ts';
import { isApiError } from '../../../lib/api-client.ts';
import { endLease, leaseHeldBy, renewLease, takeLease } from './reading-leases.ts';
import { readingRoom } from './reading-room.ts';

/** The heartbeat runs at a third of the lease's remaining life (docs/api.md), never more often than this. */
const MIN_HEARTBEAT_MS = 5_000;

export type TakeResult = { outcome: 'taken'; lease: ReadingLease } | { outcome: 'held'; lease: ReadingLease };

const heartbeats = new Map<string, ReturnType<typeof setTimeout>>();

/**
 * Takes the study's lease for the person and keeps it alive from this tab until they release it,
 * mark the study read, sign out, or someone takes it over. Someone else's lease: `held`, with
 * theirs, unless `takeOver` (asked of the person first). Other failures reject.
 */
export async function startReading(
  studyId: string,
  { takeOver = false }: { takeOver?: boolean } = {},
): Promise<TakeResult> {
  try {
    const { lease } = await takeLease(studyId, { takeOver });
    readingRoom.putLease(lease);
    keepAlive(lease);
    return { outcome: 'taken', lease };
  } catch (error) {
    const held = leaseHeldBy(error);
    if (!held) throw error;
    readingRoom.putLease(held);
    return { outcome: 'held', lease: held };
  }
}

/** Ends the lease: the person's own (Stop reading), or someone else's when a coordinator breaks it. */
export async function stopReading(studyId: string): Promise<void> {
  stopHeartbeat(studyId);
  await endLease(studyId);
  readingRoom.dropLease(studyId);
}

function stopHeartbeat(studyId: string) {
  const timer = heartbeats.get(studyId);
  if (timer !== undefined) clearTimeout(timer);
  heartbeats.delete(studyId);
}

function keepAlive(lease: ReadingLease) {
  stopHeartbeat(lease.studyId);
  const wait = Math.max(MIN_HEARTBEAT_MS, (Date.parse(lease.expiresAt) - Date.now()) / 3);
  heartbeats.set(
    lease.studyId,
    setTimeout(() => void beat(lease), wait),
  );
}

async function beat(lease: ReadingLease) {
  heartbeats.delete(lease.studyId);
  // Ended meanwhile (released elsewhere, marked read, taken over): nothing to keep alive.
  const known = readingRoom.leaseOf(lease.studyId);
  if (!known || known.holder.email !== lease.holder.email) return;
  try {
    const renewed = await renewLease(lease.studyId);
    readingRoom.putLease(renewed.lease);
    keepAlive(renewed.lease);
  } catch (error) {
    const held = leaseHeldBy(error);
    if (held) {
      readingRoom.putLease(held);
      return;
    }
    if (isApiError(error) && error.status === 404) {
      readingRoom.dropLease(lease.studyId);
      return;
    }
    // Signed out, or refused: the lease is not this tab's to keep.
    if (isApiError(error) && error.status >= 400 && error.status < 500) return;
    // The server or the network failed: try again soon, within the lease's life.
    keepAlive({ ...lease, expiresAt: new Date(Date.now() + 3 * MIN_HEARTBEAT_MS).toISOString() });
  }
}
