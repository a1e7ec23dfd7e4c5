import { useState } from 'react';
import type { MouseEvent } from 'react';
import type { Study } from '../../../../contract/avara-types.ts';
import { formatDateTime, formatPersonName, formatRelativeTime } from '../../../lib/format.ts';
import { formatDuration, waitingSince } from '../lib/sla.ts';
import { useWorklistCellContext } from './worklist-context.ts';

/**
 * A plain click belongs to the row, which opens the study beside the list; a click meant for a new
 * tab or window (modifier keys, middle button) is left to the browser and kept from the row.
 */
function leaveClickToRow(event: MouseEvent<HTMLAnchorElement>) {
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
    event.stopPropagation();
    return;
  }
  event.preventDefault();
}

export function DescriptionCell({ study }: { study: Study }) {
  const { search } = useWorklistCellContext();
  // A plain link rather than the router's: hundreds of rows mount while scrolling, and the row
  // itself does the in-app navigation. The href is the study's address with the list's filters.
  const link = (
    <a
      href={`/studies/${encodeURIComponent(study.studyId)}${search}`}
      // The row opens the study on click; the link is for screen readers and "open in new tab".
      tabIndex={-1}
      onClick={leaveClickToRow}
      className={`min-w-0 truncate font-medium text-fg hover:underline ${study.isCancelled ? 'line-through decoration-fg-muted/70' : ''}`}
      title={study.studyDescription}
    >
      {study.studyDescription}
    </a>
  );
  if (!study.isCancelled) return link;
  return (
    <span className="flex min-w-0 items-center gap-2">
      {link}
      <span className="shrink-0 rounded border border-border px-1 text-[0.7rem] font-normal text-fg-muted">Cancelled</span>
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
  return (
    <>
      <span className="min-w-0 truncate font-mono text-xs text-fg-muted" title={study.studyInstanceUid}>
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
          void navigator.clipboard?.writeText(study.studyInstanceUid).then(() => {
            setCopied(true);
            // No effect to clean up: a row scrolled away by then simply ignores the update.
            window.setTimeout(() => setCopied(false), 1500);
          });
        }}
        className="ml-1 inline-flex shrink-0 items-center rounded border border-transparent p-0.5 text-xs text-fg-muted hover:border-border hover:text-fg"
      >
        {copied ? (
          <span aria-hidden="true">✓</span>
        ) : (
          <svg aria-hidden="true" viewBox="0 0 16 16" className="size-3.5" fill="none" stroke="currentColor" strokeWidth="1.5">
            <path d="M7 5.5h5A1.5 1.5 0 0 1 13.5 7v5a1.5 1.5 0 0 1-1.5 1.5H7A1.5 1.5 0 0 1 5.5 12V7A1.5 1.5 0 0 1 7 5.5ZM10.5 5.5V3.5a1 1 0 0 0-1-1h-6a1 1 0 0 0-1 1v6a1 1 0 0 0 1 1h2" />
          </svg>
        )}
      </button>
    </>
  );
}

export function MetadataCell({ study }: { study: Study }) {
  const entries = Object.entries(study.metadata ?? {});
  if (entries.length === 0) return <span className="text-fg-muted">—</span>;
  const shown = entries.slice(0, 2);
  const all = entries.map(([key, value]) => `${key}: ${String(value)}`).join('\n');
  return (
    <>
      {shown.map(([key, value]) => (
        <span key={key} title={all} className="mr-1 min-w-0 truncate rounded-full border border-border bg-panel-raised px-1.5 text-[0.7rem]">
          {key}: {String(value)}
        </span>
      ))}
      {entries.length > shown.length ? (
        <span title={all} className="shrink-0 text-[0.7rem] text-fg-muted">
          +{entries.length - shown.length}
        </span>
      ) : null}
    </>
  );
}
