import { Component } from 'react';
import type { ReactNode } from 'react';
import { useLocation } from 'react-router';

/**
 * What a route shows instead of a white page when something breaks while rendering it (or its code
 * cannot be loaded). Reloading fetches a fresh bundle and fresh data, which fixes most such failures
 * (e.g. after a deployment).
 */
export function RouteError({ error }: { error: unknown }) {
  const detail = error instanceof Error ? error.message : '';
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
          This page could not be shown. Reloading usually fixes it; if it keeps happening, tell your IT support what you
          were doing.
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

interface BoundaryProps {
  /** The address the children were rendered for: moving elsewhere tries them again. */
  locationKey: string;
  children: ReactNode;
}

interface BoundaryState {
  error: unknown;
  /** Where the error happened; `null`: no error. */
  failedAt: string | null;
}

class ErrorBoundary extends Component<BoundaryProps, BoundaryState> {
  override state: BoundaryState = { error: null, failedAt: null };

  static getDerivedStateFromError(error: unknown): Partial<BoundaryState> {
    return { error, failedAt: '' };
  }

  static getDerivedStateFromProps(props: BoundaryProps, state: BoundaryState): Partial<BoundaryState> | null {
    // The error was just caught: remember where. Elsewhere since: the page gets another try.
    if (state.failedAt === '') return { failedAt: props.locationKey };
    if (state.failedAt !== null && state.failedAt !== props.locationKey) return { error: null, failedAt: null };
    return null;
  }

  override render() {
    return this.state.failedAt === null ? this.props.children : <RouteError error={this.state.error} />;
  }
}

/**
 * Catches what breaks while rendering the routes inside it and shows `RouteError` in their place,
 * until the person goes to another address (the role React Router's `errorElement` plays in its
 * data router). Around the layout it catches everything; inside it, the header stays.
 */
export function RouteErrorBoundary({ children }: { children: ReactNode }) {
  const location = useLocation();
  return <ErrorBoundary locationKey={`${location.pathname}${location.search}`}>{children}</ErrorBoundary>;
}
