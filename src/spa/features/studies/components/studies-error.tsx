import { isApiError } from '../../../lib/api-client.ts';

/** The user-facing sentence for a failed request: the server's own detail when it gave one. */
export function describeStudiesError(error: unknown): { title: string; detail: string } {
  if (isApiError(error)) return { title: error.title, detail: error.detail || error.title };
  return { title: 'Unexpected error', detail: 'The studies could not be loaded.' };
}

interface StudiesErrorProps {
  error: unknown;
  onRetry: () => void;
  retrying: boolean;
  /** Shown as the heading; defaults to a sentence about the whole list. */
  heading?: string;
}

/** A failed load, with the reason and a way to try again, instead of an empty page. */
export function StudiesError({ error, onRetry, retrying, heading = 'Studies could not be loaded' }: StudiesErrorProps) {
  const { detail } = describeStudiesError(error);
  return (
    <div role="alert" className="rounded-lg border border-danger-border bg-danger-bg p-5">
      <h2 className="font-semibold text-danger-fg">{heading}</h2>
      <p className="mt-1.5 text-sm text-fg">{detail}</p>
      <button
        type="button"
        onClick={onRetry}
        disabled={retrying}
        className="mt-4 rounded-md bg-accent px-4 py-2 text-sm font-semibold text-accent-fg hover:opacity-90 disabled:cursor-progress disabled:opacity-60"
      >
        {retrying ? 'Retrying…' : 'Retry'}
      </button>
    </div>
  );
}
