import {
  columnOrderingFeature,
  columnResizingFeature,
  columnSizingFeature,
  columnVisibilityFeature,
  createColumnHelper,
  tableFeatures,
} from '@tanstack/react-table';
import type { ComponentType } from 'react';
import type { Study } from '../../../../contract/avara-types.ts';
import type { ColumnLayout } from '../lib/column-layout.ts';
import {
  assigneeText,
  customerText,
  DescriptionCell,
  metadataText,
  severityText,
  timeText,
  UidCell,
  viewerStatusText,
  waitingText,
} from './worklist-cells.tsx';
import type { PlainCellRenderer } from './worklist-cells.tsx';

/**
 * Column features only: the rows come from the server, already filtered and in order, and no sort
 * control pretends to order rows that are not loaded.
 */
export const worklistFeatures = tableFeatures({
  columnVisibilityFeature,
  columnOrderingFeature,
  columnSizingFeature,
  columnResizingFeature,
});

const helper = createColumnHelper<typeof worklistFeatures, Study>();

/** The cell component of a column whose cells are not plain text. */
export type CellComponent = ComponentType<{ study: Study }>;

/** The narrowest a column may be made (by mouse or keys) unless its definition says more, and the widest. */
export const COLUMN_MIN_WIDTH = 80;
export const COLUMN_MAX_WIDTH = 800;

/** The limits a column's resizing stops at, and announces: its own minimum, never under COLUMN_MIN_WIDTH. */
export function columnWidthLimits(column: { minSize?: number; maxSize?: number }): { min: number; max: number } {
  return {
    min: Math.max(column.minSize ?? COLUMN_MIN_WIDTH, COLUMN_MIN_WIDTH),
    max: Math.min(column.maxSize ?? COLUMN_MAX_WIDTH, COLUMN_MAX_WIDTH),
  };
}

/**
 * One built-in column, everything about it in one place: its header, widths, whether it can be
 * hidden or starts hidden, and its cell. A new column is one more entry in WORKLIST_COLUMNS.
 */
export interface WorklistColumn {
  id: string;
  header: string;
  size: number;
  minSize: number;
  /** False for the one column that cannot be hidden. */
  hideable?: false;
  /** Hidden until the user shows it (the column menu offers it). */
  hiddenByDefault?: true;
  /**
   * A cell that is only text (`text`), which the grid writes straight into the cell element (see
   * PlainCell), or one that renders a component.
   */
  cell: { text: PlainCellRenderer } | { Component: CellComponent };
}

/**
 * The built-in columns, in their default order. Every column shows except "Updated", which matters
 * less than "Waiting" and "Created" on a 1440 px screen, and the Study Instance UID and metadata,
 * which are for looking up (the drawer shows both): the description gets the room instead.
 */
export const WORKLIST_COLUMNS: readonly WorklistColumn[] = [
  { id: 'severity', header: 'Severity', size: 84, minSize: COLUMN_MIN_WIDTH, cell: { text: severityText } },
  {
    id: 'description',
    header: 'Description',
    size: 250,
    minSize: 120,
    hideable: false,
    cell: { Component: DescriptionCell },
  },
  { id: 'assignee', header: 'Assignee', size: 170, minSize: 100, cell: { text: assigneeText } },
  {
    id: 'viewerStatus',
    header: 'Viewer status',
    size: 118,
    minSize: COLUMN_MIN_WIDTH,
    cell: { text: viewerStatusText },
  },
  { id: 'waiting', header: 'Waiting', size: 100, minSize: COLUMN_MIN_WIDTH, cell: { text: waitingText } },
  {
    id: 'created',
    header: 'Created',
    size: 100,
    minSize: COLUMN_MIN_WIDTH,
    cell: { text: (study, { now }) => timeText(study.createdAt, now) },
  },
  {
    id: 'updated',
    header: 'Updated',
    size: 100,
    minSize: COLUMN_MIN_WIDTH,
    hiddenByDefault: true,
    cell: { text: (study, { now }) => timeText(study.updatedAt, now) },
  },
  { id: 'customer', header: 'Customer / org', size: 170, minSize: 100, cell: { text: customerText } },
  {
    id: 'studyInstanceUid',
    header: 'Study Instance UID',
    size: 170,
    minSize: 120,
    hiddenByDefault: true,
    cell: { Component: UidCell },
  },
  { id: 'metadata', header: 'Metadata', size: 170, minSize: 100, hiddenByDefault: true, cell: { text: metadataText } },
];

/**
 * The table's columns: names, widths and whether they can be hidden. The table holds no rows: what a
 * cell shows comes from PLAIN_CELLS or the cell components, by column ID.
 */
export const worklistColumns = helper.columns(
  WORKLIST_COLUMNS.map(({ id, header, size, minSize, hideable }) =>
    helper.display({ id, header, size, minSize, ...(hideable === false ? { enableHiding: false } : {}) }),
  ),
);

/** Columns whose cells are only text: the grid writes the text straight into the cell element. */
export const PLAIN_CELLS: Readonly<Record<string, PlainCellRenderer>> = Object.fromEntries(
  WORKLIST_COLUMNS.flatMap(({ id, cell }) => ('text' in cell ? [[id, cell.text]] : [])),
);

/** The cell component of each column that is not plain text, by column ID. */
export type CellComponents = Readonly<Record<string, CellComponent>>;

const BUILT_IN_CELLS: CellComponents = Object.fromEntries(
  WORKLIST_COLUMNS.flatMap(({ id, cell }) => ('Component' in cell ? [[id, cell.Component]] : [])),
);

/** The built-in cell components and the app's extra columns' ones. */
export function cellComponentsWith(extra: readonly WorklistExtraColumn[]): CellComponents {
  return { ...BUILT_IN_CELLS, ...Object.fromEntries(extra.map((column) => [column.id, column.Cell])) };
}

export const COLUMN_IDS: readonly string[] = WORKLIST_COLUMNS.map((column) => column.id);

export const DEFAULT_COLUMN_LAYOUT: ColumnLayout = {
  visibility: Object.fromEntries(
    WORKLIST_COLUMNS.flatMap(({ id, hiddenByDefault }) => (hiddenByDefault ? [[id, false]] : [])),
  ),
  order: [...COLUMN_IDS],
  sizing: {},
};

/** A column the app adds to the worklist (e.g. from the PACS): hideable, movable and resizable like the others. */
export interface WorklistExtraColumn {
  id: string;
  header: string;
  size: number;
  minSize: number;
  /** The column it follows by default. */
  after: string;
  Cell: CellComponent;
}

/** The built-in columns plus the app's, in one list for the table. */
export function withExtraColumns(extra: readonly WorklistExtraColumn[]) {
  return helper.columns([
    ...worklistColumns,
    ...extra.map(({ id, header, size, minSize }) => helper.display({ id, header, size, minSize })),
  ]);
}

/** The default layout with the extra columns placed after the columns they name. */
export function defaultLayoutWith(extra: readonly WorklistExtraColumn[]): ColumnLayout {
  const order = [...DEFAULT_COLUMN_LAYOUT.order];
  for (const column of extra) {
    const after = order.indexOf(column.after);
    order.splice(after < 0 ? order.length : after + 1, 0, column.id);
  }
  return { ...DEFAULT_COLUMN_LAYOUT, order };
}
