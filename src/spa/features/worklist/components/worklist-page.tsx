import { Fragment, useCallback, useEffect, useMemo, useRef, useState, type ComponentType, type ReactNode } from 'react';
import { Outlet, useLocation, useNavigate, useSearchParams } from 'react-router';
import type { Severity, Study } from '../../../../contract/avara-types.ts';
import { SEVERITIES } from '../../../../contract/avara-types.ts';
import { actorOf } from '../../../../contract/actor.ts';
import { useMe } from '../../../lib/auth/get-me.ts';
import { useAuthConfig } from '../../../lib/auth/get-auth-config.ts';
import { useWorklistCounts } from '../api/get-counts.ts';
import { useStudyGroup } from '../api/get-studies.ts';
import { countsForView } from '../lib/counts-for-view.ts';
import { useUsers } from '../../../lib/people/get-users.ts';
import { NO_STUDIES } from '../../../lib/studies/study-selection.ts';
import type { StudySelection } from '../../../lib/studies/study-selection.ts';
import { DEFAULT_SLA_TARGETS } from '../lib/sla.ts';
import { SEARCH_PARAM, parseFilters, toListFilters, writeFilters } from '../../../../contract/worklist-filters.ts';
import type { Viewer, WorklistFilters } from '../../../../contract/worklist-filters.ts';
import { ColumnMenu } from './column-menu.tsx';
import { ConnectionBanner } from './connection-banner.tsx';
import { LiveIndicator } from './live-indicator.tsx';
import { QueueSummary } from './queue-summary.tsx';
import { ThemeToggle } from './theme-toggle.tsx';
import { ViewsMenu, type ViewState } from './views-menu.tsx';
import { useNow } from './use-now.ts';
import { useLiveWorklist } from './use-live-worklist.ts';
import { useWorklistTable } from './use-worklist-table.ts';
import { cellComponentsWith } from './worklist-columns.tsx';
import type { WorklistExtraColumn } from './worklist-columns.tsx';
import { WorklistCellContext } from './worklist-context.ts';
import { WorklistFiltersBar } from './worklist-filters.tsx';
import { WorklistGrid } from './worklist-grid.tsx';
import type { WorklistGridHandle } from './worklist-grid.tsx';
import type { WorklistGroup } from './worklist-group.ts';

function collectCustomers(known: Map<string, string>, lists: Study[][]): Map<string, string> {
  let changed = false;
  const next = new Map(known);
  for (const studies of lists) {
    for (const study of studies) {
      const customer = study.expressCustomer;
      if (customer && !next.has(customer.expressCustomerId)) {
        next.set(customer.expressCustomerId, customer.expressCustomerName);
        changed = true;
      }
    }
  }
  if (!changed) return known;
  return new Map([...next].sort((a, b) => a[1].localeCompare(b[1])));
}

/**
 * The worklist: STAT, HIGH and NORMAL studies, each group paged from the server with the filters in
 * the URL, in one virtualized list. The study drawer opens beside it (the child route), so the list
 * keeps its filters and scroll position.
 */
export interface WorklistPageProps {
  /** Buttons the app adds to the worklist's toolbar (e.g. New study), kept out of this feature. */
  actions?: ReactNode;
  /** Columns the app adds (e.g. the PACS's), and what provides their data. */
  extension?: WorklistExtension | undefined;
  /** Rows can be selected for a bulk change (coordinators): the app's selection, and its bar below the list. */
  selection?: StudySelection | undefined;
  bulkBar?: ReactNode;
  /** Alerts under the filters, above the list (the critical results, loaded after the first screen). */
  notices?: ReactNode;
}

/**
 * What the app adds to the rows: columns, and a provider around the grid that is given the loaded
 * rows page by page (the open groups only), e.g. to fetch details for a whole page in one request.
 */
export interface WorklistExtension {
  columns: readonly WorklistExtraColumn[];
  RowsProvider: ComponentType<{ pages: readonly Study[][]; children: ReactNode }>;
}

const NO_EXTRA_COLUMNS: readonly WorklistExtraColumn[] = [];

function PassThrough({ children }: { children: ReactNode }) {
  return <Fragment>{children}</Fragment>;
}

export function WorklistPage({ actions, extension, selection, bulkBar, notices }: WorklistPageProps = {}) {
  const me = useMe();
  const { role, userId } = actorOf(me.data);
  const viewer = useMemo<Viewer>(() => ({ role, userId }), [role, userId]);
  const [params, setParams] = useSearchParams();
  const location = useLocation();
  const navigate = useNavigate();
  const searchString = params.toString();
  const embedded = params.get('embed') === '1';
  // Parsed once per URL: every object below stays the same until the filters really change.
  const filters = useMemo(() => parseFilters(new URLSearchParams(searchString), viewer), [searchString, viewer]);

  // The assignee default depends on the role: write it into the URL, so a shared link shows the same list.
  useEffect(() => {
    const current = new URLSearchParams(searchString);
    if (!current.has(SEARCH_PARAM.assignee)) setParams(writeFilters(current, filters), { replace: true });
  }, [searchString, filters, setParams]);

  const setFilters = useCallback(
    (next: WorklistFilters) => setParams((current) => writeFilters(current, next)),
    [setParams],
  );

  const listFilters = useMemo(
    () => ({
      stat: toListFilters(filters, 'stat', viewer),
      high: toListFilters(filters, 'high', viewer),
      normal: toListFilters(filters, 'normal', viewer),
    }),
    [filters, viewer],
  );
  const resetKey = JSON.stringify(listFilters);
  const liveList = useLiveWorklist(listFilters, resetKey);
  const shown = new Set(filters.groups);
  // STAT loads first: HIGH waits for STAT's first answer, NORMAL for HIGH's, so on a slow link the
  // most urgent studies are never queued behind the least urgent.
  const stat = useStudyGroup(listFilters.stat, shown.has('stat'), liveList.live);
  const statSettled = !shown.has('stat') || stat.query.status !== 'pending';
  const high = useStudyGroup(listFilters.high, shown.has('high') && statSettled, liveList.live);
  const highSettled = shown.has('high') ? high.query.status !== 'pending' : statSettled;
  const normal = useStudyGroup(listFilters.normal, shown.has('normal') && highSettled, liveList.live);

  const [collapsed, setCollapsed] = useState<ReadonlySet<Severity>>(() => new Set());
  const toggleGroup = useCallback((severity: Severity) => {
    setCollapsed((previous) => {
      const next = new Set(previous);
      if (next.has(severity)) next.delete(severity);
      else next.add(severity);
      return next;
    });
  }, []);

  const counts = useWorklistCounts(me.data !== undefined && me.data !== null, liveList.live);
  const exact = useMemo(() => countsForView(filters, viewer, counts.data), [filters, viewer, counts.data]);
  const groupsKey = filters.groups.join(',');
  const groups = useMemo<WorklistGroup[]>(() => {
    const bySeverity = { stat, high, normal };
    return SEVERITIES.filter((severity) => groupsKey.split(',').includes(severity)).map((severity) => ({
      severity,
      group: bySeverity[severity],
      collapsed: collapsed.has(severity),
      exact: exact?.[severity],
    }));
  }, [stat, high, normal, collapsed, groupsKey, exact]);

  const rowPages = useMemo(() => groups.flatMap(({ group, collapsed }) => (collapsed ? [] : group.pages)), [groups]);
  const extraColumns = extension?.columns ?? NO_EXTRA_COLUMNS;
  const { table, layout, resetLayout, applyLayout } = useWorklistTable(extraColumns);
  const cellComponents = useMemo(() => cellComponentsWith(extraColumns), [extraColumns]);
  const RowsProvider = extension?.RowsProvider ?? PassThrough;

  const knownCustomers = useRef(new Map<string, string>());
  const customers = useMemo(() => {
    knownCustomers.current = collectCustomers(knownCustomers.current, [stat.studies, high.studies, normal.studies]);
    return knownCustomers.current;
  }, [stat.studies, high.studies, normal.studies]);

  const roster = useUsers();

  // Other filters, other rows: what was selected is not on screen to confirm any more.
  useEffect(
    () => selection?.set({ ...selection.get(), ids: NO_STUDIES, anchor: null, inlineAssign: null }),
    [resetKey, selection],
  );
  const searchRef = useRef<HTMLInputElement>(null);
  const focusSearch = useCallback(() => {
    searchRef.current?.focus();
    searchRef.current?.select();
  }, []);
  const openStudy = useCallback(
    (studyId: string) => void navigate({ pathname: `/studies/${studyId}`, search: location.search }),
    [navigate, location.search],
  );

  const now = useNow();
  // The settings' targets (GET /auth/config, loaded at start); the defaults only until it answers.
  const slaTargets = useAuthConfig().data?.slaTargets ?? DEFAULT_SLA_TARGETS;
  const cellContext = useMemo(() => ({ now, slaTargets, search: location.search }), [now, slaTargets, location.search]);
  const gridRef = useRef<WorklistGridHandle>(null);
  const jumpToGroup = useCallback((severity: Severity) => {
    setCollapsed((previous) => {
      if (!previous.has(severity)) return previous;
      const next = new Set(previous);
      next.delete(severity);
      return next;
    });
    // After the expand has rendered, so the offsets include the group's rows.
    window.requestAnimationFrame(() => gridRef.current?.scrollToGroup(severity));
  }, []);

  const viewState = useMemo<ViewState>(
    () => ({ filters, layout, applyLayout, collapsed, setCollapsed }),
    [filters, layout, applyLayout, collapsed],
  );

  return (
    <section aria-labelledby="worklist-heading" className="flex h-full min-h-0 flex-col gap-2.5">
      <div className="flex flex-wrap items-center gap-x-4 gap-y-2">
        <h1 id="worklist-heading" className={embedded ? 'sr-only' : 'text-lg font-semibold tracking-tight'}>
          Worklist
        </h1>
        <QueueSummary groups={groups} onJump={jumpToGroup} />
        <p className={embedded ? 'sr-only' : 'text-xs text-fg-muted'}>
          {role === 'radiologist'
            ? 'Radiologists start with their own and unassigned studies.'
            : 'Coordinators start with everyone’s studies.'}{' '}
          <span className="hidden lg:inline">
            <kbd className="font-sans">↑ ↓</kbd> or <kbd className="font-sans">j k</kbd> move,{' '}
            <kbd className="font-sans">Enter</kbd> opens, <kbd className="font-sans">/</kbd> searches,{' '}
            <kbd className="font-sans">Esc</kbd> clears, <kbd className="font-sans">?</kbd> shortcuts.
          </span>
        </p>
        <div className="ml-auto flex items-center gap-2">
          <LiveIndicator />
          {actions}
          {embedded ? <ThemeToggle compact /> : null}
          <ColumnMenu table={table} order={layout.order} onReset={resetLayout} />
        </div>
      </div>
      <div className="flex flex-wrap items-start gap-x-4 gap-y-2">
        <ViewsMenu state={viewState} />
        <WorklistFiltersBar
          filters={filters}
          viewer={viewer}
          roster={roster.data ?? []}
          customers={customers}
          onChange={setFilters}
          searchRef={searchRef}
          compact={embedded}
        />
      </div>
      <ConnectionBanner />
      {notices}
      <WorklistCellContext value={cellContext}>
        <RowsProvider pages={rowPages}>
          <WorklistGrid
            table={table}
            cellComponents={cellComponents}
            groups={groups}
            onToggleGroup={toggleGroup}
            onOpenStudy={openStudy}
            onFocusSearch={focusSearch}
            resetKey={resetKey}
            compact={embedded}
            ref={gridRef}
            arrivals={liveList.arrivals}
            onSeen={liveList.onSeen}
            selection={selection}
          />
        </RowsProvider>
      </WorklistCellContext>
      {bulkBar}
      <Outlet />
    </section>
  );
}
