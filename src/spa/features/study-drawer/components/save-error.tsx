import { isApiError } from '../../../lib/api-client.ts';

/** Why a change did not go through, in words, with what the user can do next. */
export function describeSaveError(error: unknown): { title: string; detail: string } {
  if (!isApiError(error))
    return { title: 'The change was not saved', detail: 'Something unexpected went wrong. Try again.' };
  if (error.status === 403)
    return { title: 'Not allowed', detail: error.detail || 'Your role may not make this change.' };
  if (error.status === 400) return { title: 'The server refused some values', detail: error.detail };
  const next = error.retryable ? ' Try again in a moment.' : '';
  return { title: error.title || 'The change was not saved', detail: `${error.detail}${next}` };
}

/** The message at the top of a form whose save failed; the form keeps every edit. */
export function SaveError({ error }: { error: unknown }) {
  const { title, detail } = describeSaveError(error);
  return (
    <div role="alert" className="rounded-md border border-danger-border bg-danger-bg p-3 text-sm">
      <p className="font-semibold text-danger-fg">{title}</p>
      <p className="mt-1 text-fg">{detail}</p>
      <p className="mt-1 text-fg-muted">Your edits are still here.</p>
    </div>
  );
}
