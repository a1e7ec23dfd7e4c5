import { isApiError } from '../../../lib/api-client.ts';
import { BUTTON } from './button-styles.ts';

/** While the study loads: the drawer's shape, so nothing jumps when it arrives. */
export function DrawerLoading({ label }: { label: string }) {
  return (
    <div role="status" aria-live="polite" className="space-y-3">
      <span className="sr-only">{label}</span>
      {Array.from({ length: 8 }, (_, index) => (
        <div
          key={index}
          className="h-5 animate-pulse rounded bg-panel-raised"
          style={{ width: `${60 + ((index * 13) % 35)}%` }}
        />
      ))}
    </div>
  );
}

/** A 404, or an ID or UID the server refused as malformed: either way there is no such study. */
export function isNotFound(error: unknown): boolean {
  return isApiError(error) && (error.status === 404 || error.status === 400);
}

export function DrawerNotFound({ message, onClose }: { message: string; onClose: () => void }) {
  return (
    <div className="space-y-3">
      <p className="text-sm">{message}</p>
      <p className="text-sm text-fg-muted">It may have been removed, or the link may be incomplete.</p>
      <button type="button" className={BUTTON.secondary} onClick={onClose}>
        Back to the worklist
      </button>
    </div>
  );
}

export function DrawerError({ error, onRetry, retrying }: { error: unknown; onRetry: () => void; retrying: boolean }) {
  const detail = isApiError(error) ? error.detail : 'Something unexpected went wrong.';
  return (
    <div role="alert" className="space-y-3 rounded-md border border-danger-border bg-danger-bg p-4">
      <p className="font-semibold text-danger-fg">The study could not be loaded</p>
      <p className="text-sm">{detail}</p>
      <button type="button" className={BUTTON.secondary} onClick={onRetry} disabled={retrying}>
        {retrying ? 'Trying again…' : 'Try again'}
      </button>
    </div>
  );
}
