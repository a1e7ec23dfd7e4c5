import type { Severity } from '../../contract/avara-types.ts';
import { SEVERITY_LABEL } from '../lib/severity-label.ts';

// Also here, beside the badge that shows them, for the components that import both.
export { SEVERITY_LABEL };

export const SEVERITY_STYLE: Record<Severity, { icon: string; className: string }> = {
  stat: { icon: '◆', className: 'border-stat-border bg-stat-bg text-stat-fg' },
  high: { icon: '▲', className: 'border-high-border bg-high-bg text-high-fg' },
  normal: { icon: '○', className: 'border-normal-border bg-transparent text-normal-fg' },
};

/** The badge's box: a word and a shape on a tinted, bordered pill. */
export const SEVERITY_BADGE_CLASS =
  'inline-flex min-w-16 items-center gap-1 rounded border px-1.5 py-px text-xs font-semibold tracking-wide';

/**
 * Severity as a word and a shape first, a colour second, so it reads the same for colour-blind users
 * and on a monochrome reading-room monitor.
 */
export function SeverityBadge({ severity }: { severity: Severity }) {
  const { icon, className } = SEVERITY_STYLE[severity];
  return (
    <span className={`${SEVERITY_BADGE_CLASS} ${className}`}>
      <span aria-hidden="true" className="text-[0.65rem] leading-none">
        {icon}
      </span>
      {SEVERITY_LABEL[severity]}
    </span>
  );
}
