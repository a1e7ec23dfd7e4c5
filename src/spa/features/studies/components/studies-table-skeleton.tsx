import { StudyTableHead } from './studies-table.tsx';

const SKELETON_ROWS = 8;
const CELL_WIDTHS = ['w-14', 'w-56', 'w-20', 'w-32', 'w-24', 'w-64'];

/** Placeholder rows in the table's own shape, so nothing jumps when the studies arrive. */
export function StudiesTableSkeleton() {
  return (
    <div role="status" aria-live="polite" className="overflow-x-auto rounded-lg border border-border bg-panel">
      <span className="sr-only">Loading studies…</span>
      <table aria-hidden="true" className="w-full border-collapse text-sm">
        <StudyTableHead />
        <tbody>
          {Array.from({ length: SKELETON_ROWS }, (_, row) => (
            <tr key={row} className="border-t border-border">
              {CELL_WIDTHS.map((width, cell) => (
                <td key={cell} className="px-3 py-3 first:pl-4 last:pr-4">
                  <div className={`h-3.5 max-w-full animate-pulse rounded bg-panel-raised ${width}`} />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
