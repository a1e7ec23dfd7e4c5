import { AppLink } from '../components/app-link.tsx';

export function NotFoundPage() {
  return (
    <section aria-labelledby="not-found-heading" className="mx-auto max-w-lg py-16 text-center">
      <p className="text-sm font-semibold tracking-wide text-fg-muted uppercase">404</p>
      <h1 id="not-found-heading" className="mt-2 text-2xl font-semibold">
        Page not found
      </h1>
      <p className="mt-3 text-fg-muted">There is nothing at this address. The link may be old or mistyped.</p>
      <AppLink
        to="/"
        className="mt-6 inline-flex rounded-md bg-accent-fill px-4 py-2 text-sm font-semibold text-accent-fill-fg hover:opacity-90"
      >
        Back to the worklist
      </AppLink>
    </section>
  );
}
