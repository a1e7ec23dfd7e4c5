import { useLocation, useSearchParams } from 'react-router';
import { AppLink } from '../../../components/app-link.tsx';
import { SEVERITY_LABEL } from '../../../components/severity-badge.tsx';
import { formatDateTime, formatRelativeTime } from '../../../lib/format.ts';
import { useCriticalResults } from '../api/get-critical-results.ts';
import { SEARCH_PARAM } from '../../../../contract/worklist-filters.ts';

/** How many studies the banner names; the filter lists them all. */
const NAMED = 5;

/**
 * The worklist's alert for critical results nobody has acknowledged yet, shown to the studies'
 * assignees and to coordinators until someone acknowledges each (in the study's drawer). Each study
 * is a link that opens its drawer; "Show only these" turns on the Critical results filter.
 */
export function CriticalResultsBanner() {
  const critical = useCriticalResults();
  const { search } = useLocation();
  const [params, setParams] = useSearchParams();
  const results = critical.data?.criticalResults ?? [];
  if (results.length === 0) return null;
  const filtered = params.get(SEARCH_PARAM.critical) === '1';
  return (
    <section
      aria-labelledby="critical-results-heading"
      className="rounded-md border border-danger-border bg-danger-bg px-3 py-2 text-sm text-danger-fg"
    >
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
        <h2 id="critical-results-heading" aria-live="polite" className="font-semibold">
          <span aria-hidden="true">⚠ </span>
          {results.length === 1
            ? '1 critical result needs acknowledgement'
            : `${results.length} critical results need acknowledgement`}
        </h2>
        {filtered ? null : (
          <button
            type="button"
            className="rounded border border-danger-border px-2 py-0.5 text-xs font-semibold hover:bg-danger-border/30"
            onClick={() =>
              setParams((current) => {
                const next = new URLSearchParams(current);
                next.set(SEARCH_PARAM.critical, '1');
                return next;
              })
            }
          >
            Show only these
          </button>
        )}
      </div>
      <ul className="mt-1 flex flex-col gap-0.5">
        {results.slice(0, NAMED).map((result) => (
          <li key={`${result.studyId}/${result.reportId}`}>
            <AppLink
              to={{ pathname: `/studies/${result.studyId}`, search }}
              className="font-medium underline underline-offset-2"
            >
              {result.study.studyDescription}
            </AppLink>{' '}
            <span>
              ({SEVERITY_LABEL[result.study.severity]}, reported{' '}
              <time dateTime={result.deliveredAt} title={formatDateTime(result.deliveredAt)}>
                {formatRelativeTime(result.deliveredAt)}
              </time>
              )
            </span>
          </li>
        ))}
        {results.length > NAMED ? <li>and {results.length - NAMED} more</li> : null}
      </ul>
    </section>
  );
}
