import { BUTTON } from './button-styles.ts';
import { RelativeTime } from './relative-time.tsx';

/** Above the form when it reopened with an edit kept from before: what happened, and the way out. */
export function RestoredEditNotice({ savedAt, onDiscard }: { savedAt: number; onDiscard: () => void }) {
  return (
    <div
      role="status"
      className="flex flex-wrap items-center gap-x-3 gap-y-2 rounded-md border border-accent/60 bg-panel-raised px-3 py-2 text-sm"
    >
      <p className="min-w-0 flex-1">
        <strong className="font-semibold">Your unsaved changes were restored.</strong>{' '}
        <span className="text-fg-muted">
          Last edited <RelativeTime value={new Date(savedAt).toISOString()} />. Check them and save, or discard them.
        </span>
      </p>
      <button type="button" className={BUTTON.secondary} onClick={onDiscard}>
        Discard changes
      </button>
    </div>
  );
}
