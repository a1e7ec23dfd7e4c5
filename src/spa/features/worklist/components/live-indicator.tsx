import { useConnection } from '../../../lib/connection/use-connection.ts';
import { useLiveSnapshot } from '../../../lib/live/use-live-events.ts';
import { useListsUpdatedAt } from '../api/lists-updated-at.ts';
import { describeLiveness } from '../lib/liveness.ts';
import type { Liveness } from '../lib/liveness.ts';
import { UpdatedAgo } from './updated-ago.tsx';

const DOT: Record<Liveness['kind'], string> = {
  live: 'bg-success-fg',
  paused: 'bg-warning-fg',
  connecting: 'bg-fg-muted',
  reconnecting: 'bg-warning-fg',
  offline: 'bg-danger-fg',
};

/**
 * Whether the list follows changes as they happen, always in the toolbar: Live, Reconnecting…,
 * Offline (a word, not a colour alone), and how old the list is when it is not live.
 */
export function LiveIndicator() {
  const stream = useLiveSnapshot();
  const connection = useConnection();
  const liveness = describeLiveness(stream, connection);
  return (
    <p
      role="status"
      data-testid="live-indicator"
      data-state={liveness.kind}
      title={liveness.detail}
      className="inline-flex h-7 items-center gap-1.5 rounded-full border border-border bg-panel px-2.5 text-xs font-medium text-fg"
    >
      <span aria-hidden="true" className={`inline-block size-2 rounded-full ${DOT[liveness.kind]}`} />
      <span>{liveness.label}</span>
      {liveness.showAge ? <ListAge since={Math.max(stream.currentAt ?? 0, connection.lastSuccessAt ?? 0)} /> : null}
      <span className="sr-only">. {liveness.detail}</span>
    </p>
  );
}

function ListAge({ since }: { since: number }) {
  const listsUpdatedAt = useListsUpdatedAt();
  const updatedAt = Math.max(since, listsUpdatedAt ?? 0);
  if (updatedAt === 0) return null;
  return (
    <span className="text-fg-muted">
      {' · updated '}
      <UpdatedAgo at={updatedAt} />
    </span>
  );
}
