import { useEffect } from 'react';
import { markAbsent, markAbsentOnExit, markPresent } from '../api/study-presence.ts';
import { readingRoom } from '../api/reading-room.ts';

/** The drawer's presence heartbeat (docs/api.md: every ~20 s; a record lives 45 s past the last). */
export const PRESENCE_HEARTBEAT_MS = 20_000;

/**
 * Marks the person present on the study while the component is mounted: at once, then on the
 * heartbeat; absent on unmount and when the page goes away (a closed tab, a reload, navigation away),
 * and present again if the page comes back from the browser's back-forward cache.
 */
export function useStudyPresence(studyId: string): void {
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let here = true;
    async function beat() {
      clearTimeout(timer);
      try {
        const viewers = await markPresent(studyId);
        if (here) readingRoom.putViewers(studyId, viewers);
      } catch {
        // The next heartbeat tries again; presence is a courtesy, not a lock.
      }
      if (here) timer = setTimeout(() => void beat(), PRESENCE_HEARTBEAT_MS);
    }
    const onPageHide = () => {
      here = false;
      clearTimeout(timer);
      markAbsentOnExit(studyId);
    };
    const onPageShow = (event: PageTransitionEvent) => {
      if (!event.persisted) return;
      here = true;
      void beat();
    };
    void beat();
    window.addEventListener('pagehide', onPageHide);
    window.addEventListener('pageshow', onPageShow);
    return () => {
      const wasHere = here;
      here = false;
      clearTimeout(timer);
      window.removeEventListener('pagehide', onPageHide);
      window.removeEventListener('pageshow', onPageShow);
      if (wasHere) void markAbsent(studyId).catch(() => undefined);
    };
  }, [studyId]);
}
