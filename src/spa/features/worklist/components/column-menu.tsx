import { useEffect, useId, useRef, useState } from 'react';
import type { WorklistTable } from './use-worklist-table.ts';

/** Show, hide and reorder columns (widths are dragged in the header). Remembered in this browser. */
export function ColumnMenu({ table, order, onReset }: { table: WorklistTable; order: string[]; onReset: () => void }) {
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const rootRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    const onPointerDown = (event: PointerEvent) => {
      if (event.target instanceof Node && !rootRef.current?.contains(event.target)) setOpen(false);
    };
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key === 'Escape') setOpen(false);
    };
    document.addEventListener('pointerdown', onPointerDown);
    document.addEventListener('keydown', onKeyDown);
    return () => {
      document.removeEventListener('pointerdown', onPointerDown);
      document.removeEventListener('keydown', onKeyDown);
    };
  }, [open]);

  const move = (columnId: string, step: -1 | 1) => {
    const index = order.indexOf(columnId);
    const target = index + step;
    if (index < 0 || target < 0 || target >= order.length) return;
    const next = [...order];
    next.splice(index, 1);
    next.splice(target, 0, columnId);
    table.setColumnOrder(next);
  };

  return (
    <div ref={rootRef} className="relative">
      <button
        type="button"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen((value) => !value)}
        className="h-8 rounded border border-border px-3 text-sm font-medium hover:border-accent"
      >
        Columns
      </button>
      {open ? (
        <div
          id={panelId}
          role="group"
          aria-label="Columns"
          className="absolute right-0 z-30 mt-1 w-72 rounded-md border border-border bg-panel p-2 shadow-xl"
        >
          <ul className="flex flex-col">
            {order.map((columnId, index) => {
              const column = table.getColumn(columnId);
              if (!column) return null;
              const header = column.columnDef.header;
              const label = typeof header === 'string' ? header : columnId;
              return (
                <li key={columnId} className="flex items-center gap-2 rounded px-1 py-0.5 hover:bg-panel-raised">
                  <label className="flex flex-1 items-center gap-2 text-sm">
                    <input
                      type="checkbox"
                      checked={column.getIsVisible()}
                      disabled={!column.getCanHide()}
                      onChange={(event) => column.toggleVisibility(event.target.checked)}
                      className="size-4 accent-accent"
                    />
                    {label}
                  </label>
                  <button
                    type="button"
                    aria-label={`Move ${label} left`}
                    disabled={index === 0}
                    onClick={() => move(columnId, -1)}
                    className="rounded border border-border px-1.5 text-xs disabled:opacity-40"
                  >
                    ↑
                  </button>
                  <button
                    type="button"
                    aria-label={`Move ${label} right`}
                    disabled={index === order.length - 1}
                    onClick={() => move(columnId, 1)}
                    className="rounded border border-border px-1.5 text-xs disabled:opacity-40"
                  >
                    ↓
                  </button>
                </li>
              );
            })}
          </ul>
          <button type="button" onClick={onReset} className="mt-2 w-full rounded border border-border px-2 py-1 text-sm hover:border-accent">
            Reset columns
          </button>
        </div>
      ) : null}
    </div>
  );
}
