import { useEffect, useSyncExternalStore } from 'react';
import type { EventPerson, ReadingLease } from '../../../../contract/worklist-events.ts';
import { liveEvents } from '../../../lib/live/live-events.ts';
import { feedReadingRoom } from '../lib/reading-room-feed.ts';
import { createReadingRoomStore } from '../lib/reading-room-store.ts';
import { getLeases } from './reading-leases.ts';

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

/** Keeps the reading room fed while the component is mounted. */
export function useReadingRoomFeed(): void {
  useEffect(startReadingRoom, []);
}

/** The study's reading lease, as the page knows it now; re-renders only when that study's lease changes. */
export function useStudyLease(studyId: string): ReadingLease | undefined {
  return useSyncExternalStore(readingRoom.subscribe, () => readingRoom.leaseOf(studyId));
}

/** Who has the study's drawer open (the person too, when they have). */
export function useStudyViewers(studyId: string): readonly EventPerson[] {
  return useSyncExternalStore(readingRoom.subscribe, () => readingRoom.viewersOf(studyId));
}
