import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useSyncExternalStore } from 'react';
import type { WorklistEventData, WorklistEventType } from '../../../contract/worklist-events.ts';
import { useMe } from '../auth/get-me.ts';
import { liveEvents } from './live-events.ts';
import type { LiveSnapshot } from './live-events.ts';

/**
 * Calls `handler` for each event of `type`. The handler is kept in a ref, so a new function each
 * render does not resubscribe.
 */
export function useWorklistEvent<T extends WorklistEventType>(
  type: T,
  handler: (data: WorklistEventData[T], event: { id: string }) => void,
): void {
  const latest = useRef(handler);
  useEffect(() => {
    latest.current = handler;
  });
  useEffect(
    () =>
      liveEvents.subscribe((event) => {
        // The union's members carry their own data type; `type` picks one.
        if (event.type === type) latest.current(event.data as WorklistEventData[T], { id: event.id });
      }),
    [type],
  );
}

/** The stream's state, re-rendering on each change. */
export function useLiveSnapshot(): LiveSnapshot {
  return useSyncExternalStore(liveEvents.subscribeStatus, liveEvents.getSnapshot, liveEvents.getSnapshot);
}

/**
 * Mounted once, by the app's layout: follows the stream while someone is signed in, and on `resync`
 * (events were missed) refetches every query on screen.
 */
export function useLiveEventsMonitor(): void {
  const me = useMe();
  const signedIn = Boolean(me.data);
  const queryClient = useQueryClient();
  useEffect(() => {
    if (!signedIn) return;
    liveEvents.start();
    return () => liveEvents.stop();
  }, [signedIn]);
  useEffect(
    () =>
      liveEvents.subscribe((event) => {
        if (event.type === 'resync') void queryClient.invalidateQueries();
      }),
    [queryClient],
  );
}
