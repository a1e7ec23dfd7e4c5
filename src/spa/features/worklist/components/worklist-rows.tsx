import { memo } from 'react';
import type { CSSProperties } from 'react';
import type { Severity, Study } from '../../../../contract/avara-types.ts';
import { SEVERITY_LABEL } from '../../../components/severity-badge.tsx';
import { isApiError } from '../../../lib/api-client.ts';
import { describeGroupCount, formatCount } from '../lib/grid-items.ts';
import { cellStyle, SELECT_COLUMN_WIDTH } from '../lib/grid-styles.ts';
import { PLAIN_CELLS } from './worklist-columns.tsx';
import type { CellComponents } from './worklist-columns.tsx';
import type { PlainCell } from './worklist-cells.tsx';
import { useWorklistCellContext } from './worklist-context.ts';
import type { WorklistCellContext } from './worklist-context.ts';
import type { WorklistGroup } from './worklist-group.ts';

/**
 * The grid's rows: a group's header, a study, a skeleton while a group loads, and a group's
 * empty, error and "more" states. Each is memoized or cheap: hundreds are rendered while scrolling.
 */

export interface RowBaseProps {
  style: CSSProperties;
  ariaRowIndex: number;
}

export const GroupHeaderRow = memo(function GroupHeaderRow({
  group: { severity, group, collapsed, exact },
  style,
  ariaRowIndex,
  onToggle,
  newCount,
  onShowNew,
  groupSelection,
  onSelectGroup,
}: RowBaseProps & {
  group: WorklistGroup;
  onToggle: (severity: Severity) => void;
  newCount: number;
  onShowNew: (severity: Severity) => void;
  /** How many of the group's loaded rows there are and are selected; undefined when rows cannot be selected. */
  groupSelection?: { loaded: number; selected: number } | undefined;
  onSelectGroup: (severity: Severity, selected: boolean) => void;
}) {
  const { query, isRefreshing } = group;
  const label = SEVERITY_LABEL[severity];
  const count = describeGroupCount(group, exact);
  const tone = { stat: 'text-stat-fg', high: 'text-high-fg', normal: 'text-fg' }[severity];
  return (
    <div
      role="row"
      aria-rowindex={ariaRowIndex}
      data-group={severity}
      className="flex w-full border-y border-border bg-panel-raised"
      style={style}
    >
      <div role="gridcell" className="flex min-w-0 flex-1 items-center gap-3 px-3">
        {groupSelection && groupSelection.loaded > 0 ? (
          <input
            type="checkbox"
            checked={groupSelection.selected === groupSelection.loaded}
            onChange={(event) => onSelectGroup(severity, event.target.checked)}
            aria-label={`Select all ${formatCount(groupSelection.loaded)} loaded ${label} studies`}
            className="size-4 accent-accent"
          />
        ) : null}
        <h2 className="text-sm font-semibold">
          <button
            type="button"
            aria-expanded={!collapsed}
            onClick={() => onToggle(severity)}
            className={`inline-flex items-center gap-2 rounded px-1 py-0.5 uppercase tracking-wide ${tone}`}
          >
            <span aria-hidden="true" className="inline-block w-3 text-fg-muted">
              {collapsed ? '▸' : '▾'}
            </span>
            {label}
            <span className="sr-only"> studies, </span>
            <span className="rounded-full border border-border bg-panel px-2 text-xs font-medium tracking-normal text-fg-muted normal-case">
              {count}
            </span>
          </button>
        </h2>
        {exact?.overdue ? <span className="text-xs text-fg-muted">{formatCount(exact.overdue)} overdue</span> : null}
        {newCount > 0 ? (
          <button
            type="button"
            onClick={() => onShowNew(severity)}
            aria-label={`Show ${formatCount(newCount)} new ${label} ${newCount === 1 ? 'study' : 'studies'}`}
            className="inline-flex items-center gap-1 rounded-full bg-accent px-2 py-0.5 text-xs font-semibold text-accent-fg hover:opacity-90"
          >
            <span aria-hidden="true">↓</span>
            {formatCount(newCount)} new
          </button>
        ) : null}
        {isRefreshing || query.isFetchingNextPage ? (
          <span className="text-xs text-fg-muted" aria-hidden="true">
            Updating…
          </span>
        ) : null}
      </div>
    </div>
  );
});

export const StudyRow = memo(function StudyRow({
  study,
  cellComponents,
  rowKey,
  slot,
  style,
  ariaRowIndex,
  focused,
  tabbable,
  isNew,
  visibleColumnIds,
  onOpen,
  onFocusRow,
  selected,
  onSelect,
  onInlineAssign,
}: RowBaseProps & {
  study: Study;
  cellComponents: CellComponents;
  rowKey: string;
  /** The row element's slot (lib/row-slots.ts): names the elements that stay with the element, not the study. */
  slot: number;
  focused: boolean;
  tabbable: boolean;
  /** Arrived live a moment ago: marked "New" (a word, not only a colour). */
  isNew: boolean;
  /** The visible columns in order, comma-separated: the row renders again when they change. */
  visibleColumnIds: string;
  onOpen: (studyId: string) => void;
  onFocusRow: (key: string) => void;
  /** Whether the row is selected; undefined when rows cannot be selected (no checkbox). */
  selected: boolean | undefined;
  onSelect: (studyId: string, range: boolean) => void;
  onInlineAssign: ((studyId: string, anchor: DOMRect) => void) | undefined;
}) {
  const context = useWorklistCellContext();
  // Only the focused row's controls are Tab stops: the list is one stop, its rows move by arrow keys.
  const controlTab = focused ? 0 : -1;
  // `contain: content` (layout, paint and style containment): a row clips its own painting, so
  // Chromium keeps what it painted while the list scrolls instead of repainting every row whenever
  // the area it paints around the viewport moves on (that halved the paint time of a scroll frame).
  // Nothing of a row draws outside it: its outline and marks are inset, its assign menu is drawn
  // outside the list.
  return (
    // eslint-disable-next-line jsx-a11y/click-events-have-key-events -- Enter on the focused row opens it through the grid's shortcut handler
    <div
      role="row"
      aria-rowindex={ariaRowIndex}
      aria-selected={focused}
      data-row-key={rowKey}
      data-study-row=""
      data-new={isNew ? '' : undefined}
      tabIndex={tabbable ? 0 : -1}
      onClick={() => onOpen(study.studyId)}
      onFocus={(event) => {
        if (event.target === event.currentTarget) onFocusRow(rowKey);
      }}
      className={`flex w-full cursor-pointer items-center border-b border-border/60 outline-none [contain:content] focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-accent ${
        focused ? 'bg-focus-row outline-2 -outline-offset-2 outline-accent' : 'hover:bg-panel-raised/70'
      } ${study.isCancelled ? 'text-fg-muted' : ''} ${isNew ? 'shadow-[inset_3px_0_0_var(--color-accent)]' : ''} ${selected ? 'bg-focus-row/60' : ''}`}
      style={style}
    >
      {selected === undefined ? null : (
        <div
          role="gridcell"
          className="flex h-full shrink-0 items-center justify-center"
          style={{ width: SELECT_COLUMN_WIDTH }}
        >
          <RowCheckbox slot={slot} checked={selected} tabIndex={controlTab} onSelect={onSelect} />
        </div>
      )}
      {visibleColumnIds.split(',').map((columnId) => {
        const plain = plainCell(columnId, study, context);
        // In the description, the one column that cannot be hidden (and is read first after severity).
        const newMark = isNew && columnId === 'description' ? <NewMark /> : null;
        if (plain) {
          return (
            <div
              key={columnId}
              role="gridcell"
              // A pill is clipped at the cell's edge (an ellipsis there would sit outside the pill).
              className={`relative h-full min-w-0 shrink-0 px-2 first:pl-3 ${plain.pill ? 'overflow-hidden whitespace-nowrap' : 'truncate'} ${plain.className ?? ''}`}
              style={cellStyle(columnId, true)}
              title={plain.title}
              aria-label={newMark && plain.label ? `New, ${plain.label}` : plain.label}
            >
              {newMark}
              {plain.pill ? (
                <span className={`${plain.pill} align-middle leading-normal`}>{plain.text}</span>
              ) : (
                plain.text
              )}
              {columnId === 'assignee' && onInlineAssign && !study.isCancelled ? (
                <button
                  type="button"
                  tabIndex={controlTab}
                  aria-label={`Assign ${study.studyDescription}`}
                  aria-haspopup="dialog"
                  onClick={(event) => {
                    event.stopPropagation();
                    onInlineAssign(study.studyId, event.currentTarget.getBoundingClientRect());
                  }}
                  className="absolute right-1 px-1 text-fg-muted hover:text-fg"
                >
                  ▾
                </button>
              ) : null}
            </div>
          );
        }
        const Cell = cellComponents[columnId];
        return (
          <div
            key={columnId}
            role="gridcell"
            id={columnId === 'description' ? descriptionCellId(slot) : undefined}
            className="flex h-full min-w-0 shrink-0 items-center overflow-hidden px-2 first:pl-3"
            style={cellStyle(columnId)}
          >
            {newMark}
            {Cell ? <Cell study={study} /> : null}
          </div>
        );
      })}
    </div>
  );
});

/** Each study's plain cells as last written, for the context they were written in. */
const plainCells = new WeakMap<Study, { context: WorklistCellContext; cells: Map<string, PlainCell | undefined> }>();

/**
 * A plain cell's text and attributes, worked out once per study and context: a study scrolled back
 * into view (or a row rendered again for its focus or selection) reuses them instead of formatting
 * its times and names again. A changed study is a new object; the context changes with the clock.
 */
function plainCell(columnId: string, study: Study, context: WorklistCellContext): PlainCell | undefined {
  let entry = plainCells.get(study);
  if (entry?.context !== context) {
    entry = { context, cells: new Map() };
    plainCells.set(study, entry);
  }
  if (entry.cells.has(columnId)) return entry.cells.get(columnId);
  const cell = PLAIN_CELLS[columnId]?.(study, context);
  entry.cells.set(columnId, cell);
  return cell;
}

/** The description cell's ID in the row element of this slot: the checkbox's name reads it. */
function descriptionCellId(slot: number): string {
  return `worklist-slot-${slot}-description`;
}

/**
 * A row's checkbox. Its props stay the same when its row element shows another study (the name
 * comes from the description cell beside it, the study from the row): React DOM writes an input's
 * `type` and `name` again on every update of it, each write a style invalidation of the row, on
 * every row that came into view.
 */
const RowCheckbox = memo(function RowCheckbox({
  slot,
  checked,
  tabIndex,
  onSelect,
}: {
  slot: number;
  checked: boolean;
  tabIndex: number;
  onSelect: (studyId: string, range: boolean) => void;
}) {
  const id = `worklist-slot-${slot}-select`;
  return (
    <input
      type="checkbox"
      id={id}
      checked={checked}
      tabIndex={tabIndex}
      aria-label="Select"
      aria-labelledby={`${id} ${descriptionCellId(slot)}`}
      onClick={(event) => {
        // Selecting is not opening: the row's own click opens the drawer.
        event.stopPropagation();
        const studyId = event.currentTarget.closest<HTMLElement>('[data-row-key]')?.dataset.rowKey;
        if (studyId) onSelect(studyId, event.shiftKey);
      }}
      readOnly
      className="size-4 accent-accent"
    />
  );
});

function NewMark() {
  return (
    <span className="mr-1.5 rounded bg-accent px-1 py-px align-middle text-[0.65rem] leading-none font-bold tracking-wide text-accent-fg uppercase">
      New
    </span>
  );
}

export function SkeletonRow({ style, ariaRowIndex, headers }: RowBaseProps & { headers: string }) {
  return (
    <div
      role="row"
      aria-rowindex={ariaRowIndex}
      aria-busy="true"
      className="flex w-full items-center border-b border-border/60"
      style={style}
    >
      {headers.split(',').map((columnId) => (
        <div key={columnId} role="gridcell" className="shrink-0 px-2 first:pl-3" style={cellStyle(columnId)}>
          <div className="h-3 w-3/4 animate-pulse rounded bg-panel-raised" />
        </div>
      ))}
    </div>
  );
}

function describeError(error: unknown): string {
  if (isApiError(error)) return error.detail || error.title;
  return 'Something went wrong while loading.';
}

export function GroupStateRow({
  kind,
  group: { severity, group },
  style,
  ariaRowIndex,
  colCount,
}: RowBaseProps & { kind: 'empty' | 'error' | 'more'; group: WorklistGroup; colCount: number }) {
  const { query } = group;
  const label = SEVERITY_LABEL[severity];
  let content;
  if (kind === 'empty') {
    content = <p className="text-fg-muted">No {label} studies match these filters.</p>;
  } else if (kind === 'error') {
    content = (
      <div
        role="alert"
        className="flex w-full max-w-3xl items-center gap-4 rounded-md border border-danger-border bg-danger-bg px-3 py-2"
      >
        <div className="min-w-0 flex-1">
          <p className="font-semibold text-danger-fg">{label} studies could not be loaded</p>
          <p className="truncate text-fg">{describeError(query.error)}</p>
        </div>
        <button
          type="button"
          onClick={() => void query.refetch()}
          disabled={query.isFetching}
          className="shrink-0 rounded-md bg-accent px-3 py-1.5 text-sm font-semibold text-accent-fg hover:opacity-90 disabled:opacity-60"
        >
          {query.isFetching ? 'Retrying…' : `Retry ${label}`}
        </button>
      </div>
    );
  } else if (query.isFetchNextPageError && !query.isFetchingNextPage) {
    content = (
      <p role="alert" className="flex items-center gap-3 text-danger-fg">
        More {label} studies could not be loaded: {describeError(query.error)}
        <button
          type="button"
          onClick={() => void query.fetchNextPage()}
          className="rounded border border-danger-border px-2 py-0.5 text-sm font-medium text-fg"
        >
          Retry
        </button>
      </p>
    );
  } else {
    content = (
      <p className="flex items-center gap-3 text-fg-muted">
        {query.isFetchingNextPage ? `Loading more ${label} studies…` : `More ${label} studies load as you scroll.`}
        {query.isFetchingNextPage ? null : (
          <button
            type="button"
            onClick={() => void query.fetchNextPage()}
            className="rounded border border-border px-2 py-0.5 text-xs font-medium text-fg"
          >
            Load more
          </button>
        )}
      </p>
    );
  }
  return (
    <div
      role="row"
      aria-rowindex={ariaRowIndex}
      className="flex w-full items-center border-b border-border/60"
      style={style}
    >
      <div role="gridcell" aria-colspan={colCount} className="sticky left-0 flex items-center px-3">
        {content}
      </div>
    </div>
  );
}
