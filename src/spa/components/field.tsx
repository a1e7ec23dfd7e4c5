import type { ReactNode } from 'react';

/**
 * One labelled value in a description list (`<dl>`): the drawer's study details and the PACS panel.
 * `dense` for a panel inside the drawer (a narrower label, less space between rows).
 */
export function Field({ label, dense = false, children }: { label: string; dense?: boolean; children: ReactNode }) {
  return (
    <div
      className={`grid gap-3 ${dense ? 'grid-cols-[7.5rem_minmax(0,1fr)] py-1.5' : 'grid-cols-[9rem_minmax(0,1fr)] py-2'}`}
    >
      <dt className="text-sm text-fg-muted">{label}</dt>
      <dd className="min-w-0 text-sm break-words">{children}</dd>
    </div>
  );
}

/** A value that is missing or not known, said in words ("None", "Not set"), set apart from real values. */
export function Muted({ children }: { children: ReactNode }) {
  return <span className="text-fg-muted italic">{children}</span>;
}
