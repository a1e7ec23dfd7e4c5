import type { ConnectionSnapshot } from '../../../lib/connection/connection-state.ts';
import type { LiveSnapshot } from '../../../lib/live/live-events.ts';

/** What the worklist's connection indicator says. */
export interface Liveness {
  kind: 'live' | 'paused' | 'connecting' | 'reconnecting' | 'offline';
  label: string;
  /** A sentence for the tooltip and screen readers. */
  detail: string;
  /** Show "updated N s ago": the list is not following changes as they happen. */
  showAge: boolean;
}

/**
 * One reading of the two sources: the heartbeat (can the BFF be reached at all) wins when it says
 * offline, as it also hears every API call; otherwise the event stream says whether changes arrive
 * as they happen. While the stream is down the list polls every 30 s, and says how old it is.
 */
export function describeLiveness(
  stream: Pick<LiveSnapshot, 'state' | 'degraded'>,
  connection: Pick<ConnectionSnapshot, 'status' | 'browserOffline'>,
): Liveness {
  if (connection.status === 'offline') {
    return {
      kind: 'offline',
      label: 'Offline',
      detail: connection.browserOffline ? 'This computer has no network connection.' : 'The server is not answering.',
      showAge: true,
    };
  }
  switch (stream.state) {
    case 'live':
      return stream.degraded
        ? {
            kind: 'paused',
            label: 'Changes paused',
            detail:
              'Changes are paused: the shared store is unreachable. The list refreshes every 30 seconds meanwhile.',
            showAge: true,
          }
        : { kind: 'live', label: 'Live', detail: 'Changes appear as they happen.', showAge: false };
    case 'connecting':
      return { kind: 'connecting', label: 'Connecting…', detail: 'Connecting to live updates.', showAge: false };
    case 'reconnecting':
      return {
        kind: 'reconnecting',
        label: 'Reconnecting…',
        detail: 'Live updates dropped; reconnecting. The list refreshes every 30 seconds meanwhile.',
        showAge: true,
      };
    case 'offline':
      return {
        kind: 'offline',
        label: 'Offline',
        detail: 'Live updates cannot be reached. The list refreshes every 30 seconds meanwhile.',
        showAge: true,
      };
  }
}
