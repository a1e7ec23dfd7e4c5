import { useState, type FormEvent } from 'react';
import type { Severity } from '../../../../contract/avara-types.ts';
import { SEVERITIES } from '../../../../contract/avara-types.ts';
import type { DashboardAnswer, RadiologistLoad } from '../../../../contract/dashboard-api.ts';
import { AppLink } from '../../../components/app-link.tsx';
import { RangeDateInput, type RangeEnd } from '../../../components/range-date-input.tsx';
import { BUTTON, INPUT } from '../../../components/button-styles.ts';
import { SEVERITY_LABEL, SeverityBadge } from '../../../components/severity-badge.tsx';
import { apiBlob, isApiError } from '../../../lib/api-client.ts';
import { useLiveSnapshot } from '../../../lib/live/use-live-events.ts';
import { useMe } from '../../../lib/auth/get-me.ts';
import { useDashboard } from '../api/get-dashboard.ts';
import { formatMinutes, formatShare, todayDate } from '../lib/dashboard-format.ts';
import { dashboardLinks } from '../lib/dashboard-links.ts';
import {
  DEFAULT_LOAD_SORT,
  nextSort,
  sortLoad,
  totalUnread,
  type LoadColumn,
  type LoadSort,
} from '../lib/load-sort.ts';
import { HourlyChart } from './hourly-chart.tsx';

const CARD = 'rounded-lg border border-border bg-panel p-4';
const NUMBER_LINK =
  'rounded font-semibold tabular-nums text-fg underline decoration-border underline-offset-4 hover:decoration-accent focus-visible:outline-2 focus-visible:outline-accent';

/** The coordinator's dashboard (GET /api/dashboard), live from the event stream. Loaded on demand: not in the worklist's bundle. */
export function DashboardPage() {
  const me = useMe();
  if (me.data && me.data.role !== 'coordinator') {
    return (
      <div className="mx-auto max-w-xl py-10 text-center">
        <h1 className="text-lg font-semibold">Dashboard</h1>
        <p className="mt-2 text-sm text-fg-muted">The dashboard is for coordinators.</p>
        <AppLink to="/" className={`${BUTTON.secondary} mt-4`}>
          Back to the worklist
        </AppLink>
      </div>
    );
  }
  return <CoordinatorDashboard />;
}

function CoordinatorDashboard() {
  const dashboard = useDashboard();
  const live = useLiveSnapshot();
  const answer = dashboard.data;
  return (
    <div className="mx-auto flex max-w-6xl flex-col gap-4">
      <div className="flex flex-wrap items-baseline gap-x-4 gap-y-1">
        <h1 className="text-lg font-semibold">Dashboard</h1>
        <p className="text-sm text-fg-muted" aria-live="polite">
          {answer ? `As of ${new Date(answer.asOf).toLocaleTimeString()}` : null}
          {live.state === 'live' ? ' · live' : answer ? ' · refreshed every 30 s' : null}
        </p>
        <AppLink to="/" className={`${BUTTON.quiet} ml-auto`}>
          Back to the worklist
        </AppLink>
      </div>
      {dashboard.isError && !answer ? (
        <div role="alert" className="rounded border border-danger-border bg-danger-bg p-3 text-sm text-danger-fg">
          {isApiError(dashboard.error) ? dashboard.error.message : 'The dashboard could not be loaded.'}{' '}
          <button type="button" className={BUTTON.small} onClick={() => void dashboard.refetch()}>
            Try again
          </button>
        </div>
      ) : null}
      {answer ? (
        <DashboardFigures answer={answer} />
      ) : dashboard.isPending ? (
        <p className="text-sm text-fg-muted">Loading the figures…</p>
      ) : null}
    </div>
  );
}

function DashboardFigures({ answer }: { answer: DashboardAnswer }) {
  const { tiles } = answer;
  return (
    <>
      <section aria-labelledby="dashboard-now" className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
        <h2 id="dashboard-now" className="sr-only">
          The queue now
        </h2>
        <SeverityTile title="Unread" counts={tiles.unread} link={dashboardLinks.unread} testId="tile-unread" />
        <SeverityTile
          title="Overdue"
          counts={tiles.overdue}
          link={dashboardLinks.overdue}
          testId="tile-overdue"
          tone="danger"
        />
        <SeverityTile
          title="Unassigned"
          counts={tiles.unassigned}
          link={dashboardLinks.unassigned}
          testId="tile-unassigned"
        />
        <div className={CARD} data-testid="tile-being-read">
          <h3 className="text-sm font-medium text-fg-muted">Being read now</h3>
          <AppLink
            to={dashboardLinks.beingRead()}
            className={`${NUMBER_LINK} mt-2 inline-block text-3xl`}
            aria-label={`${tiles.beingRead} studies being read now: open the worklist`}
          >
            {tiles.beingRead}
          </AppLink>
        </div>
      </section>
      <section aria-labelledby="dashboard-hours" className={CARD}>
        <h2 id="dashboard-hours" className="mb-1 text-base font-semibold">
          Arrivals and completions per hour
        </h2>
        <HourlyChart hours={answer.hourly} />
      </section>
      <TurnaroundTable answer={answer} />
      <LoadTable people={answer.radiologists} />
      <ExportForm />
      <p className="text-xs text-fg-muted">
        {answer.history.since
          ? `Figures from what the worklist has seen since ${new Date(answer.history.since).toLocaleDateString()} (${answer.history.studies} studies, kept ${answer.history.retentionDays} days).`
          : 'The worklist has not seen any study change yet: figures start with the first.'}{' '}
        {tiles.source === 'history' ? 'The queue counts are the history’s until the first walk of the queue.' : null}
      </p>
    </>
  );
}

function SeverityTile({
  title,
  counts,
  link,
  testId,
  tone,
}: {
  title: string;
  counts: Record<Severity, number>;
  link: (severity: Severity) => string;
  testId: string;
  tone?: 'danger';
}) {
  const total = counts.stat + counts.high + counts.normal;
  return (
    <div className={CARD} data-testid={testId}>
      <h3 className="flex items-baseline justify-between text-sm font-medium text-fg-muted">
        {title}
        <span
          className={`text-2xl font-semibold tabular-nums ${tone === 'danger' && total > 0 ? 'text-danger-fg' : 'text-fg'}`}
          data-testid={`${testId}-total`}
        >
          {total}
        </span>
      </h3>
      <ul className="mt-2 flex flex-col gap-1 text-sm">
        {SEVERITIES.map((severity) => (
          <li key={severity} className="flex items-center justify-between">
            <SeverityBadge severity={severity} />
            <AppLink
              to={link(severity)}
              className={NUMBER_LINK}
              data-testid={`${testId}-${severity}`}
              aria-label={`${counts[severity]} ${title.toLowerCase()} ${SEVERITY_LABEL[severity]}: open in the worklist`}
            >
              {counts[severity]}
            </AppLink>
          </li>
        ))}
      </ul>
    </div>
  );
}

function TurnaroundTable({ answer }: { answer: DashboardAnswer }) {
  const cell = 'px-2 py-1.5 text-right tabular-nums';
  return (
    <section aria-labelledby="dashboard-turnaround" className={`${CARD} overflow-x-auto`}>
      <h2 id="dashboard-turnaround" className="mb-2 text-base font-semibold">
        Turnaround and SLA compliance
      </h2>
      <table className="w-full min-w-[40rem] text-sm" data-testid="turnaround-table">
        <caption className="mb-2 text-left text-xs text-fg-muted">
          Time from arrival to Mark read (p50 and p90), and the share of studies read before their target, against those
          read plus those still waiting past it.
        </caption>
        <thead>
          <tr className="text-fg-muted">
            <th scope="col" rowSpan={2} className="px-2 py-1 text-left font-medium">
              Severity
            </th>
            <th scope="col" rowSpan={2} className="px-2 py-1 text-right font-medium">
              Target
            </th>
            <th scope="colgroup" colSpan={4} className="border-b border-border px-2 py-1 text-center font-medium">
              Today
            </th>
            <th scope="colgroup" colSpan={4} className="border-b border-border px-2 py-1 text-center font-medium">
              Last 7 days
            </th>
          </tr>
          <tr className="text-fg-muted">
            {['Read', 'p50', 'p90', 'Within target', 'Read', 'p50', 'p90', 'Within target'].map((label, index) => (
              <th key={index} scope="col" className="px-2 py-1 text-right font-medium">
                {label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {SEVERITIES.map((severity) => {
            const turnaround = answer.turnaround[severity];
            const compliance = answer.compliance[severity];
            const target = answer.slaTargets[severity];
            return (
              <tr key={severity} className="border-t border-border">
                <th scope="row" className="px-2 py-1.5 text-left font-normal">
                  <SeverityBadge severity={severity} />
                </th>
                <td className={cell}>{formatMinutes(target)}</td>
                {(['today', 'week'] as const).map((window) => {
                  const figure = turnaround[window];
                  const share = compliance[window];
                  const late = (figure.p90Minutes ?? 0) >= target;
                  return [
                    <td key={`${window}-count`} className={cell}>
                      <AppLink
                        to={dashboardLinks.read(severity)}
                        className={NUMBER_LINK}
                        aria-label={`${figure.count} ${SEVERITY_LABEL[severity]} read ${window === 'today' ? 'today' : 'in the last 7 days'}: open the read studies in the worklist`}
                      >
                        {figure.count}
                      </AppLink>
                    </td>,
                    <td key={`${window}-p50`} className={cell}>
                      {formatMinutes(figure.p50Minutes)}
                    </td>,
                    <td key={`${window}-p90`} className={`${cell} ${late ? 'text-danger-fg' : ''}`}>
                      {formatMinutes(figure.p90Minutes)}
                      {late ? <span className="sr-only"> (past the target)</span> : null}
                    </td>,
                    <td
                      key={`${window}-share`}
                      className={cell}
                      title={`${share.readWithinTarget} of ${share.read + share.waitingOverdue}`}
                    >
                      {formatShare(share)}
                      <span className="ml-1 text-xs text-fg-muted">
                        ({share.readWithinTarget}/{share.read + share.waitingOverdue})
                      </span>
                    </td>,
                  ];
                })}
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

const LOAD_COLUMNS: Array<{ column: LoadColumn; label: string }> = [
  { column: 'name', label: 'Radiologist' },
  { column: 'stat', label: 'STAT unread' },
  { column: 'high', label: 'High unread' },
  { column: 'normal', label: 'Normal unread' },
  { column: 'unread', label: 'All unread' },
  { column: 'readingNow', label: 'Reading now' },
  { column: 'readToday', label: 'Read today' },
];

function LoadTable({ people }: { people: RadiologistLoad[] }) {
  const [sort, setSort] = useState<LoadSort>(DEFAULT_LOAD_SORT);
  const rows = sortLoad(people, sort);
  const cell = 'px-2 py-1.5 text-right tabular-nums';
  return (
    <section aria-labelledby="dashboard-load" className={`${CARD} overflow-x-auto`}>
      <h2 id="dashboard-load" className="mb-2 text-base font-semibold">
        Load per radiologist
      </h2>
      {rows.length === 0 ? (
        <p className="text-sm text-fg-muted">
          Nobody has assigned unread studies, a study open for reading, or a study read today.
        </p>
      ) : (
        <table className="w-full min-w-[40rem] text-sm" data-testid="load-table">
          <caption className="sr-only">Load per radiologist, sortable by each column</caption>
          <thead>
            <tr className="text-fg-muted">
              {LOAD_COLUMNS.map(({ column, label }) => (
                <th
                  key={column}
                  scope="col"
                  aria-sort={sort.column === column ? sort.direction : 'none'}
                  className={`px-1 py-1 font-medium ${column === 'name' ? 'text-left' : 'text-right'}`}
                >
                  <button
                    type="button"
                    onClick={() => setSort(nextSort(sort, column))}
                    className="inline-flex items-center gap-1 rounded px-1 hover:text-fg focus-visible:outline-2 focus-visible:outline-accent"
                  >
                    {label}
                    <span aria-hidden="true">
                      {sort.column === column ? (sort.direction === 'ascending' ? '▲' : '▼') : ''}
                    </span>
                  </button>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((person) => (
              <tr key={person.userId} className="border-t border-border">
                <th scope="row" className="px-2 py-1.5 text-left font-normal">
                  {person.name}
                </th>
                {SEVERITIES.map((severity) => (
                  <td key={severity} className={cell}>
                    <AppLink
                      to={dashboardLinks.assignedUnread(person.userId, severity)}
                      className={NUMBER_LINK}
                      aria-label={`${person.assignedUnread[severity]} ${SEVERITY_LABEL[severity]} unread assigned to ${person.name}: open in the worklist`}
                    >
                      {person.assignedUnread[severity]}
                    </AppLink>
                  </td>
                ))}
                <td className={cell}>
                  <AppLink
                    to={dashboardLinks.assignedUnread(person.userId)}
                    className={NUMBER_LINK}
                    aria-label={`${totalUnread(person)} unread assigned to ${person.name}: open in the worklist`}
                  >
                    {totalUnread(person)}
                  </AppLink>
                </td>
                <td className={cell}>{person.readingNow}</td>
                <td className={cell}>
                  <AppLink
                    to={dashboardLinks.readBy(person.userId)}
                    className={NUMBER_LINK}
                    aria-label={`${person.readToday} read today by ${person.name}: open their read studies in the worklist`}
                  >
                    {person.readToday}
                  </AppLink>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function ExportForm() {
  const [from, setFrom] = useState(() => todayDate());
  const [to, setTo] = useState(() => todayDate());
  const [state, setState] = useState<{ busy: boolean; error: string | null }>({ busy: false, error: null });
  async function download(event: FormEvent) {
    event.preventDefault();
    setState({ busy: true, error: null });
    try {
      const blob = await apiBlob(`/api/dashboard/turnaround.csv?${new URLSearchParams({ from, to }).toString()}`);
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = `turnaround-${from}-to-${to}.csv`;
      link.click();
      window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setState({ busy: false, error: null });
    } catch (error) {
      setState({ busy: false, error: isApiError(error) ? error.message : 'The export could not be downloaded.' });
    }
  }
  return (
    <section aria-labelledby="dashboard-export" className={CARD}>
      <h2 id="dashboard-export" className="mb-2 text-base font-semibold">
        Export turnaround
      </h2>
      <form className="flex flex-wrap items-end gap-3" onSubmit={(event) => void download(event)}>
        <DateInput label="From" value={from} max={to} onChange={setFrom} />
        <DateInput label="To" value={to} min={from} onChange={setTo} />
        <button type="submit" className={BUTTON.secondary} disabled={state.busy}>
          {state.busy ? 'Preparing…' : 'Download CSV'}
        </button>
        {state.error ? (
          <p role="alert" className="text-sm text-danger-fg">
            {state.error}
          </p>
        ) : null}
      </form>
      <p className="mt-2 text-xs text-fg-muted">
        One row per study read in the range: arrival, assignment, reading, who read it, turnaround and target.
      </p>
    </section>
  );
}

/** One end of the export's date range; `min` and `max` keep the range the right way round. */
function DateInput({ label, ...end }: RangeEnd & { label: string }) {
  return (
    <label className="flex flex-col gap-1 text-sm">
      {label}
      <RangeDateInput required {...end} className={INPUT} />
    </label>
  );
}
