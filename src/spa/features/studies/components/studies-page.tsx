import { useId, useMemo } from 'react';
import { useStudies } from '../api/get-studies.ts';
import { StudiesError } from './studies-error.tsx';
import { StudiesTable } from './studies-table.tsx';
import { StudiesTableSkeleton } from './studies-table-skeleton.tsx';

const countFormatter = new Intl.NumberFormat();

function EmptyState() {
  return (
    <div className="rounded-lg border border-dashed border-border bg-panel px-6 py-12 text-center">
      <h2 className="font-semibold">No studies yet</h2>
      <p className="mt-1.5 text-sm text-fg-muted">Studies appear here as soon as they are sent to the worklist.</p>
    </div>
  );
}

/** Every study, newest pages appended on demand: the shell the real worklist grows from. */
export function StudiesPage() {
  const headingId = useId();
  const studiesQuery = useStudies();
  const { data, error, isPending, isError, hasNextPage, isFetchingNextPage, isFetchNextPageError, isRefetchError } =
    studiesQuery;

  // Pages flattened once per change, not on every render.
  const studies = useMemo(() => data?.pages.flatMap((page) => page.studies) ?? [], [data]);

  let content;
  if (isPending) {
    content = <StudiesTableSkeleton />;
  } else if (isError && !data) {
    content = (
      <StudiesError error={error} retrying={studiesQuery.isFetching} onRetry={() => void studiesQuery.refetch()} />
    );
  } else if (studies.length === 0) {
    content = <EmptyState />;
  } else {
    const count = countFormatter.format(studies.length);
    content = (
      <>
        <StudiesTable studies={studies} labelledBy={headingId} />
        <div className="mt-4 flex flex-wrap items-center gap-x-4 gap-y-3">
          <p role="status" className="text-sm text-fg-muted">
            {studies.length === 1 ? '1 study loaded' : `${count} studies loaded`}
            {hasNextPage ? ', more available' : ', all loaded'}
          </p>
          {hasNextPage ? (
            <button
              type="button"
              onClick={() => void studiesQuery.fetchNextPage()}
              disabled={isFetchingNextPage}
              className="rounded-md border border-border bg-panel-raised px-4 py-2 text-sm font-semibold text-fg hover:border-accent disabled:cursor-progress disabled:opacity-60"
            >
              {isFetchingNextPage ? 'Loading more…' : 'Load more'}
            </button>
          ) : null}
        </div>
        {isFetchNextPageError && !isFetchingNextPage ? (
          <div className="mt-4">
            <StudiesError
              heading="More studies could not be loaded"
              error={error}
              retrying={isFetchingNextPage}
              onRetry={() => void studiesQuery.fetchNextPage()}
            />
          </div>
        ) : null}
        {isRefetchError ? (
          <div className="mt-4">
            <StudiesError
              heading="The list could not be refreshed"
              error={error}
              retrying={studiesQuery.isFetching}
              onRetry={() => void studiesQuery.refetch()}
            />
          </div>
        ) : null}
      </>
    );
  }

  return (
    <section aria-labelledby={headingId}>
      <div className="mb-4 flex items-baseline justify-between gap-4">
        <h1 id={headingId} className="text-xl font-semibold tracking-tight">
          Studies
        </h1>
      </div>
      {content}
    </section>
  );
}
