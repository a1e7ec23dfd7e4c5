import { useEffect, useSyncExternalStore } from 'react';
import type { EventPerson, ReadingLease } from '../../../../contract/worklist-events.ts';
import { liveEvents } from '../../../lib/live/live-events.ts';
import { feedReadingRoom } from '../lib/reading-room-feed.ts';
import { createReadingRoomStore } from '../lib/reading-room-store.ts';
import { getLeases } from './reading-leases.ts';
import { useMePerson } from './use-me-person.ts';

/** The page's one reading-room store: every row and the drawer read it. */
export const readingRoom = createReadingRoomStore();

let users = 0;
let stopFeed: (() => void) | undefined;

/** Feeds the store while anything on the page shows it (counted, so one list request and one subscription serve all). */
function startReadingRoom(): () => void {
  users += 1;
  stopFeed ??= feedReadingRoom(readingRoom, { live: liveEvents, fetchLeases: () => getLeases() });
  return () => {
    users -= 1;
    if (users > 0) return;
    stopFeed?.();
    stopFeed = undefined;
  };
}

/** Keeps the reading room fed while the component is mounted, and tells it who is signed in. */
export function useReadingRoomFeed(): void {
  const me = useMePerson();
  useEffect(() => readingRoom.setMe(me), [me]);
  useEffect(startReadingRoom, []);
}

/** Who is signed in, as the reading room knows it: for rows, which must not each ask the query cache. */
export function useReadingRoomMe(): EventPerson | null {
  return useSyncExternalStore(readingRoom.subscribe, readingRoom.me);
}

/** The study's reading lease, as the page knows it now; re-renders only when that study's lease changes. */
export function useStudyLease(studyId: string): ReadingLease | undefined {
  return useSyncExternalStore(readingRoom.subscribe, () => readingRoom.leaseOf(studyId));
}

/** Who has the study's drawer open (the person too, when they have). */
export function useStudyViewers(studyId: string): readonly EventPerson[] {
  return useSyncExternalStore(readingRoom.subscribe, () => readingRoom.viewersOf(studyId));
}
