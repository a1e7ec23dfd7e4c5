import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useSyncExternalStore } from 'react';
import { connection } from './connection-state.ts';
import type { ConnectionSnapshot, ConnectionStatus } from './connection-state.ts';
import { pingHealth, startHeartbeat } from './heartbeat.ts';
import type { Heartbeat } from './heartbeat.ts';

/** The page's connection state, re-rendering on each change (each answer moves `lastSuccessAt`). */
export function useConnection(): ConnectionSnapshot {
  return useSyncExternalStore(connection.subscribe, connection.getSnapshot, connection.getSnapshot);
}

const readStatus = () => connection.getSnapshot().status;

/** Only the status, re-rendering only when it changes: not on every answer of a live server. */
export function useConnectionStatus(): ConnectionStatus {
  return useSyncExternalStore(connection.subscribe, readStatus, readStatus);
}

let running: Heartbeat | null = null;

/** Checks the server at once (a "Try now" button); the answer arrives through the connection state. */
export function checkConnectionNow(): void {
  running?.checkNow();
}

/**
 * Mounted once, by the app's layout: runs the heartbeat, and when the server answers again after an
 * outage refetches every query on screen (the worklist's groups, an open study), without a reload.
 */
export function useConnectionMonitor(): void {
  const queryClient = useQueryClient();
  useEffect(() => {
    const heartbeat = startHeartbeat({ state: connection, ping: pingHealth });
    running = heartbeat;
    return () => {
      heartbeat.stop();
      if (running === heartbeat) running = null;
    };
  }, []);
  useEffect(() => connection.onRecovered(() => void queryClient.invalidateQueries()), [queryClient]);
}
