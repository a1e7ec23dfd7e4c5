import { lazy, Suspense, useId, useRef, useState } from 'react';
import { useDismiss } from './use-dismiss.ts';
import type { WorklistTable } from './use-worklist-table.ts';

// The panel's code loads when the menu is first opened: the worklist's own bundle stays small.
const ColumnMenuPanel = lazy(async () => ({ default: (await import('./column-menu-panel.tsx')).ColumnMenuPanel }));

/** Show, hide and reorder columns (widths are dragged in the header). Remembered in this browser. */
export function ColumnMenu({ table, order, onReset }: { table: WorklistTable; order: string[]; onReset: () => void }) {
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const rootRef = useRef<HTMLDivElement>(null);

  useDismiss(open, rootRef, setOpen);

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
        <Suspense
          fallback={
            <div
              id={panelId}
              role="status"
              className="absolute right-0 z-30 mt-1 rounded-md border border-border bg-panel p-2 text-sm shadow-xl"
            >
              Loading…
            </div>
          }
        >
          <ColumnMenuPanel id={panelId} table={table} order={order} onReset={onReset} />
        </Suspense>
      ) : null}
    </div>
  );
}
