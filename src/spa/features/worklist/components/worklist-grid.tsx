import { defaultRangeExtractor } from '@tanstack/react-virtual';
import type { Range, VirtualItem } from '@tanstack/react-virtual';
import {
  useCallback,
  useEffect,
  useImperativeHandle,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  useSyncExternalStore,
} from 'react';
import type { CSSProperties, ReactNode, Ref, RefObject } from 'react';
import type { Severity } from '../../../../contract/avara-types.ts';
import { useMe } from '../../../lib/auth/get-me.ts';
import type { StudySelection } from '../../../lib/studies/study-selection.ts';
import { isMarkedNew, NO_ARRIVALS, unseenIn } from '../lib/arrivals.ts';
import type { Arrivals } from '../lib/arrivals.ts';
import {
  buildItems,
  COLUMN_HEADER_HEIGHT,
  COMPACT_ITEM_HEIGHT,
  groupSelectionsOf,
  indexesOf,
  ITEM_HEIGHT,
} from '../lib/grid-items.ts';
import type { WorklistItem } from '../lib/grid-items.ts';
import { rowStyle, SELECT_COLUMN_WIDTH, stickyStyle } from '../lib/grid-styles.ts';
import { assignRowSlots, inDocumentOrder } from '../lib/row-slots.ts';
import { useFocusRenderedRow, useGridKeyboard } from './use-grid-keyboard.ts';
import { useListVirtualizer, useVirtualRange } from './use-list-virtualizer.ts';
import type { ListVirtualizer, ListVirtualizerHandle } from './use-list-virtualizer.ts';
import { useScrollAnchor } from './use-scroll-anchor.ts';
import type { WorklistTable } from './use-worklist-table.ts';
import { ColumnHeaderRow } from './worklist-column-header.tsx';
import type { CellComponents } from './worklist-columns.tsx';
import { WorklistCellContext, useWorklistCellContext } from './worklist-context.ts';
import type { WorklistGroup } from './worklist-group.ts';
import { GroupHeaderRow, GroupStateRow, SkeletonRow, StudyRow } from './worklist-rows.tsx';

/**
 * The worklist's one scroller. Around it, in files beside this one: item building (lib/grid-items.ts),
 * the keys (use-grid-keyboard.ts, lib/grid-keyboard.ts), scroll anchoring (use-scroll-anchor.ts,
 * lib/scroll-anchor.ts), the rows (worklist-rows.tsx), the column header (worklist-column-header.tsx)
 * and the shared style objects (lib/grid-styles.ts). What stays here must: the virtualizer, the
 * focused row and the row slots are one state that every render of a scroll frame reads together.
 * A scroll frame renders VirtualRows alone (use-list-virtualizer.ts), not the grid around it.
 */

/** Fetch a group's next page when its last loaded row is this close to the viewport. */
const PREFETCH_ROWS = 40;
const OVERSCAN = 4;

const NO_SELECTION: ReadonlySet<string> = new Set();
const NO_GROUP_SELECTION = { loaded: 0, selected: 0 };
const noSubscription = () => () => undefined;

/**
 * The scroller's size before it is measured. In the browser, the window's; on the server (the first
 * screen rendered into the page, src/spa/server/first-screen.tsx), a tall desktop window's, so the
 * page holds the rows of a first screen on most displays (about 30), and no more.
 */
const INITIAL_RECT =
  typeof window === 'undefined'
    ? { width: 1920, height: 1080 }
    : { width: window.innerWidth, height: window.innerHeight };

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
  const { items, offsets, lastStudyIndex, studyIds } = useMemo(() => buildItems(groups, heights), [groups, heights]);
  // What the rows' and headers' handlers read when they run: kept in a ref, so the handlers stay the
  // same functions when the items change (a live update), and the memoized rows do not all render again.
  const latestStudyIds = useRef(studyIds);
  useLayoutEffect(() => {
    latestStudyIds.current = studyIds;
  }, [studyIds]);
  const [focusedKey, setFocusedKey] = useState<string | null>(null);
  const focusedIndex = focusedKey === null ? -1 : items.findIndex((item) => item.key === focusedKey);

  const groupHeaderIndexes = useMemo(() => indexesOf(items, 'group'), [items]);
  const activeHeaderRef = useRef(0);
  const spanRef = useRef({ height: 0, span: 0 });
  const virtualizerRef = useRef<ListVirtualizer | null>(null);

  const rangeExtractor = useCallback(
    (range: Range) => {
      // The header of the group at the top stays rendered (it sticks), and so does the focused row,
      // so keyboard focus is not lost when it scrolls out of view.
      const active = groupHeaderIndexes.findLast((index) => index <= range.startIndex) ?? 0;
      activeHeaderRef.current = active;
      // As many rows on every frame: the viewport holds one row more or fewer with where its edges
      // fall, and a row slot that came and went every other frame was a row's elements removed and
      // built again (lib/row-slots.ts). The widest range seen for this viewport height is kept.
      // The viewport as measured, not the first guess.
      const height = virtualizerRef.current?.scrollRect?.height ?? 0;
      const widest = spanRef.current.height === height ? spanRef.current.span : 0;
      spanRef.current = { height, span: Math.max(widest, range.endIndex - range.startIndex) };
      const endIndex = Math.min(range.count - 1, Math.max(range.endIndex, range.startIndex + spanRef.current.span));
      const indexes = new Set(defaultRangeExtractor({ ...range, endIndex }));
      indexes.add(active);
      if (focusedIndex >= 0) indexes.add(focusedIndex);
      return [...indexes].sort((a, b) => a - b);
    },
    [groupHeaderIndexes, focusedIndex],
  );

  // The same function until the items change: the virtualizer lays out every item again (10,000
  // objects) whenever getItemKey is a new function, which an inline one is on every scroll frame.
  const getItemKey = useCallback((index: number) => items[index]?.key ?? index, [items]);
  const list = useListVirtualizer({
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
  const { virtualizer } = list;
  virtualizerRef.current = virtualizer;

  // Sizes are fixed per kind of item, and the virtualizer measures the items again whenever they
  // change (getItemKey is a new function then): no measure() of its own, which was one more render
  // of the grid after every live update.

  // Rows appearing or leaving above the viewport do not move the row at its top.
  const { remember: rememberAnchor, forget: forgetAnchor } = useScrollAnchor(scrollRef, virtualizer, items, offsets);

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
    forgetAnchor();
    setFocusedKey(null);
    if (scrollRef.current) scrollRef.current.scrollTop = 0;
  }, [resetKey, forgetAnchor]);

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

  const readSelectedIds = () => selection?.get().ids ?? NO_SELECTION;
  const selectedIds = useSyncExternalStore(selection?.subscribe ?? noSubscription, readSelectedIds, readSelectedIds);
  const selectStudy = useCallback(
    (studyId: string, range: boolean) =>
      selection?.request({
        kind: 'toggle',
        studyId,
        range: range ? [...latestStudyIds.current.values()].flat() : undefined,
      }),
    [selection],
  );
  const assignInline = useCallback(
    (studyId: string, anchor: DOMRect) => selection?.request({ kind: 'assign', studyId, anchor }),
    [selection],
  );
  const selectGroup = useCallback(
    (severity: Severity, selected: boolean) =>
      selection?.request({ kind: 'group', studyIds: latestStudyIds.current.get(severity) ?? [], selected }),
    [selection],
  );
  // Once per change of the rows or the selection, not per frame: it reads every loaded study.
  const groupSelections = useMemo(
    () => (selection ? groupSelectionsOf(studyIds, selectedIds) : undefined),
    [selection, studyIds, selectedIds],
  );
  const selectRow = useCallback((studyId: string) => selectStudy(studyId, false), [selectStudy]);
  useGridKeyboard({
    gridRef,
    virtualizer,
    items,
    focusedKey,
    focusedIndex,
    setFocusedKey,
    onOpenStudy,
    onFocusSearch,
    onSelectRow: selection ? selectRow : undefined,
  });

  const headers = table.getFlatHeaders().filter((header) => header.column.getIsVisible());
  const visibleColumnIds = headers.map((header) => header.column.id).join(',');
  const columnSizes: CSSProperties = {};
  for (const header of headers) {
    Object.assign(columnSizes, { [`--col-${header.column.id}`]: `${header.getSize()}px` });
  }
  const totalWidth = headers.reduce((sum, header) => sum + header.getSize(), selection ? SELECT_COLUMN_WIDTH : 0);
  // What the column header shows: it renders again only when this changes, not on every scroll.
  const headerLayoutKey = headers
    .map((header) => `${header.column.id}:${header.getSize()}:${header.column.getIsResizing() ? 1 : 0}`)
    .join(',');
  const firstStudyKey = items.find((item) => item.kind === 'study')?.key;
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
          style={
            {
              ...columnSizes,
              '--row-height': `${heights.study}px`,
              width: totalWidth,
              minWidth: '100%',
            } as CSSProperties
          }
        >
          <ColumnHeaderRow table={table} layoutKey={headerLayoutKey} selectable={selection !== undefined} />
          <VirtualRows
            list={list}
            items={items}
            heights={heights}
            activeHeaderRef={activeHeaderRef}
            renderItem={renderItem}
            gridRef={gridRef}
            focusedKey={focusedKey}
            arrivals={arrivals}
            onSeen={onSeen}
            groups={groups}
            lastStudyIndex={lastStudyIndex}
          />
        </div>
      </div>
    </WorklistCellContext>
  );

  function renderItem(item: WorklistItem, index: number, style: CSSProperties, slot: number | undefined) {
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
            groupSelection={groupSelections?.get(item.severity) ?? (groupSelections ? NO_GROUP_SELECTION : undefined)}
            onSelectGroup={selectGroup}
          />
        );
      case 'study': {
        return (
          <StudyRow
            key={`slot:${slot ?? item.key}`}
            study={item.study}
            cellComponents={cellComponents}
            rowKey={item.key}
            slot={slot ?? -1}
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
        return (
          <GroupStateRow
            key={item.key}
            kind={item.kind}
            group={group}
            style={style}
            ariaRowIndex={ariaRowIndex}
            colCount={headers.length}
          />
        );
    }
  }
}

interface VirtualRowsProps {
  list: ListVirtualizerHandle;
  items: readonly WorklistItem[];
  heights: Record<WorklistItem['kind'], number>;
  /** The sticky group header's index, as the range extractor last found it. */
  activeHeaderRef: RefObject<number>;
  renderItem: (item: WorklistItem, index: number, style: CSSProperties, slot: number | undefined) => ReactNode;
  gridRef: RefObject<HTMLDivElement | null>;
  focusedKey: string | null;
  arrivals: Arrivals;
  onSeen: ((studyIds: string[]) => void) | undefined;
  groups: WorklistGroup[];
  lastStudyIndex: ReadonlyMap<Severity, number>;
}

/**
 * The rendered rows, and what follows the range: the one component that renders on a scroll frame.
 * The grid renders it again with its own changes (items, focus, selection, columns); scrolling
 * renders it alone, and in it only the rows that came into view or changed study.
 */
function VirtualRows({
  list,
  items,
  heights,
  activeHeaderRef,
  renderItem,
  gridRef,
  focusedKey,
  arrivals,
  onSeen,
  groups,
  lastStudyIndex,
}: VirtualRowsProps) {
  useVirtualRange(list);
  const { virtualizer } = list;
  const virtualItems = virtualizer.getVirtualItems();
  const rowSlots = useRowSlots();
  const slotOf = rowSlots(
    virtualItems.flatMap((virtualItem) =>
      items[virtualItem.index]?.kind === 'study' ? [items[virtualItem.index]?.key ?? ''] : [],
    ),
  );
  useFocusRenderedRow(gridRef, focusedKey, virtualItems);

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

  const activeHeader = activeHeaderRef.current;
  const slotAt = (index: number) => {
    const item = items[index];
    return item?.kind === 'study' ? slotOf.get(item.key) : undefined;
  };
  const atRest = useAtRest(virtualizer.isScrolling);
  const documentOrder = useDocumentOrder();
  // The React key each item is rendered with (renderItem): a study row's is its slot's.
  const keyOf = (virtualItem: VirtualItem) => {
    const item = items[virtualItem.index];
    if (!item) return `index:${virtualItem.index}`;
    return item.kind === 'study' ? `slot:${slotOf.get(item.key) ?? item.key}` : item.key;
  };
  return (
    <div role="rowgroup" className="relative" style={{ height: virtualizer.getTotalSize() - COLUMN_HEADER_HEIGHT }}>
      {documentOrder(virtualItems, keyOf, atRest).map((virtualItem) => {
        const item = items[virtualItem.index];
        if (!item) return null;
        const sticky = item.kind === 'group' && virtualItem.index === activeHeader;
        // A row that stays on screen while the list scrolls keeps the same style object (and so
        // the same props): its memoized component does not render again.
        const style = sticky
          ? stickyStyle(heights.group)
          : rowStyle(virtualItem.start - COLUMN_HEADER_HEIGHT, heights[item.kind]);
        return renderItem(item, virtualItem.index, style, slotAt(virtualItem.index));
      })}
    </div>
  );
}

/**
 * How long the list stays still before its rows are put back in the list's order. Longer than the
 * virtualizer's "scrolling" state (150 ms after the last scroll event): a stall of the page ends
 * that state while the list is still being scrolled, and scrolling goes on right after it.
 */
const SETTLE_MS = 600;

/** Whether the list has not scrolled for SETTLE_MS: false from the first render that scrolls. */
function useAtRest(scrolling: boolean): boolean {
  const [settled, setSettled] = useState(true);
  useEffect(() => {
    if (scrolling) return;
    const timer = setTimeout(() => setSettled(true), SETTLE_MS);
    return () => {
      clearTimeout(timer);
      setSettled(false);
    };
  }, [scrolling]);
  return settled && !scrolling;
}

/** The rendered items in document order (lib/row-slots.ts), with the order of the last render kept. */
function useDocumentOrder(): <T>(rendered: readonly T[], keyOf: (item: T) => string, atRest: boolean) => readonly T[] {
  const keys = useRef<readonly string[]>([]);
  return useCallback(<T,>(rendered: readonly T[], keyOf: (item: T) => string, atRest: boolean) => {
    const ordered = inDocumentOrder(rendered, keyOf, keys.current, atRest);
    keys.current = ordered.map(keyOf);
    return ordered;
  }, []);
}

/** Slots for the study rows rendered now (lib/row-slots.ts says why rows are keyed by slot). */
function useRowSlots(): (keys: readonly string[]) => ReadonlyMap<string, number> {
  const slots = useRef<ReadonlyMap<string, number>>(new Map());
  return useCallback((keys: readonly string[]) => {
    slots.current = assignRowSlots(slots.current, keys);
    return slots.current;
  }, []);
}
