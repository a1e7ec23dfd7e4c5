import { defaultRangeExtractor, useVirtualizer } from '@tanstack/react-virtual';
import type { Range } from '@tanstack/react-virtual';
import { memo, useCallback, useEffect, useImperativeHandle, useLayoutEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import type { CSSProperties, Ref } from 'react';
import type { Severity, Study } from '../../../../contract/avara-types.ts';
import { isApiError } from '../../../lib/api-client.ts';
import type { useStudyGroup } from '../api/get-studies.ts';
import { SEVERITY_LABEL } from '../../../components/severity-badge.tsx';
import { isMarkedNew, NO_ARRIVALS, unseenIn } from '../lib/arrivals.ts';
import { assignRowSlots, inDocumentOrder } from '../lib/row-slots.ts';
import type { Arrivals } from '../lib/arrivals.ts';
import type { ExactCount } from '../lib/counts-for-view.ts';
import type { WorklistTable } from './use-worklist-table.ts';
import { PLAIN_CELLS, columnWidthLimits } from './worklist-columns.tsx';
import type { CellComponents } from './worklist-columns.tsx';
import { WorklistCellContext, useWorklistCellContext } from './worklist-context.ts';
import { useMe } from '../../../lib/auth/get-me.ts';
import { useShortcut } from '../../../lib/shortcuts/use-shortcut.ts';
import type { StudySelection } from '../../../lib/studies/study-selection.ts';

type StudyGroupState = ReturnType<typeof useStudyGroup>;

/** One severity group as the grid shows it. */
export interface WorklistGroup {
  severity: Severity;
  group: StudyGroupState;
  collapsed: boolean;
  /** The group's exact size, where the queue's counts count this view (lib/counts-for-view.ts). */
  exact?: ExactCount | undefined;
}

/** Everything the one scroller shows, in order: group headers, rows, and each group's states. */
type WorklistItem =
  | { kind: 'group'; key: string; severity: Severity }
  | { kind: 'study'; key: string; severity: Severity; study: Study }
  | { kind: 'skeleton'; key: string; severity: Severity }
  | { kind: 'empty'; key: string; severity: Severity }
  | { kind: 'error'; key: string; severity: Severity }
  | { kind: 'more'; key: string; severity: Severity };

const COLUMN_HEADER_HEIGHT = 34;
type ItemHeights = Record<WorklistItem['kind'], number>;
const ITEM_HEIGHT: ItemHeights = { group: 40, study: 36, skeleton: 36, empty: 48, error: 84, more: 40 };
/** Embedded in the portal: the same list, denser. */
const COMPACT_ITEM_HEIGHT: ItemHeights = { group: 34, study: 30, skeleton: 30, empty: 40, error: 76, more: 34 };
const SKELETON_ROWS = 3;
/** Fetch a group's next page when its last loaded row is this close to the viewport. */
const PREFETCH_ROWS = 40;
const OVERSCAN = 4;

const countFormatter = new Intl.NumberFormat();

/** The width of the rows' checkbox column, when rows can be selected. */
const SELECT_COLUMN_WIDTH = 36;
const NO_SELECTION: ReadonlySet<string> = new Set();
const noSubscription = () => () => undefined;

const INITIAL_RECT = typeof window === 'undefined' ? { width: 0, height: 0 } : { width: window.innerWidth, height: window.innerHeight };

interface BuiltItems {
  items: WorklistItem[];
  offsets: number[];
  /** Index of each group's last study row, for fetching its next page in time. */
  lastStudyIndex: Map<Severity, number>;
}

function buildItems(groups: WorklistGroup[], heights: ItemHeights): BuiltItems {
  const items: WorklistItem[] = [];
  const lastStudyIndex = new Map<Severity, number>();
  for (const { severity, group, collapsed } of groups) {
    items.push({ kind: 'group', key: `group-${severity}`, severity });
    if (collapsed) continue;
    const { query, studies } = group;
    if (query.isPending) {
      for (let index = 0; index < SKELETON_ROWS; index += 1) items.push({ kind: 'skeleton', key: `skeleton-${severity}-${index}`, severity });
      continue;
    }
    if (query.isError && studies.length === 0) {
      items.push({ kind: 'error', key: `error-${severity}`, severity });
      continue;
    }
    // A searched list's page may match none and still have more (docs/decisions/032): keep walking.
    if (studies.length === 0 && !query.hasNextPage && !query.isFetchNextPageError) {
      items.push({ kind: 'empty', key: `empty-${severity}`, severity });
      continue;
    }
    for (const study of studies) {
      items.push({ kind: 'study', key: study.studyId, severity, study });
    }
    lastStudyIndex.set(severity, items.length - 1);
    if (query.hasNextPage || query.isFetchNextPageError) items.push({ kind: 'more', key: `more-${severity}`, severity });
  }
  const offsets: number[] = [];
  let offset = 0;
  for (const item of items) {
    offsets.push(offset);
    offset += heights[item.kind];
  }
  return { items, offsets, lastStudyIndex };
}

export interface WorklistGridProps {
  table: WorklistTable;
  /** The component of each column whose cells are not plain text. */
  cellComponents: CellComponents;
  groups: WorklistGroup[];
  onToggleGroup: (severity: Severity) => void;
  onOpenStudy: (studyId: string) => void;
  onFocusSearch: () => void;
  /** Changes whenever the filters change: the list starts again from the top. */
  resetKey: string;
  compact?: boolean;
  ref?: Ref<WorklistGridHandle>;
  /** Studies that arrived live: marked new, and counted in their group's header until seen. */
  arrivals?: Arrivals;
  /** These arrivals have been on screen. */
  onSeen?: (studyIds: string[]) => void;
  /** Rows can be selected for a bulk change (coordinators): a checkbox each, `x`, and an Assign button. */
  selection?: StudySelection | undefined;
}

export interface WorklistGridHandle {
  /** Scrolls so the group's header sits at the top of the list. */
  scrollToGroup: (severity: Severity) => void;
}

/**
 * What a group header and the queue summary say about a group's size: the exact count where the
 * queue's counts cover this view, else what is loaded and whether more exist (a complete list is
 * its own exact count).
 */
export function describeGroupCount({ query, studies }: StudyGroupState, exact?: ExactCount): string {
  if (exact) return `${exact.capped ? '≥ ' : ''}${countFormatter.format(exact.count)}`;
  if (query.isPending) return 'Loading…';
  if (query.isError && studies.length === 0) return 'Not loaded';
  if (query.hasNextPage) return `${countFormatter.format(studies.length)} loaded · more`;
  return countFormatter.format(studies.length);
}

/**
 * All severity groups in one virtualized scroller: only the rows near the viewport are in the DOM,
 * however many pages are loaded. Group headers stick under the column header while their rows scroll.
 */
export function WorklistGrid({
  table,
  cellComponents,
  groups,
  onToggleGroup,
  onOpenStudy,
  onFocusSearch,
  resetKey,
  compact = false,
  ref,
  arrivals = NO_ARRIVALS,
  onSeen,
  selection,
}: WorklistGridProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const gridRef = useRef<HTMLDivElement>(null);
  const heights = compact ? COMPACT_ITEM_HEIGHT : ITEM_HEIGHT;
  const { items, offsets, lastStudyIndex } = useMemo(() => buildItems(groups, heights), [groups, heights]);
  const [focusedKey, setFocusedKey] = useState<string | null>(null);
  const focusedIndex = focusedKey === null ? -1 : items.findIndex((item) => item.key === focusedKey);

  const groupHeaderIndexes = useMemo(
    () => items.flatMap((item, index) => (item.kind === 'group' ? [index] : [])),
    [items],
  );
  const activeHeaderRef = useRef(0);

  const rangeExtractor = useCallback(
    (range: Range) => {
      // The header of the group at the top stays rendered (it sticks), and so does the focused row,
      // so keyboard focus is not lost when it scrolls out of view.
      const active = groupHeaderIndexes.findLast((index) => index <= range.startIndex) ?? 0;
      activeHeaderRef.current = active;
      const indexes = new Set(defaultRangeExtractor(range));
      indexes.add(active);
      if (focusedIndex >= 0) indexes.add(focusedIndex);
      return [...indexes].sort((a, b) => a - b);
    },
    [groupHeaderIndexes, focusedIndex],
  );

  // The same function until the items change: the virtualizer lays out every item again (10,000
  // objects) whenever getItemKey is a new function, which an inline one is on every scroll frame.
  const getItemKey = useCallback((index: number) => items[index]?.key ?? index, [items]);
  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (index) => heights[items[index]?.kind ?? 'study'],
    getItemKey,
    overscan: OVERSCAN,
    // Until the list is measured (after the first commit), assume it fills the window: the first
    // render then already holds the rows on screen, instead of none and a second render.
    initialRect: INITIAL_RECT,
    rangeExtractor,
    scrollMargin: COLUMN_HEADER_HEIGHT,
    // Keeps a row scrolled to by keyboard clear of the two sticky headers above it.
    scrollPaddingStart: COLUMN_HEADER_HEIGHT + heights.group,
  });
  const virtualItems = virtualizer.getVirtualItems();
  const rowSlots = useRowSlots();
  const slotOf = rowSlots(virtualItems.flatMap((virtualItem) => (items[virtualItem.index]?.kind === 'study' ? [items[virtualItem.index]?.key ?? ''] : [])));

  // Sizes are fixed per kind of item: tell the virtualizer again when the items change.
  useLayoutEffect(() => {
    virtualizer.measure();
  }, [items, virtualizer]);

  // Scroll anchoring: when rows appear or leave above the viewport (a new STAT study, a refreshed
  // first page), the row at the top stays where it was instead of the list jumping under the reader.
  const anchorRef = useRef<{ key: string; delta: number } | null>(null);
  const rememberAnchor = useCallback(() => {
    const element = scrollRef.current;
    if (!element || element.scrollTop <= 0) {
      anchorRef.current = null;
      return;
    }
    const top = element.scrollTop;
    const firstVisible = virtualizer.getVirtualItems().find((item) => item.end > top + COLUMN_HEADER_HEIGHT);
    const key = firstVisible ? items[firstVisible.index]?.key : undefined;
    anchorRef.current = firstVisible && key ? { key, delta: firstVisible.start - top } : null;
  }, [items, virtualizer]);

  useLayoutEffect(() => {
    const element = scrollRef.current;
    const anchor = anchorRef.current;
    if (!element || !anchor) return;
    const index = items.findIndex((item) => item.key === anchor.key);
    const offset = offsets[index];
    if (index < 0 || offset === undefined) return;
    const wanted = COLUMN_HEADER_HEIGHT + offset - anchor.delta;
    if (Math.abs(wanted - element.scrollTop) > 1) element.scrollTop = wanted;
  }, [items, offsets]);

  useImperativeHandle(
    ref,
    () => ({
      scrollToGroup: (severity: Severity) => {
        const index = items.findIndex((item) => item.kind === 'group' && item.severity === severity);
        const offset = offsets[index];
        if (offset !== undefined) scrollRef.current?.scrollTo({ top: offset });
      },
    }),
    [items, offsets],
  );

  // New filters: a new list, read from its top.
  useLayoutEffect(() => {
    anchorRef.current = null;
    setFocusedKey(null);
    if (scrollRef.current) scrollRef.current.scrollTop = 0;
  }, [resetKey]);

  // Arrivals that are on screen now (not merely rendered in the overscan) have been seen.
  const visibleStart = virtualizer.range?.startIndex ?? -1;
  const visibleEnd = virtualizer.range?.endIndex ?? -1;
  useEffect(() => {
    if (!onSeen || arrivals.size === 0 || visibleStart < 0) return;
    const seen: string[] = [];
    for (let index = visibleStart; index <= visibleEnd; index += 1) {
      const item = items[index];
      if (item?.kind === 'study' && arrivals.get(item.key)?.seen === false) seen.push(item.key);
    }
    if (seen.length > 0) onSeen(seen);
  }, [arrivals, items, visibleStart, visibleEnd, onSeen]);

  // "3 new": scroll to the first of them, loading the group's next pages until it is there.
  const [showNew, setShowNew] = useState<{ severity: Severity; studyIds: ReadonlySet<string> } | null>(null);
  const requestShowNew = useCallback(
    (severity: Severity) => {
      const unseen = unseenIn(arrivals, severity);
      if (unseen.length === 0) return;
      if (groups.find((candidate) => candidate.severity === severity)?.collapsed) onToggleGroup(severity);
      setShowNew({ severity, studyIds: new Set(unseen.map((arrival) => arrival.studyId)) });
    },
    [arrivals, groups, onToggleGroup],
  );
  useEffect(() => {
    if (!showNew) return;
    const index = items.findIndex((item) => item.kind === 'study' && showNew.studyIds.has(item.key));
    if (index >= 0) {
      setShowNew(null);
      virtualizer.scrollToIndex(index, { align: 'center' });
      const key = items[index]?.key;
      if (key) setFocusedKey(key);
      return;
    }
    const query = groups.find((candidate) => candidate.severity === showNew.severity)?.group.query;
    if (!query || !query.hasNextPage || query.isFetchNextPageError) {
      setShowNew(null);
      return;
    }
    if (!query.isFetching) void query.fetchNextPage({ cancelRefetch: false });
  }, [showNew, items, groups, virtualizer]);

  // Next page of a group when its end nears the viewport, and only when nothing is in flight for it.
  const lastVisibleIndex = virtualItems.at(-1)?.index ?? 0;
  useEffect(() => {
    for (const { severity, group, collapsed } of groups) {
      if (collapsed) continue;
      const last = lastStudyIndex.get(severity);
      const { query } = group;
      if (last === undefined || !query.hasNextPage || query.isFetching || query.isFetchNextPageError) continue;
      if (lastVisibleIndex >= last - PREFETCH_ROWS) void query.fetchNextPage({ cancelRefetch: false });
    }
  }, [groups, lastStudyIndex, lastVisibleIndex]);

  // Moving the visible focus: the row gets DOM focus too, so screen readers follow it.
  const studyIndexes = useMemo(() => items.flatMap((item, index) => (item.kind === 'study' ? [index] : [])), [items]);
  const moveFocus = useCallback(
    (step: 1 | -1) => {
      let next: number | undefined;
      if (focusedIndex < 0) {
        const firstShown = virtualizer.range?.startIndex ?? 0;
        next = studyIndexes.find((index) => index >= firstShown) ?? studyIndexes[0];
      } else if (step === 1) {
        next = studyIndexes.find((index) => index > focusedIndex);
      } else {
        next = studyIndexes.findLast((index) => index < focusedIndex);
      }
      const item = next === undefined ? undefined : items[next];
      if (next === undefined || !item) return;
      setFocusedKey(item.key);
      virtualizer.scrollToIndex(next, { align: 'auto' });
    },
    [focusedIndex, items, studyIndexes, virtualizer],
  );

  useEffect(() => {
    if (focusedKey === null) return;
    const row = gridRef.current?.querySelector<HTMLElement>(`[data-row-key="${CSS.escape(focusedKey)}"]`);
    // Only while focus is on a row or nowhere: a column header being resized, or a control
    // elsewhere, keeps it.
    const active = document.activeElement;
    const onRowOrNowhere = active === null || active === document.body || (active instanceof HTMLElement && active.dataset.studyRow !== undefined);
    if (row && active !== row && onRowOrNowhere) row.focus({ preventScroll: true });
  }, [focusedKey, virtualItems]);

  // The list's keys, through the page's shortcut registry (which leaves fields, selects and
  // modifier keys alone). They move through the list only from the list itself or from nowhere in
  // particular, never from a control elsewhere (the drawer, a menu): returning false passes the key on.
  const fromList = (event: KeyboardEvent) => {
    const target = event.target;
    return target === null || target === document.body || (target instanceof Node && (gridRef.current?.contains(target) ?? false));
  };
  useShortcut({ keys: ['/'], label: 'Search', group: 'Worklist', run: onFocusSearch });
  useShortcut({ keys: ['ArrowDown', 'j'], label: 'Next row', group: 'Worklist', run: (event) => (fromList(event) ? moveFocus(1) : false) });
  useShortcut({ keys: ['ArrowUp', 'k'], label: 'Previous row', group: 'Worklist', run: (event) => (fromList(event) ? moveFocus(-1) : false) });
  useShortcut({
    keys: ['Enter'],
    label: 'Open the study',
    group: 'Worklist',
    run: (event) => {
      const fromRow = event.target instanceof HTMLElement && event.target.dataset.rowKey !== undefined;
      const item = focusedIndex >= 0 ? items[focusedIndex] : undefined;
      if (!fromList(event) || (!fromRow && event.target !== document.body) || item?.kind !== 'study') return false;
      onOpenStudy(item.study.studyId);
    },
  });
  useShortcut({
    keys: ['Escape'],
    label: 'Leave the list',
    group: 'Worklist',
    run: (event) => {
      if (!fromList(event) || focusedKey === null) return false;
      setFocusedKey(null);
      if (event.target instanceof HTMLElement && event.target !== document.body) event.target.blur();
      // Not the key's end: the drawer closes on the same Esc.
      return false;
    },
  });

  const selectedIds = useSyncExternalStore(
    selection?.subscribe ?? noSubscription,
    () => selection?.get().ids ?? NO_SELECTION,
  );
  const studyIdsOf = useCallback((severity?: Severity) => items.flatMap((item) => (item.kind === 'study' && (severity ?? item.severity) === item.severity ? [item.key] : [])), [items]);
  const selectStudy = useCallback(
    (studyId: string, range: boolean) => selection?.request({ kind: 'toggle', studyId, range: range ? studyIdsOf() : undefined }),
    [selection, studyIdsOf],
  );
  const assignInline = useCallback((studyId: string, anchor: DOMRect) => selection?.request({ kind: 'assign', studyId, anchor }), [selection]);
  const selectGroup = useCallback(
    (severity: Severity, selected: boolean) => selection?.request({ kind: 'group', studyIds: studyIdsOf(severity), selected }),
    [selection, studyIdsOf],
  );
  useShortcut({
    keys: ['x'],
    label: 'Select the row',
    group: 'Worklist',
    enabled: selection !== undefined,
    run: (event) => {
      const item = focusedIndex >= 0 ? items[focusedIndex] : undefined;
      if (!fromList(event) || item?.kind !== 'study') return false;
      selectStudy(item.key, false);
    },
  });

  const headers = table.getFlatHeaders().filter((header) => header.column.getIsVisible());
  const visibleColumnIds = headers.map((header) => header.column.id).join(',');
  const columnSizes: CSSProperties = {};
  for (const header of headers) {
    Object.assign(columnSizes, { [`--col-${header.column.id}`]: `${header.getSize()}px` });
  }
  const totalWidth = headers.reduce((sum, header) => sum + header.getSize(), selection ? SELECT_COLUMN_WIDTH : 0);
  // What the column header shows: it renders again only when this changes, not on every scroll.
  const headerLayoutKey = headers.map((header) => `${header.column.id}:${header.getSize()}:${header.column.getIsResizing() ? 1 : 0}`).join(',');
  const activeHeader = activeHeaderRef.current;
  const firstStudyKey = items[studyIndexes[0] ?? -1]?.key;
  const tabbableKey = focusedKey ?? firstStudyKey;
  const openStudy = useCallback(
    (studyId: string) => {
      setFocusedKey(studyId);
      onOpenStudy(studyId);
    },
    [onOpenStudy],
  );

  // Cells mark the viewer's own studies ("mine"): the page's context, with who is looking.
  const pageContext = useWorklistCellContext();
  const viewerUserId = useMe().data?.userId ?? null;
  const cellContext = useMemo(() => ({ ...pageContext, viewerUserId }), [pageContext, viewerUserId]);

  return (
    <WorklistCellContext value={cellContext}>
      <div
        ref={scrollRef}
        onScroll={rememberAnchor}
        className="relative min-h-0 flex-1 overflow-auto rounded-md border border-border bg-panel"
      >
        <div
          ref={gridRef}
          role="grid"
          aria-label="Worklist"
          aria-rowcount={items.length + 1}
          aria-colcount={headers.length + (selection ? 1 : 0)}
          className={`text-sm ${compact ? 'text-[0.8rem]' : ''}`}
          style={{ ...columnSizes, '--row-height': `${heights.study}px`, width: totalWidth, minWidth: '100%' } as CSSProperties}
        >
          <ColumnHeaderRow table={table} layoutKey={headerLayoutKey} selectable={selection !== undefined} />
          <div role="rowgroup" className="relative" style={{ height: virtualizer.getTotalSize() - COLUMN_HEADER_HEIGHT }}>
            {inDocumentOrder(virtualItems, virtualizer.isScrolling, (index) => {
              const item = items[index];
              return item?.kind === 'study' ? slotOf.get(item.key) : undefined;
            }).map((virtualItem) => {
              const item = items[virtualItem.index];
              if (!item) return null;
              const sticky = item.kind === 'group' && virtualItem.index === activeHeader;
              // A row that stays on screen while the list scrolls keeps the same style object (and so
              // the same props): its memoized component does not render again.
              const style = sticky ? stickyStyle(heights.group) : rowStyle(virtualItem.start - COLUMN_HEADER_HEIGHT, heights[item.kind]);
              return renderItem(item, virtualItem.index, style);
            })}
          </div>
        </div>
      </div>
    </WorklistCellContext>
  );

  function renderItem(item: WorklistItem, index: number, style: CSSProperties) {
    const ariaRowIndex = index + 2;
    const group = groups.find((candidate) => candidate.severity === item.severity);
    if (!group) return null;
    switch (item.kind) {
      case 'group':
        return (
          <GroupHeaderRow
            key={item.key}
            group={group}
            style={style}
            ariaRowIndex={ariaRowIndex}
            onToggle={onToggleGroup}
            newCount={unseenIn(arrivals, item.severity).length}
            onShowNew={requestShowNew}
            groupSelection={selection ? groupSelectionOf(studyIdsOf(item.severity), selectedIds) : undefined}
            onSelectGroup={selectGroup}
          />
        );
      case 'study': {
        return (
          <StudyRow
            key={`slot:${slotOf.get(item.key) ?? item.key}`}
            study={item.study}
            cellComponents={cellComponents}
            rowKey={item.key}
            style={style}
            ariaRowIndex={ariaRowIndex}
            focused={item.key === focusedKey}
            tabbable={item.key === tabbableKey}
            isNew={isMarkedNew(arrivals.get(item.key), Date.now())}
            visibleColumnIds={visibleColumnIds}
            onOpen={openStudy}
            onFocusRow={setFocusedKey}
            selected={selection ? selectedIds.has(item.key) : undefined}
            onSelect={selectStudy}
            onInlineAssign={selection ? assignInline : undefined}
          />
        );
      }
      case 'skeleton':
        return <SkeletonRow key={item.key} style={style} ariaRowIndex={ariaRowIndex} headers={visibleColumnIds} />;
      default:
        return <GroupStateRow key={item.key} kind={item.kind} group={group} style={style} ariaRowIndex={ariaRowIndex} colCount={headers.length} />;
    }
  }
}

/** Slots for the study rows rendered now (lib/row-slots.ts says why rows are keyed by slot). */
function useRowSlots(): (keys: readonly string[]) => ReadonlyMap<string, number> {
  const slots = useRef<ReadonlyMap<string, number>>(new Map());
  return useCallback((keys: readonly string[]) => {
    slots.current = assignRowSlots(slots.current, keys);
    return slots.current;
  }, []);
}

const rowStyles = new Map<string, CSSProperties>();

/**
 * Each row is placed with `top` in the row group, one style object per position and height, so rows
 * that stay on screen keep unchanged props. A positioned row is a paint layer of its own: scrolling
 * paints the rows that came in and reuses what was painted for the others. (Measured against the
 * alternatives: transforms made every row a compositing candidate, re-layerized on every frame; rows
 * in normal flow after a spacer were all repainted on every frame.)
 */
function rowStyle(top: number, height: number): CSSProperties {
  const key = `${top}:${height}`;
  let style = rowStyles.get(key);
  if (!style) {
    // Bounded: a long scroll visits many positions, and only those on screen are needed again.
    if (rowStyles.size > 2_000) rowStyles.clear();
    style = { position: 'absolute', top, left: 0, height };
    rowStyles.set(key, style);
  }
  return style;
}

const stickyCache = new Map<number, CSSProperties>();

/** The group header at the top sticks under the column header. */
function stickyStyle(height: number): CSSProperties {
  let style = stickyCache.get(height);
  if (!style) {
    style = { position: 'sticky', top: COLUMN_HEADER_HEIGHT, height, zIndex: 10 };
    stickyCache.set(height, style);
  }
  return style;
}

/** Arrow-key steps for a column's width on its focused header, in pixels; Shift for the bigger one. */
export const RESIZE_STEP = 16;
export const RESIZE_STEP_LARGE = 64;

/** The width a header's arrow key asks for, within the column's limits; null for any other key. */
export function resizedWidth(key: string, shift: boolean, size: number, min: number, max: number): number | null {
  if (key !== 'ArrowLeft' && key !== 'ArrowRight') return null;
  const step = (shift ? RESIZE_STEP_LARGE : RESIZE_STEP) * (key === 'ArrowLeft' ? -1 : 1);
  return Math.max(min, Math.min(max, size + step));
}

/**
 * The column header: names and resize handles, in the order and widths of the visible columns. The
 * handles are for the mouse; from the keyboard, ← and → on a focused header change its width (Shift
 * for bigger steps), and the new width is announced.
 */
const ColumnHeaderRow = memo(function ColumnHeaderRow({
  table,
  selectable,
}: {
  table: WorklistTable;
  /** Only here to render again when columns are shown, hidden, moved or resized. */
  layoutKey: string;
  selectable: boolean;
}) {
  const headers = table.getFlatHeaders().filter((header) => header.column.getIsVisible());
  const [announcement, setAnnouncement] = useState('');
  return (
    <div role="rowgroup" className="sticky top-0 z-20 border-b border-border bg-panel-raised">
      <div role="row" aria-rowindex={1} className="flex" style={{ height: COLUMN_HEADER_HEIGHT, paddingLeft: selectable ? SELECT_COLUMN_WIDTH : 0 }}>
        {headers.map((header, index) => {
          const label = String(header.column.columnDef.header ?? header.column.id);
          const limits = columnWidthLimits(header.column.columnDef);
          return (
            <div
              key={header.id}
              role="columnheader"
              tabIndex={0}
              aria-keyshortcuts="ArrowLeft ArrowRight Shift+ArrowLeft Shift+ArrowRight"
              onKeyDown={(event) => {
                const width = resizedWidth(event.key, event.shiftKey, header.getSize(), limits.min, limits.max);
                if (width === null || event.altKey || event.ctrlKey || event.metaKey) return;
                event.preventDefault();
                table.setColumnSizing((old) => ({ ...old, [header.column.id]: width }));
                setAnnouncement(`${label} column ${width} pixels wide`);
              }}
              className="relative flex shrink-0 items-center px-2 text-xs font-semibold tracking-wide text-fg-muted uppercase select-none outline-none first:pl-3 focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-accent"
              style={cellStyle(header.column.id)}
            >
              <span className="truncate">
                <table.FlexRender header={header} />
              </span>
              {index === 0 ? (
                // The new width, announced; inside a header, as a grid's row group may hold only rows.
                <span role="status" className="sr-only">
                  {announcement}
                </span>
              ) : null}
              <ColumnResizer
                onResizeStart={header.getResizeHandler()}
                onReset={() => header.column.resetSize()}
                resizing={header.column.getIsResizing()}
              />
            </div>
          );
        })}
      </div>
    </div>
  );
});

/** The mouse's handle on a column's edge: drag to resize, double-click for the default width. */
function ColumnResizer({ resizing, onResizeStart, onReset }: { resizing: boolean; onResizeStart: (event: unknown) => void; onReset: () => void }) {
  return (
    <div
      aria-hidden="true"
      data-resize-handle=""
      onMouseDown={onResizeStart}
      onTouchStart={onResizeStart}
      onDoubleClick={onReset}
      className={`absolute top-1 right-0 bottom-1 w-1.5 cursor-col-resize touch-none rounded hover:bg-accent ${resizing ? 'bg-accent' : 'bg-border/70'}`}
    />
  );
}

interface RowBaseProps {
  style: CSSProperties;
  ariaRowIndex: number;
}

const GroupHeaderRow = memo(function GroupHeaderRow({
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
    <div role="row" aria-rowindex={ariaRowIndex} data-group={severity} className="flex w-full border-y border-border bg-panel-raised" style={style}>
      <div role="gridcell" className="flex min-w-0 flex-1 items-center gap-3 px-3">
        {groupSelection && groupSelection.loaded > 0 ? (
          <input
            type="checkbox"
            checked={groupSelection.selected === groupSelection.loaded}
            onChange={(event) => onSelectGroup(severity, event.target.checked)}
            aria-label={`Select all ${countFormatter.format(groupSelection.loaded)} loaded ${label} studies`}
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
        {exact?.overdue ? <span className="text-xs text-fg-muted">{countFormatter.format(exact.overdue)} overdue</span> : null}
        {newCount > 0 ? (
          <button
            type="button"
            onClick={() => onShowNew(severity)}
            aria-label={`Show ${countFormatter.format(newCount)} new ${label} ${newCount === 1 ? 'study' : 'studies'}`}
            className="inline-flex items-center gap-1 rounded-full bg-accent px-2 py-0.5 text-xs font-semibold text-accent-fg hover:opacity-90"
          >
            <span aria-hidden="true">↓</span>
            {countFormatter.format(newCount)} new
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

const cellStyles = new Map<string, CSSProperties>();

/**
 * A cell's width is its column's CSS variable, set once on the grid. A text cell is a block centred
 * by its line height (the row's height); other cells centre their content with flex.
 */
function cellStyle(columnId: string, text = false): CSSProperties {
  const key = `${text ? 'text' : 'flex'}:${columnId}`;
  let style = cellStyles.get(key);
  if (!style) {
    style = text ? { width: `var(--col-${columnId})`, lineHeight: 'var(--row-height)' } : { width: `var(--col-${columnId})` };
    // On a screen wider than the columns, the description takes the free width (header and rows alike).
    if (columnId === 'description') style = { ...style, flexGrow: 1 };
    cellStyles.set(key, style);
  }
  return style;
}

const StudyRow = memo(function StudyRow({
  study,
  cellComponents,
  rowKey,
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
      className={`flex w-full cursor-pointer items-center border-b border-border/60 outline-none focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-accent ${
        focused ? 'bg-focus-row outline-2 -outline-offset-2 outline-accent' : 'hover:bg-panel-raised/70'
      } ${study.isCancelled ? 'text-fg-muted' : ''} ${isNew ? 'shadow-[inset_3px_0_0_var(--color-accent)]' : ''} ${selected ? 'bg-focus-row/60' : ''}`}
      style={style}
    >
      {selected === undefined ? null : (
        <div role="gridcell" className="flex h-full shrink-0 items-center justify-center" style={{ width: SELECT_COLUMN_WIDTH }}>
          <input
            type="checkbox"
            checked={selected}
            tabIndex={controlTab}
            aria-label={`Select ${study.studyDescription}`}
            onClick={(event) => {
              // Selecting is not opening: the row's own click opens the drawer.
              event.stopPropagation();
              onSelect(study.studyId, event.shiftKey);
            }}
            readOnly
            className="size-4 accent-accent"
          />
        </div>
      )}
      {visibleColumnIds.split(',').map((columnId) => {
        const plain = PLAIN_CELLS[columnId]?.(study, context);
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
              {plain.pill ? <span className={`${plain.pill} align-middle leading-normal`}>{plain.text}</span> : plain.text}
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
          <div key={columnId} role="gridcell" className="flex h-full min-w-0 shrink-0 items-center overflow-hidden px-2 first:pl-3" style={cellStyle(columnId)}>
            {newMark}
            {Cell ? <Cell study={study} /> : null}
          </div>
        );
      })}
    </div>
  );
});

/** How many of a group's loaded rows there are, and how many of them are selected. */
function groupSelectionOf(loaded: readonly string[], selected: ReadonlySet<string>): { loaded: number; selected: number } {
  return { loaded: loaded.length, selected: loaded.filter((id) => selected.has(id)).length };
}

function NewMark() {
  return <span className="mr-1.5 rounded bg-accent px-1 py-px align-middle text-[0.65rem] leading-none font-bold tracking-wide text-accent-fg uppercase">New</span>;
}

function SkeletonRow({ style, ariaRowIndex, headers }: RowBaseProps & { headers: string }) {
  return (
    <div role="row" aria-rowindex={ariaRowIndex} aria-busy="true" className="flex w-full items-center border-b border-border/60" style={style}>
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

function GroupStateRow({
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
      <div role="alert" className="flex w-full max-w-3xl items-center gap-4 rounded-md border border-danger-border bg-danger-bg px-3 py-2">
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
          <button type="button" onClick={() => void query.fetchNextPage()} className="rounded border border-border px-2 py-0.5 text-xs font-medium text-fg">
            Load more
          </button>
        )}
      </p>
    );
  }
  return (
    <div role="row" aria-rowindex={ariaRowIndex} className="flex w-full items-center border-b border-border/60" style={style}>
      <div role="gridcell" aria-colspan={colCount} className="sticky left-0 flex items-center px-3">
        {content}
      </div>
    </div>
  );
}
