/**
 * Reading leases on the shared state: "being read by X since T", one per study, visible to every
 * instance, ended by the holder, by a coordinator, by Mark read, by sign-out, or by expiry when the
 * holder's heartbeats stop. Every change is one compare-and-set (records.update), so of two people
 * taking the same lease at once, on any instances, exactly one gets it.
 *
 * Each change publishes its event (`lease.taken`, `lease.released`). A record that was written stays
 * written when its event cannot be published (the shared store went down in between): that is logged,
 * never answered as a failure. Shared-store faults (SharedStateUnavailableError) reach the caller.
 */
import type { WorklistEventData } from '../../contract/worklist-events.ts';
import {
  UpdateConflictError,
  noLog,
  type JsonObject,
  type NewBusEvent,
  type SharedState,
  type SharedStateLog,
  type StoredRecord,
} from '../shared-state/shared-state.ts';
import {
  LEASE_LIST_LIMIT,
  LEASE_NAMESPACE,
  decideEnd,
  decideRenew,
  decideTake,
  leaseFromRecord,
  leaseValue,
  type EndDecision,
  type HeldLease,
  type LeaseJson,
  type PersonJson,
  type Reader,
  type RenewDecision,
  type TakeDecision,
} from './reading-rules.ts';

/** Why a lease ended, as `lease.released` says it. */
export type LeaseEndReason = 'released' | 'broken' | 'read' | 'signed-out';

export type TakeResult =
  /** Theirs now: taken, renewed (it already was; `since` kept), or taken over from `tookOverFrom`. */
  | { outcome: 'taken'; lease: LeaseJson; renewed: boolean; tookOverFrom?: PersonJson }
  /** Someone else holds it (and no take-over was asked for). */
  | { outcome: 'held'; lease: LeaseJson };

export interface TakeOptions {
  /** Take it even when someone else holds it. */
  takeOver: boolean;
  /** How long it lasts without a heartbeat (READING_LEASE_SECONDS). */
  leaseMs: number;
  log?: SharedStateLog;
}

/** Takes the study's lease for the person (or renews theirs); refuses, naming the holder, when someone else has it. */
export async function takeLease(
  shared: SharedState,
  studyId: string,
  reader: Reader,
  options: TakeOptions,
): Promise<TakeResult> {
  const seen: { decision?: TakeDecision } = {};
  const written = await shared.records.update(
    LEASE_NAMESPACE,
    studyId,
    (record) => {
      const decision = decideTake(leaseOf(record), reader.subject, options.takeOver);
      seen.decision = decision;
      if (decision.kind === 'held') return undefined;
      return leaseValue(studyId, reader, decision.kind === 'renew' ? decision.since : new Date().toISOString());
    },
    { ttlMs: options.leaseMs },
  );
  const { decision } = seen;
  if (!decision) throw new Error('The lease update decided nothing');
  if (decision.kind === 'held') return { outcome: 'held', lease: decision.lease };
  const lease = writtenLease(written);
  if (decision.kind === 'renew') return { outcome: 'taken', lease, renewed: true };
  const tookOverFrom = decision.kind === 'take-over' ? decision.from : undefined;
  await publish(shared, options.log ?? noLog, leaseTaken(lease, tookOverFrom));
  return { outcome: 'taken', lease, renewed: false, ...(tookOverFrom ? { tookOverFrom } : {}) };
}

export type RenewResult =
  { outcome: 'renewed'; lease: LeaseJson } | { outcome: 'none' } | { outcome: 'held'; lease: LeaseJson };

/** A heartbeat: moves the holder's lease's expiry to `leaseMs` from now. Publishes nothing. */
export async function renewLease(
  shared: SharedState,
  studyId: string,
  reader: Reader,
  leaseMs: number,
): Promise<RenewResult> {
  const seen: { decision?: RenewDecision } = {};
  const written = await shared.records.update(
    LEASE_NAMESPACE,
    studyId,
    (record) => {
      const decision = decideRenew(leaseOf(record), reader.subject);
      seen.decision = decision;
      return decision.kind === 'renew' ? leaseValue(studyId, reader, decision.since) : undefined;
    },
    { ttlMs: leaseMs },
  );
  const { decision } = seen;
  if (!decision) throw new Error('The lease update decided nothing');
  if (decision.kind === 'renew') return { outcome: 'renewed', lease: writtenLease(written) };
  return decision.kind === 'held' ? { outcome: 'held', lease: decision.lease } : { outcome: 'none' };
}

export type EndResult =
  { outcome: 'none' } | { outcome: 'released' | 'broken'; lease: LeaseJson } | { outcome: 'refused'; lease: LeaseJson };

/**
 * DELETE of a lease: the holder releases theirs; a coordinator (`mayBreak`) breaks someone else's;
 * anyone else is refused. Publishes `lease.released` with reason `released` or `broken`.
 */
export async function endLease(
  shared: SharedState,
  studyId: string,
  reader: Reader,
  options: { mayBreak: boolean; log?: SharedStateLog },
): Promise<EndResult> {
  const ended = await deleteLease(shared, studyId, (current) => decideEnd(current, reader.subject, options.mayBreak));
  if (!ended) return { outcome: 'none' };
  const { decision, lease } = ended;
  if (decision.kind === 'refused') return { outcome: 'refused', lease: decision.lease };
  const reason = decision.kind === 'break' ? 'broken' : 'released';
  await publish(shared, options.log ?? noLog, leaseReleased(lease, reason));
  return { outcome: reason, lease };
}

/**
 * Ends the person's own lease of the study, if they hold it (for Mark read: `reason` 'read'), and
 * publishes `lease.released`. True when there was one. Someone else's lease is left alone.
 * Throws SharedStateUnavailableError when the shared store cannot be reached (UpdateConflictError
 * when the lease kept changing under it): a caller whose own change already succeeded catches it,
 * and the lease then ends at its expiry.
 */
export async function releaseLease(
  shared: SharedState,
  studyId: string,
  reader: Reader,
  reason: Exclude<LeaseEndReason, 'broken'>,
  log: SharedStateLog = noLog,
): Promise<boolean> {
  const ended = await deleteLease(shared, studyId, (current): EndDecision =>
    current && current.subject === reader.subject ? { kind: 'release' } : { kind: 'none' },
  );
  if (!ended) return false;
  await publish(shared, log, leaseReleased(ended.lease, reason));
  return true;
}

/**
 * Ends every lease the person holds (sign-out), publishing `lease.released` (reason 'signed-out')
 * for each: how many there were. Throws SharedStateUnavailableError like releaseLease.
 */
export async function releaseLeasesOf(
  shared: SharedState,
  reader: Reader,
  log: SharedStateLog = noLog,
): Promise<number> {
  let released = 0;
  for await (const held of allLeases(shared)) {
    if (held.subject !== reader.subject) continue;
    if (await shared.records.delete(LEASE_NAMESPACE, held.lease.studyId, { ifVersion: held.version })) {
      released++;
      await publish(shared, log, leaseReleased(held.lease, 'signed-out'));
    }
  }
  return released;
}

/** The study's live lease, or undefined. */
export async function leaseOfStudy(shared: SharedState, studyId: string): Promise<LeaseJson | undefined> {
  const record = await shared.records.get(LEASE_NAMESPACE, studyId);
  return leaseOf(record)?.lease;
}

/** Every live lease, in study ID order, at most LEASE_LIST_LIMIT; `hasMore` when there are more. */
export async function listLeases(shared: SharedState): Promise<{ leases: LeaseJson[]; hasMore: boolean }> {
  const page = await shared.records.list(LEASE_NAMESPACE, { limit: LEASE_LIST_LIMIT });
  const leases = page.records.flatMap((record) => leaseOf(record)?.lease ?? []);
  return { leases, hasMore: page.nextAfter !== undefined };
}

/** Every live lease with the subject of its holder (for rules that tell people apart: Next study). */
export async function heldLeases(shared: SharedState): Promise<HeldLease[]> {
  const held: HeldLease[] = [];
  for await (const lease of allLeases(shared)) held.push(lease);
  return held;
}

function leaseOf(record: StoredRecord | undefined): HeldLease | undefined {
  return record ? leaseFromRecord(record) : undefined;
}

function writtenLease(record: StoredRecord | undefined): LeaseJson {
  const held = leaseOf(record);
  if (!held) throw new Error('A lease was written but cannot be read back');
  return held.lease;
}

/** How many times a delete that lost a race (the lease changed under it) reads again before giving up. */
const DELETE_ATTEMPTS = 10;

/**
 * Deletes the lease when `decide` says to release or break it, at the version it decided on, so a
 * lease renewed or taken over in between is decided again rather than deleted unseen.
 */
async function deleteLease(
  shared: SharedState,
  studyId: string,
  decide: (current: HeldLease | undefined) => EndDecision,
): Promise<{ decision: EndDecision; lease: LeaseJson } | undefined> {
  for (let attempt = 0; attempt < DELETE_ATTEMPTS; attempt++) {
    const current = leaseOf(await shared.records.get(LEASE_NAMESPACE, studyId));
    const decision = decide(current);
    if (!current || decision.kind === 'none') return undefined;
    if (decision.kind === 'refused') return { decision, lease: current.lease };
    if (await shared.records.delete(LEASE_NAMESPACE, studyId, { ifVersion: current.version }))
      return { decision, lease: current.lease };
  }
  // Renewed or taken under us every time: answered as "try again" (503), never as "there was none".
  throw new UpdateConflictError(`The lease of ${studyId} kept changing; gave up after ${DELETE_ATTEMPTS} attempts`);
}

/** Every live lease, page by page. */
async function* allLeases(shared: SharedState): AsyncGenerator<HeldLease> {
  let after: string | undefined;
  do {
    const page = await shared.records.list(LEASE_NAMESPACE, { limit: LEASE_LIST_LIMIT, ...(after ? { after } : {}) });
    for (const record of page.records) {
      const held = leaseOf(record);
      if (held) yield held;
    }
    after = page.nextAfter;
  } while (after !== undefined);
}

/** `lease.taken`, in the shape src/contract/worklist-events.ts gives it. */
function leaseTaken(lease: LeaseJson, tookOverFrom: PersonJson | undefined): NewBusEvent {
  const data: WorklistEventData['lease.taken'] & JsonObject = tookOverFrom ? { lease, tookOverFrom } : { lease };
  return { type: 'lease.taken', data };
}

/** `lease.released`, in the shape src/contract/worklist-events.ts gives it. */
function leaseReleased(lease: LeaseJson, reason: LeaseEndReason): NewBusEvent {
  const data = { studyId: lease.studyId, holder: lease.holder, reason };
  return { type: 'lease.released', data: data satisfies WorklistEventData['lease.released'] };
}

async function publish(shared: SharedState, log: SharedStateLog, event: NewBusEvent): Promise<void> {
  try {
    await shared.events.publish(event);
  } catch (error) {
    log.warn(
      { err: error, type: event.type },
      'a reading lease event could not be published; the lease itself was written',
    );
  }
}
