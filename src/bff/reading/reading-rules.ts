/**
 * The rules of reading leases and presence, without I/O: how they are stored as shared-state
 * records, read back, and what taking, renewing or ending a lease does given the lease there is now.
 * reading-leases.ts and study-presence.ts apply them to the shared state; docs/api.md describes them.
 */
import { createHash } from 'node:crypto';
import type { EventPerson, ReadingLease } from '../../contract/worklist-events.ts';
import type { SessionUser } from '../auth/session-user.ts';
import type { JsonObject, StoredRecord } from '../shared-state/shared-state.ts';

/** A reading lease lasts this long without a heartbeat unless READING_LEASE_SECONDS says otherwise. */
export const DEFAULT_READING_LEASE_SECONDS = 120;
/** A reader may hold this many reading leases on unread studies unless READING_MAX_LEASES says otherwise (Next study). */
export const DEFAULT_READING_MAX_LEASES = 1;
/** Shared-state namespace of leases, one record per study (key: the study ID). */
export const LEASE_NAMESPACE = 'reading-lease';
/** Shared-state namespace of presence, one record per person per study. */
export const PRESENCE_NAMESPACE = 'study-presence';
/** A drawer heartbeats every ~20 s; a record outlives two missed ones, no more. */
export const PRESENCE_TTL_MS = 45_000;
/** At most this many leases in one answer of GET /api/leases (the shared state's largest page). */
export const LEASE_LIST_LIMIT = 1000;
/** At most this many viewers of one study are listed (a drawer can name a handful, not hundreds). */
export const VIEWER_LIST_LIMIT = 100;

/** The person a lease or presence is for: how events name them, and their sign-in subject to tell them apart. */
export type Reader = Pick<SessionUser, 'subject' | 'userId' | 'email' | 'name'>;

// The contract's shapes as type literals (mapped from its interfaces), which, unlike interfaces, are
// JSON objects to the compiler: record and event values.
/** A person as events and answers name them (EventPerson). */
export type PersonJson = { [K in keyof EventPerson]: EventPerson[K] };
/** A lease as events and answers carry it (ReadingLease). */
export type LeaseJson = { [K in keyof ReadingLease]: K extends 'holder' ? PersonJson : ReadingLease[K] };

/** A live lease as read from its record: the lease, whose it is, and the version to compare-and-set. */
export interface HeldLease {
  lease: LeaseJson;
  subject: string;
  version: number;
}

export function personOf(reader: Reader): PersonJson {
  return { userId: reader.userId, email: reader.email, name: reader.name };
}

/** The record value of a lease: the holder as events name them, their subject, since when (kept across renewals). */
export function leaseValue(studyId: string, reader: Reader, since: string): JsonObject {
  return { studyId, holder: personOf(reader), subject: reader.subject, since };
}

/** The lease a record holds, or undefined for a value that is not one (written by something else: treated as no lease). */
export function leaseFromRecord(record: StoredRecord): HeldLease | undefined {
  const { value } = record;
  const holder = personFrom(value.holder);
  const { studyId, subject, since } = value;
  if (typeof studyId !== 'string' || typeof subject !== 'string' || typeof since !== 'string' || !holder)
    return undefined;
  // Every lease is written with a lifetime; one without would never end, so it counts as none.
  if (record.expiresAt === null) return undefined;
  return {
    lease: { studyId, holder, since, expiresAt: new Date(record.expiresAt).toISOString() },
    subject,
    version: record.version,
  };
}

export type TakeDecision =
  /** Nobody holds it: take it, from now. */
  | { kind: 'take' }
  /** It is already theirs: renew it, keeping since when. */
  | { kind: 'renew'; since: string }
  /** Someone else holds it and they asked to take it over. */
  | { kind: 'take-over'; from: PersonJson }
  /** Someone else holds it: refuse, naming them. */
  | { kind: 'held'; lease: LeaseJson };

/** What taking the lease does, given the live lease there is (if any). */
export function decideTake(current: HeldLease | undefined, subject: string, takeOver: boolean): TakeDecision {
  if (!current) return { kind: 'take' };
  if (current.subject === subject) return { kind: 'renew', since: current.lease.since };
  return takeOver ? { kind: 'take-over', from: current.lease.holder } : { kind: 'held', lease: current.lease };
}

export type RenewDecision = { kind: 'renew'; since: string } | { kind: 'none' } | { kind: 'held'; lease: LeaseJson };

/** What a heartbeat does: renew the holder's own lease; nothing for anyone else. */
export function decideRenew(current: HeldLease | undefined, subject: string): RenewDecision {
  if (!current) return { kind: 'none' };
  return current.subject === subject
    ? { kind: 'renew', since: current.lease.since }
    : { kind: 'held', lease: current.lease };
}

export type EndDecision =
  | { kind: 'none' }
  /** The holder ends their own. */
  | { kind: 'release' }
  /** A coordinator ends someone else's. */
  | { kind: 'break' }
  /** Someone else's, and they may not break it. */
  | { kind: 'refused'; lease: LeaseJson };

/** What DELETE of a lease does for this person. */
export function decideEnd(current: HeldLease | undefined, subject: string, mayBreak: boolean): EndDecision {
  if (!current) return { kind: 'none' };
  if (current.subject === subject) return { kind: 'release' };
  return mayBreak ? { kind: 'break' } : { kind: 'refused', lease: current.lease };
}

/** "Being read by Dr X since 10:04 (UTC)": the words of a 409 or 403 about someone else's lease. */
export function heldByWords(lease: ReadingLease): string {
  const since = lease.since.slice(11, 16);
  return `${lease.holder.name} (${lease.holder.email}) has been reading this study since ${since} UTC.`;
}

// ---------------------------------------------------------------------------------------------------
// Presence

/** One record per person per study; the subject is hashed so that any subject fits in a key and none can forge a prefix. */
export function presenceKey(studyId: string, subject: string): string {
  return `${presencePrefix(studyId)}${createHash('sha256').update(subject).digest('hex').slice(0, 32)}`;
}

/** The key prefix of a study's presence records (study IDs have a fixed pattern, so no study's prefix is another's). */
export function presencePrefix(studyId: string): string {
  return `${studyId}/`;
}

export function presenceValue(studyId: string, reader: Reader, since: string): JsonObject {
  return { studyId, viewer: personOf(reader), since };
}

/** The people a study's presence records name, first arrived first; unreadable records are skipped. */
export function viewersFrom(records: readonly StoredRecord[]): PersonJson[] {
  return records
    .flatMap((record) => {
      const viewer = personFrom(record.value.viewer);
      const since = record.value.since;
      return viewer && typeof since === 'string' ? [{ viewer, since }] : [];
    })
    .sort((a, b) => a.since.localeCompare(b.since) || a.viewer.email.localeCompare(b.viewer.email))
    .map(({ viewer }) => viewer);
}

function personFrom(value: unknown): PersonJson | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const userId: unknown = Object.getOwnPropertyDescriptor(value, 'userId')?.value;
  const email: unknown = Object.getOwnPropertyDescriptor(value, 'email')?.value;
  const name: unknown = Object.getOwnPropertyDescriptor(value, 'name')?.value;
  if ((userId !== null && typeof userId !== 'string') || typeof email !== 'string' || typeof name !== 'string')
    return undefined;
  return { userId, email, name };
}
