import type { Severity } from '../../../../contract/avara-types.ts';

const SEVERITY_STYLE: Record<Severity, { label: string; className: string }> = {
  stat: { label: 'STAT', className: 'border-stat-border bg-stat-bg text-stat-fg' },
  high: { label: 'High', className: 'border-high-border bg-high-bg text-high-fg' },
  normal: { label: 'Normal', className: 'border-normal-border bg-transparent text-normal-fg' },
};

/** Severity as a word first and a colour second, so it reads the same for colour-blind users. */
export function SeverityBadge({ severity }: { severity: Severity }) {
  const { label, className } = SEVERITY_STYLE[severity];
  return (
    <span
      className={`inline-flex min-w-16 items-center justify-center rounded border px-2 py-0.5 text-xs font-semibold tracking-wide ${className}`}
    >
      {label}
    </span>
  );
}
