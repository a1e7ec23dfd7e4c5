import { checkConnectionNow, useConnection, useConnectionStatus } from '../../../lib/connection/use-connection.ts';
import { useListsUpdatedAt } from '../api/lists-updated-at.ts';
import { UpdatedAgo } from './updated-ago.tsx';

/**
 * Says plainly when the server cannot be reached (or the browser has no network), and how old the
 * list is, rather than letting it look live while it silently ages. It goes by itself when the
 * server answers again; the list is then refetched (lib/connection/use-connection.ts).
 */
export function ConnectionBanner() {
  // The status alone while live: the list's rows do not re-render the banner with every answer.
  return useConnectionStatus() === 'offline' ? <ConnectionLost /> : null;
}

function ConnectionLost() {
  const { browserOffline, lastSuccessAt } = useConnection();
  const listsUpdatedAt = useListsUpdatedAt();
  const updatedAt = listsUpdatedAt ?? lastSuccessAt;
  return (
    <div
      role="alert"
      className="flex flex-wrap items-center gap-x-3 gap-y-1 rounded-md border border-warning-fg/40 bg-warning-bg px-3 py-1.5 text-sm text-warning-fg"
    >
      <p className="min-w-0 flex-1">
        <strong className="font-semibold">Connection lost</strong>
        {updatedAt !== null ? (
          <>
            {' · last updated '}
            <UpdatedAgo at={updatedAt} />
          </>
        ) : null}
        <span className="text-fg">
          {'. '}
          {browserOffline ? 'This computer has no network connection.' : 'The server is not answering.'} The list shows
          what was loaded before and updates by itself when the connection is back.
        </span>
      </p>
      <button
        type="button"
        onClick={checkConnectionNow}
        className="shrink-0 rounded border border-warning-fg/50 px-2 py-0.5 text-xs font-medium hover:bg-warning-fg/10 focus:outline-none focus-visible:ring-2 focus-visible:ring-accent"
      >
        Try now
      </button>
    </div>
  );
}
