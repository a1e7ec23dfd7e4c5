import type { Severity, Study } from '../../../../contract/avara-types.ts';
import type { ExactCount } from './counts-for-view.ts';

/** What the grid reads of a severity group's query: enough to say what the group shows. */
export interface GroupQueryState {
  isPending: boolean;
  isError: boolean;
  hasNextPage: boolean;
  isFetchNextPageError: boolean;
}

/** What the grid reads of a severity group: its loaded studies and the state of its query. */
export interface GroupState {
  studies: readonly Study[];
  query: GroupQueryState;
}

/** One severity group as item building reads it (the grid's WorklistGroup is one). */
export interface GroupOfItems {
  severity: Severity;
  group: GroupState;
  collapsed: boolean;
}

/** Everything the one scroller shows, in order: group headers, rows, and each group's states. */
export type WorklistItem =
  | { kind: 'group'; key: string; severity: Severity }
  | { kind: 'study'; key: string; severity: Severity; study: Study }
  | { kind: 'skeleton'; key: string; severity: Severity }
  | { kind: 'empty'; key: string; severity: Severity }
  | { kind: 'error'; key: string; severity: Severity }
  | { kind: 'more'; key: string; severity: Severity };

export type ItemHeights = Readonly<Record<WorklistItem['kind'], number>>;

export const COLUMN_HEADER_HEIGHT = 34;
export const ITEM_HEIGHT: ItemHeights = { group: 40, study: 36, skeleton: 36, empty: 48, error: 84, more: 40 };
/** Embedded in the portal: the same list, denser. */
export const COMPACT_ITEM_HEIGHT: ItemHeights = { group: 34, study: 30, skeleton: 30, empty: 40, error: 76, more: 34 };
export const SKELETON_ROWS = 3;

export interface BuiltItems {
  items: WorklistItem[];
  /** Where each item starts, below the column header. */
  offsets: number[];
  /** Index of each group's last study row, for fetching its next page in time. */
  lastStudyIndex: Map<Severity, number>;
  /** Each open group's loaded study IDs in order (for its header's selection), listed once per build. */
  studyIds: Map<Severity, string[]>;
}

type StudyItem = Extract<WorklistItem, { kind: 'study' }>;

/** A group's study items and IDs, by its list of studies (a list that changed is a new array). */
const studyRows = new WeakMap<readonly Study[], { severity: Severity; items: StudyItem[]; ids: string[] }>();

/**
 * A group's study items, made once per list of studies: a live update to one group (a new array for
 * it) builds that group's items again and reuses the others' (10,000 objects after a long scroll).
 */
function studyRowsOf(studies: readonly Study[], severity: Severity): { items: StudyItem[]; ids: string[] } {
  const cached = studyRows.get(studies);
  if (cached?.severity === severity) return cached;
  const items: StudyItem[] = [];
  const ids: string[] = [];
  for (const study of studies) {
    items.push({ kind: 'study', key: study.studyId, severity, study });
    ids.push(study.studyId);
  }
  const built = { severity, items, ids };
  studyRows.set(studies, built);
  return built;
}

/** The scroller's items for these groups, with each item's offset (sizes are fixed per kind). */
export function buildItems(groups: readonly GroupOfItems[], heights: ItemHeights): BuiltItems {
  const items: WorklistItem[] = [];
  const lastStudyIndex = new Map<Severity, number>();
  const studyIds = new Map<Severity, string[]>();
  for (const { severity, group, collapsed } of groups) {
    items.push({ kind: 'group', key: `group-${severity}`, severity });
    if (collapsed) continue;
    const { query, studies } = group;
    if (query.isPending) {
      for (let index = 0; index < SKELETON_ROWS; index += 1)
        items.push({ kind: 'skeleton', key: `skeleton-${severity}-${index}`, severity });
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
    const rows = studyRowsOf(studies, severity);
    for (const item of rows.items) items.push(item);
    studyIds.set(severity, rows.ids);
    lastStudyIndex.set(severity, items.length - 1);
    if (query.hasNextPage || query.isFetchNextPageError)
      items.push({ kind: 'more', key: `more-${severity}`, severity });
  }
  const offsets: number[] = [];
  let offset = 0;
  for (const item of items) {
    offsets.push(offset);
    offset += heights[item.kind];
  }
  return { items, offsets, lastStudyIndex, studyIds };
}

/** The indexes of the items of one kind, in order. */
export function indexesOf(items: readonly WorklistItem[], kind: WorklistItem['kind']): number[] {
  // A loop, not flatMap: it runs over every loaded item (10,000 and more) on each live update.
  const indexes: number[] = [];
  items.forEach((item, index) => {
    if (item.kind === kind) indexes.push(index);
  });
  return indexes;
}

/** What a group header shows of the selection: its loaded rows, and how many of them are selected. */
export interface GroupSelection {
  loaded: number;
  selected: number;
}

/**
 * Each group's selection summary, from the study IDs of the build. Worked out when the rows or the
 * selection change, never on a scroll frame: it reads every loaded study (10,000 after a long scroll).
 */
export function groupSelectionsOf(
  studyIds: ReadonlyMap<Severity, readonly string[]>,
  selected: ReadonlySet<string>,
): Map<Severity, GroupSelection> {
  return new Map([...studyIds].map(([severity, ids]) => [severity, groupSelectionOf(ids, selected)]));
}

/** How many of a group's loaded rows there are, and how many of them are selected. */
export function groupSelectionOf(loaded: readonly string[], selected: ReadonlySet<string>): GroupSelection {
  if (selected.size === 0) return { loaded: loaded.length, selected: 0 };
  let count = 0;
  for (const id of loaded) if (selected.has(id)) count += 1;
  return { loaded: loaded.length, selected: count };
}

const countFormatter = new Intl.NumberFormat();

/** A count as the grid writes it (thousands separated). */
export function formatCount(count: number): string {
  return countFormatter.format(count);
}

/**
 * What a group header and the queue summary say about a group's size, always the studies in this
 * list: "283" is exactly that many (the queue's counts cover this view, or all of it is loaded),
 * "100+" at least that many (more load as you scroll, or the count stopped at its cap).
 */
export function describeGroupCount({ query, studies }: GroupState, exact?: ExactCount): string {
  if (exact) return `${formatCount(exact.count)}${exact.capped ? '+' : ''}`;
  if (query.isPending) return 'Loading…';
  if (query.isError && studies.length === 0) return 'Not loaded';
  if (query.hasNextPage) return `${formatCount(studies.length)}+`;
  return formatCount(studies.length);
}
