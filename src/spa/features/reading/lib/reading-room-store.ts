import type { EventPerson, ReadingLease, WorklistEvent } from '../../../../contract/worklist-events.ts';

const NO_VIEWERS: readonly EventPerson[] = [];

/**
 * Who reads which study and who has which drawer open, for the whole page: fed by GET /api/leases
 * (at start and after a resync) and by the stream's `lease.*` and `presence.changed` events. Rows
 * and the drawer read it by study; a reading returns the same object until that study's entry
 * changes, so a row re-renders only when its own lease does.
 */
export interface ReadingRoomStore {
  subscribe: (listener: () => void) => () => void;
  leaseOf: (studyId: string) => ReadingLease | undefined;
  viewersOf: (studyId: string) => readonly EventPerson[];
  /** Every lease known (the answer of GET /api/leases, and events since). */
  leases(): readonly ReadingLease[];
  /** GET /api/leases answered: its list replaces what was known (`hasMore`: leases not listed are kept). */
  replaceLeases(leases: readonly ReadingLease[], hasMore: boolean): void;
  /** A lease the person's own request answered (taken, renewed), ahead of its event. */
  putLease(lease: ReadingLease): void;
  /** The lease ended (the person's own release, or a 404 on renewal). */
  dropLease(studyId: string): void;
  /** Who has the study open, as a presence answer or event says. */
  putViewers(studyId: string, viewers: readonly EventPerson[]): void;
  /** Applies one stream event; others are ignored. */
  apply(event: WorklistEvent): void;
  /**
   * The earliest `expiresAt` (ms) of the known leases: past it, a lease may have ended or been
   * renewed (heartbeats publish nothing), so the list is asked for again then.
   */
  nextExpiry(): number | undefined;
  clear(): void;
  /** Who is signed in, so a row can say "You are reading" without asking each time. */
  me: () => EventPerson | null;
  setMe(person: EventPerson | null): void;
}

export function createReadingRoomStore(): ReadingRoomStore {
  let leases = new Map<string, ReadingLease>();
  const viewers = new Map<string, readonly EventPerson[]>();
  const listeners = new Set<() => void>();
  let signedIn: EventPerson | null = null;

  function changed() {
    for (const listener of [...listeners]) listener();
  }

  function putViewers(studyId: string, list: readonly EventPerson[]) {
    const known = viewers.get(studyId) ?? NO_VIEWERS;
    if (samePeople(known, list)) return;
    if (list.length === 0) viewers.delete(studyId);
    else viewers.set(studyId, [...list]);
    changed();
  }

  function put(lease: ReadingLease) {
    const known = leases.get(lease.studyId);
    if (known && sameLease(known, lease)) return false;
    leases.set(lease.studyId, lease);
    return true;
  }

  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    leaseOf: (studyId) => leases.get(studyId),
    viewersOf: (studyId) => viewers.get(studyId) ?? NO_VIEWERS,
    leases: () => [...leases.values()],
    replaceLeases(list, hasMore) {
      const next = new Map(hasMore ? leases : []);
      for (const lease of list) {
        const known = leases.get(lease.studyId);
        // The same lease keeps its object, so rows showing it do not re-render.
        next.set(lease.studyId, known && sameLease(known, lease) ? known : lease);
      }
      const same = next.size === leases.size && [...next].every(([studyId, lease]) => leases.get(studyId) === lease);
      leases = next;
      if (!same) changed();
    },
    putLease(lease) {
      if (put(lease)) changed();
    },
    dropLease(studyId) {
      if (leases.delete(studyId)) changed();
    },
    putViewers,
    apply(event) {
      switch (event.type) {
        case 'lease.taken':
          if (put(event.data.lease)) changed();
          return;
        case 'lease.released': {
          // Only the lease the event names: a newer one (taken since by someone else) stays.
          const known = leases.get(event.data.studyId);
          if (known && samePerson(known.holder, event.data.holder)) {
            leases.delete(event.data.studyId);
            changed();
          }
          return;
        }
        case 'presence.changed':
          putViewers(event.data.studyId, event.data.viewers);
          return;
        default:
          return;
      }
    },
    nextExpiry() {
      let earliest: number | undefined;
      for (const lease of leases.values()) {
        const at = Date.parse(lease.expiresAt);
        if (earliest === undefined || at < earliest) earliest = at;
      }
      return earliest;
    },
    me: () => signedIn,
    setMe(person) {
      if (person === signedIn || (person && signedIn && samePerson(person, signedIn) && person.name === signedIn.name))
        return;
      signedIn = person;
      changed();
    },
    clear() {
      if (leases.size === 0 && viewers.size === 0) return;
      leases = new Map();
      viewers.clear();
      changed();
    },
  };
}

/** The same person, as events name them: by Avara user ID where both have one, else by email. */
export function samePerson(a: EventPerson, b: EventPerson): boolean {
  if (a.userId !== null && b.userId !== null) return a.userId === b.userId;
  return a.email.toLowerCase() === b.email.toLowerCase();
}

function sameLease(a: ReadingLease, b: ReadingLease): boolean {
  return (
    a.studyId === b.studyId &&
    a.since === b.since &&
    a.expiresAt === b.expiresAt &&
    samePerson(a.holder, b.holder) &&
    a.holder.name === b.holder.name
  );
}

function samePeople(a: readonly EventPerson[], b: readonly EventPerson[]): boolean {
  return (
    a.length === b.length &&
    a.every((person, index) => {
      const other = b[index];
      return other !== undefined && samePerson(person, other) && person.name === other.name;
    })
  );
}
