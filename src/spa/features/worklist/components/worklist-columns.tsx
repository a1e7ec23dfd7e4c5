import {
  columnOrderingFeature,
  columnResizingFeature,
  columnSizingFeature,
  columnVisibilityFeature,
  createColumnHelper,
  tableFeatures,
} from '@tanstack/react-table';
import type { ComponentType, ReactNode } from 'react';
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
 * The columns' names, widths and whether they can be hidden. The table holds no rows: what a cell
 * shows comes from PLAIN_CELLS or the cell components below, by column ID.
 */
export const worklistColumns = helper.columns([
  helper.display({ id: 'severity', header: 'Severity', size: 84, minSize: COLUMN_MIN_WIDTH }),
  helper.display({ id: 'description', header: 'Description', size: 250, minSize: 120, enableHiding: false }),
  helper.display({ id: 'assignee', header: 'Assignee', size: 170, minSize: 100 }),
  helper.display({ id: 'viewerStatus', header: 'Viewer status', size: 118, minSize: COLUMN_MIN_WIDTH }),
  helper.display({ id: 'waiting', header: 'Waiting', size: 100, minSize: COLUMN_MIN_WIDTH }),
  helper.display({ id: 'created', header: 'Created', size: 100, minSize: COLUMN_MIN_WIDTH }),
  helper.display({ id: 'updated', header: 'Updated', size: 100, minSize: COLUMN_MIN_WIDTH }),
  helper.display({ id: 'customer', header: 'Customer / org', size: 170, minSize: 100 }),
  helper.display({ id: 'studyInstanceUid', header: 'Study Instance UID', size: 170, minSize: 120 }),
  helper.display({ id: 'metadata', header: 'Metadata', size: 170, minSize: 100 }),
]);

/**
 * Columns whose cells are only text: the grid writes the text straight into the cell element (see
 * PlainCell). The other columns render their cell component.
 */
export const PLAIN_CELLS: Readonly<Record<string, PlainCellRenderer>> = {
  severity: severityText,
  waiting: waitingText,
  assignee: assigneeText,
  viewerStatus: viewerStatusText,
  created: (study, { now }) => timeText(study.createdAt, now),
  updated: (study, { now }) => timeText(study.updatedAt, now),
  customer: customerText,
  metadata: metadataText,
};

/** The cell component of each column that is not plain text, by column ID. */
export type CellComponents = Readonly<Record<string, ComponentType<{ study: Study }>>>;

const BUILT_IN_CELLS: CellComponents = { description: DescriptionCell, studyInstanceUid: UidCell };

/** The built-in cell components and the app's extra columns' ones. */
export function cellComponentsWith(extra: readonly WorklistExtraColumn[]): CellComponents {
  return { ...BUILT_IN_CELLS, ...Object.fromEntries(extra.map((column) => [column.id, column.Cell])) };
}

export const COLUMN_IDS: readonly string[] = worklistColumns.map((column) => column.id ?? '');

/**
 * Every column shows except "Updated", which matters less than "Waiting" and "Created" on a 1440 px
 * screen, and the Study Instance UID and metadata, which are for looking up (the drawer shows both):
 * the description gets the room instead.
 */
export const DEFAULT_COLUMN_LAYOUT: ColumnLayout = {
  visibility: { updated: false, studyInstanceUid: false, metadata: false },
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
  Cell: (props: { study: Study }) => ReactNode;
}

/** The built-in columns plus the app's, in one list for the table. */
export function withExtraColumns(extra: readonly WorklistExtraColumn[]) {
  return helper.columns([...worklistColumns, ...extra.map(({ id, header, size, minSize }) => helper.display({ id, header, size, minSize }))]);
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
