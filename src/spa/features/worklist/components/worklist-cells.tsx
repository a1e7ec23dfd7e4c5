import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import type { Study } from '../../../../contract/avara-types.ts';
import { formatDateTime, formatPersonName, formatRelativeTime } from '../../../lib/format.ts';
import { formatDuration, waitingSince } from '../lib/sla.ts';
import { useWorklistCellContext } from './worklist-context.ts';

export function DescriptionCell({ study }: { study: Study }) {
  const { search } = useWorklistCellContext();
  return (
    <span className="flex min-w-0 items-center gap-2">
      <Link
        to={{ pathname: `/studies/${study.studyId}`, search }}
        // The row opens the study on click; the link is for keyboard and screen-reader users.
        tabIndex={-1}
        className={`truncate font-medium text-fg hover:underline ${study.isCancelled ? 'line-through decoration-fg-muted/70' : ''}`}
        title={study.studyDescription}
      >
        {study.studyDescription}
      </Link>
      {study.isCancelled ? (
        <span className="shrink-0 rounded border border-border px-1 text-[0.7rem] font-normal text-fg-muted">Cancelled</span>
      ) : null}
    </span>
  );
}

export function AssigneeCell({ study }: { study: Study }) {
  const name = formatPersonName(study.assignedTo);
  return name ? (
    <span className="truncate" title={study.assignedTo?.email ?? name}>
      {name}
    </span>
  ) : (
    <span className="text-fg-muted italic">Unassigned</span>
  );
}

export function ViewerStatusCell({ study }: { study: Study }) {
  return study.studyViewerStatus === 'complete' ? (
    <span className="text-success-fg">
      <span aria-hidden="true">✓ </span>Read
    </span>
  ) : (
    <span className="text-fg-muted">
      <span aria-hidden="true">○ </span>Unread
    </span>
  );
}

const SLA_STYLE = {
  ok: { icon: '', className: 'text-fg' },
  'due-soon': { icon: '◔ ', className: 'rounded bg-warning-bg px-1 text-warning-fg' },
  overdue: { icon: '⚠ ', className: 'rounded bg-danger-bg px-1 font-semibold text-danger-fg' },
} as const;

/** Time waiting since creation, coloured against the severity's target, with a word for the state too. */
export function WaitingCell({ study }: { study: Study }) {
  const { now, slaTargets } = useWorklistCellContext();
  const waiting = waitingSince(study.createdAt, study.severity, now, slaTargets);
  if (!waiting) return <span className="text-fg-muted">—</span>;
  const { icon, className } = SLA_STYLE[waiting.state];
  const target = formatDuration(waiting.targetMinutes);
  const stateText = waiting.state === 'overdue' ? `over the ${target} target` : waiting.state === 'due-soon' ? `nearing the ${target} target` : `within the ${target} target`;
  return (
    <span className={`whitespace-nowrap tabular-nums ${className}`} title={`Waiting ${formatDuration(waiting.minutes)}, ${stateText}`}>
      <span aria-hidden="true">{icon}</span>
      {formatDuration(waiting.minutes)}
      {waiting.state === 'ok' ? null : <span className="sr-only">, {stateText}</span>}
    </span>
  );
}

export function TimeCell({ value }: { value: string | null | undefined }) {
  const { now } = useWorklistCellContext();
  if (!value) return <span className="text-fg-muted">—</span>;
  return (
    <time dateTime={value} title={formatDateTime(value)} className="whitespace-nowrap">
      {formatRelativeTime(value, now)}
    </time>
  );
}

export function CustomerCell({ study }: { study: Study }) {
  const parts = [study.expressCustomer?.expressCustomerName, study.org?.orgName].filter((part): part is string => Boolean(part));
  if (parts.length === 0) return <span className="text-fg-muted">—</span>;
  const text = parts.join(' · ');
  return (
    <span className="truncate" title={text}>
      {text}
    </span>
  );
}

export function UidCell({ study }: { study: Study }) {
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const timer = window.setTimeout(() => setCopied(false), 1500);
    return () => window.clearTimeout(timer);
  }, [copied]);
  return (
    <span className="flex min-w-0 items-center gap-1">
      <span className="truncate font-mono text-xs text-fg-muted" title={study.studyInstanceUid}>
        {study.studyInstanceUid}
      </span>
      <button
        type="button"
        tabIndex={-1}
        aria-label={copied ? 'Copied' : `Copy Study Instance UID ${study.studyInstanceUid}`}
        title="Copy Study Instance UID"
        onClick={(event) => {
          // Copying is not opening the study.
          event.stopPropagation();
          void navigator.clipboard?.writeText(study.studyInstanceUid).then(() => setCopied(true));
        }}
        className="inline-flex shrink-0 items-center rounded border border-transparent p-0.5 text-xs text-fg-muted hover:border-border hover:text-fg"
      >
        {copied ? (
          <span aria-hidden="true">✓</span>
        ) : (
          <svg aria-hidden="true" viewBox="0 0 16 16" className="size-3.5" fill="none" stroke="currentColor" strokeWidth="1.5">
            <rect x="5.5" y="5.5" width="8" height="8" rx="1.5" />
            <path d="M10.5 5.5V3.5a1 1 0 0 0-1-1h-6a1 1 0 0 0-1 1v6a1 1 0 0 0 1 1h2" />
          </svg>
        )}
      </button>
    </span>
  );
}

export function MetadataCell({ study }: { study: Study }) {
  const entries = Object.entries(study.metadata ?? {});
  if (entries.length === 0) return <span className="text-fg-muted">—</span>;
  const shown = entries.slice(0, 2);
  const all = entries.map(([key, value]) => `${key}: ${String(value)}`).join('\n');
  return (
    <span className="flex min-w-0 items-center gap-1 overflow-hidden" title={all}>
      {shown.map(([key, value]) => (
        <span key={key} className="min-w-0 truncate rounded-full border border-border bg-panel-raised px-1.5 text-[0.7rem]">
          {key}: {String(value)}
        </span>
      ))}
      {entries.length > shown.length ? <span className="shrink-0 text-[0.7rem] text-fg-muted">+{entries.length - shown.length}</span> : null}
    </span>
  );
}
