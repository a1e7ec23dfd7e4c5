import type { Severity } from '../../../../contract/avara-types.ts';

/**
 * Studies that arrived in the list while it was on screen (created, or changed so that they now
 * match): marked "new" for a while, and counted in their group's header ("3 new") until they have
 * been on screen. Pure: the page keeps one value and replaces it on each change.
 */
export interface Arrival {
  studyId: string;
  severity: Severity;
  at: number;
  /** Put into the loaded pages (`loaded`), or past them (`beyond`, the next pages will bring it). */
  where: 'loaded' | 'beyond';
  /** Has been on screen. */
  seen: boolean;
}

export type Arrivals = ReadonlyMap<string, Arrival>;

export const NO_ARRIVALS: Arrivals = new Map();

/** How long a study is marked "new" after it arrived. */
export const NEW_MARK_MS = 30_000;

export function recordArrival(arrivals: Arrivals, arrival: Omit<Arrival, 'seen'>): Arrivals {
  const next = new Map(arrivals);
  next.set(arrival.studyId, { ...arrival, seen: false });
  return next;
}

/** A study that left the list is no longer new in it. */
export function forgetArrival(arrivals: Arrivals, studyId: string): Arrivals {
  if (!arrivals.has(studyId)) return arrivals;
  const next = new Map(arrivals);
  next.delete(studyId);
  return next;
}

/** These studies are on screen now; the same value back when nothing changed. */
export function markSeen(arrivals: Arrivals, studyIds: Iterable<string>): Arrivals {
  let next: Map<string, Arrival> | null = null;
  for (const studyId of studyIds) {
    const arrival = (next ?? arrivals).get(studyId);
    if (!arrival || arrival.seen) continue;
    next ??= new Map(arrivals);
    next.set(studyId, { ...arrival, seen: true, where: 'loaded' });
  }
  return next ?? arrivals;
}

/** Marked "new": arrived less than NEW_MARK_MS ago, or not seen yet. */
export function isMarkedNew(arrival: Arrival | undefined, now: number): boolean {
  return arrival !== undefined && (!arrival.seen || now - arrival.at < NEW_MARK_MS);
}

/** The group's arrivals not yet on screen, oldest arrival first: what "N new" counts and shows. */
export function unseenIn(arrivals: Arrivals, severity: Severity): Arrival[] {
  return [...arrivals.values()]
    .filter((arrival) => arrival.severity === severity && !arrival.seen)
    .sort((a, b) => a.at - b.at);
}

/** Drops what is neither marked nor waiting to be seen (keeps the map small over a long shift). */
export function pruneArrivals(arrivals: Arrivals, now: number): Arrivals {
  let changed = false;
  const next = new Map<string, Arrival>();
  for (const [studyId, arrival] of arrivals) {
    if (isMarkedNew(arrival, now)) next.set(studyId, arrival);
    else changed = true;
  }
  return changed ? next : arrivals;
}
