import { isRouteErrorResponse, useRouteError } from 'react-router';

function describe(error: unknown): string {
  if (isRouteErrorResponse(error)) return `${error.status} ${error.statusText}`.trim();
  if (error instanceof Error) return error.message;
  return '';
}

/**
 * What a route shows instead of a white page when something breaks while rendering it. Reloading
 * fetches a fresh bundle and fresh data, which fixes most such failures (e.g. after a deployment).
 */
export function RouteError() {
  const error = useRouteError();
  const detail = describe(error);
  return (
    <div className="flex min-h-[60vh] items-center justify-center bg-surface p-6 text-fg">
      <section
        role="alert"
        aria-labelledby="route-error-heading"
        className="w-full max-w-lg rounded-lg border border-danger-border bg-danger-bg p-6"
      >
        <h1 id="route-error-heading" className="text-lg font-semibold text-danger-fg">
          Something went wrong
        </h1>
        <p className="mt-2 text-sm text-fg">
          This page could not be shown. Reloading usually fixes it; if it keeps happening, tell your IT
          support what you were doing.
        </p>
        {detail ? <p className="mt-3 font-mono text-xs break-words text-fg-muted">{detail}</p> : null}
        <button
          type="button"
          onClick={() => window.location.reload()}
          className="mt-5 rounded-md bg-accent-fill px-4 py-2 text-sm font-semibold text-accent-fill-fg hover:opacity-90"
        >
          Reload page
        </button>
      </section>
    </div>
  );
}
