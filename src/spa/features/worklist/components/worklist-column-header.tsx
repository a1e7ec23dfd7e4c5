import { memo, useState } from 'react';
import { COLUMN_HEADER_HEIGHT } from '../lib/grid-items.ts';
import { resizedWidth } from '../lib/grid-keyboard.ts';
import { cellStyle, SELECT_COLUMN_WIDTH } from '../lib/grid-styles.ts';
import type { WorklistTable } from './use-worklist-table.ts';
import { columnWidthLimits } from './worklist-columns.tsx';

/**
 * The column header: names and resize handles, in the order and widths of the visible columns. The
 * handles are for the mouse; from the keyboard, ← and → on a focused header change its width (Shift
 * for bigger steps), and the new width is announced.
 */
export const ColumnHeaderRow = memo(function ColumnHeaderRow({
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
      <div
        role="row"
        aria-rowindex={1}
        className="flex"
        style={{ height: COLUMN_HEADER_HEIGHT, paddingLeft: selectable ? SELECT_COLUMN_WIDTH : 0 }}
      >
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
function ColumnResizer({
  resizing,
  onResizeStart,
  onReset,
}: {
  resizing: boolean;
  onResizeStart: (event: unknown) => void;
  onReset: () => void;
}) {
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
