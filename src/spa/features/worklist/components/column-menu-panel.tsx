import type { WorklistTable } from './use-worklist-table.ts';

/** The Columns menu's panel: show, hide and reorder the columns. */
export function ColumnMenuPanel({
  id,
  table,
  order,
  onReset,
}: {
  id: string;
  table: WorklistTable;
  order: string[];
  onReset: () => void;
}) {
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
    <div
      id={id}
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
      <button
        type="button"
        onClick={onReset}
        className="mt-2 w-full rounded border border-border px-2 py-1 text-sm hover:border-accent"
      >
        Reset columns
      </button>
    </div>
  );
}
