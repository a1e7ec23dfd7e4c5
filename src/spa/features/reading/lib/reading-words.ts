import type { EventPerson, ReadingLease } from '../../../../contract/worklist-events.ts';
import { samePerson } from './reading-room-store.ts';

/** "<1 min", "4 min", "2 h 5 min": how long someone has been reading. */
export function formatReadingTime(since: string, now: number): string {
  const minutes = Math.max(0, Math.floor((now - Date.parse(since)) / 60_000));
  if (minutes < 1) return '<1 min';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}

/** "Being read by Dr X · 4 min", or "You are reading · 4 min" for the person's own lease. */
export function leaseLabel(lease: ReadingLease, me: EventPerson | null, now: number): string {
  const time = formatReadingTime(lease.since, now);
  return me && samePerson(lease.holder, me)
    ? `You are reading · ${time}`
    : `Being read by ${lease.holder.name} · ${time}`;
}

/** "Open by Dr Y", "Open by Dr Y and Dr Z", "Open by Dr Y and 2 others": everyone but the person. */
export function viewersLabel(viewers: readonly EventPerson[], me: EventPerson | null): string | null {
  const others = me ? viewers.filter((viewer) => !samePerson(viewer, me)) : [...viewers];
  const [first, second] = others;
  if (!first) return null;
  if (!second) return `Open by ${first.name}`;
  if (others.length === 2) return `Open by ${first.name} and ${second.name}`;
  return `Open by ${first.name} and ${others.length - 1} others`;
}
