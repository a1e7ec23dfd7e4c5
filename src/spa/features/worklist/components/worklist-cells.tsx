import { useState } from 'react';
import type { MouseEvent } from 'react';
import type { Study } from '../../../../contract/avara-types.ts';
import { formatDateTime, formatPersonName, formatRelativeTime } from '../../../lib/format.ts';
import { SEVERITIES } from '../../../../contract/avara-types.ts';
import type { Severity } from '../../../../contract/avara-types.ts';
import { SEVERITY_BADGE_CLASS, SEVERITY_LABEL, SEVERITY_STYLE } from '../../../components/severity-badge.tsx';
import { formatDuration, waitingSince } from '../lib/sla.ts';
import { useWorklistCellContext } from './worklist-context.ts';
import type { WorklistCellContext } from './worklist-context.ts';

/**
 * A cell that is only text: the grid renders it as the cell element's own text, with no component
 * and no inner elements. Thousands of rows are created while scrolling, and every element in a row
 * costs time in each frame (to create, style, lay out and paint).
 */
export interface PlainCell {
  text: string;
  className?: string;
  /** Classes of a pill around the text (the one inner element such a cell has). */
  pill?: string;
  /** Tooltip: the full value, when the text may be cut. */
  title?: string;
  /** What a screen reader says instead of the text (which may start with a decorative glyph). */
  label?: string;
}

export type PlainCellRenderer = (study: Study, context: WorklistCellContext) => PlainCell;

const DASH: PlainCell = { text: '—', className: 'text-fg-muted' };

/** Severity as in SeverityBadge (a word and a shape on a pill), the shape hidden from screen readers. */
const SEVERITY_CELLS = Object.fromEntries(
  SEVERITIES.map((severity) => {
    const { icon, className } = SEVERITY_STYLE[severity];
    return [
      severity,
      {
        text: `${icon}\u202f${SEVERITY_LABEL[severity]}`,
        pill: `${SEVERITY_BADGE_CLASS} ${className}`,
        label: SEVERITY_LABEL[severity],
      },
    ];
  }),
) as Record<Severity, PlainCell>;

/** A read or cancelled study's severity keeps its word and shape, without the colour that asks for attention. */
export function severityText(study: Study): PlainCell {
  const cell = SEVERITY_CELLS[study.severity];
  return study.studyViewerStatus === 'complete' || study.isCancelled
    ? { ...cell, pill: `${SEVERITY_BADGE_CLASS} border-border text-fg-muted` }
    : cell;
}

/** The assignee's name; the viewer's own studies say so in words ("mine", first, so a narrow column keeps it), not by colour alone. */
export function assigneeText(study: Study, context?: Pick<WorklistCellContext, 'viewerUserId'>): PlainCell {
  const name = formatPersonName(study.assignedTo);
  if (!name) return { text: 'Unassigned', className: 'text-fg-muted italic' };
  const title = study.assignedTo?.email ?? name;
  const mine = context?.viewerUserId != null && study.assignedTo?.userId === context.viewerUserId;
  return mine
    ? { text: `mine · ${name}`, title, label: `${name} (mine)`, className: 'font-medium' }
    : { text: name, title };
}

const READ: PlainCell = { text: '✓ Read', className: 'text-success-fg', label: 'Read' };
const UNREAD: PlainCell = { text: '○ Unread', className: 'text-fg-muted', label: 'Unread' };

export function viewerStatusText(study: Study): PlainCell {
  return study.studyViewerStatus === 'complete' ? READ : UNREAD;
}

export function timeText(value: string | null | undefined, now: Date): PlainCell {
  if (!value) return DASH;
  return { text: formatRelativeTime(value, now), title: formatDateTime(value) };
}

export function customerText(study: Study): PlainCell {
  const parts = [study.expressCustomer?.expressCustomerName, study.org?.orgName].filter((part): part is string =>
    Boolean(part),
  );
  if (parts.length === 0) return DASH;
  const text = parts.join(' · ');
  return { text, title: text };
}

/** The first two entries and how many more, on one line; every entry in the tooltip. */
export function metadataText(study: Study): PlainCell {
  const entries = Object.entries(study.metadata ?? {}).map(([key, value]) => `${key}: ${String(value)}`);
  if (entries.length === 0) return DASH;
  const more = entries.length > 2 ? ` · +${entries.length - 2}` : '';
  return {
    text: entries.slice(0, 2).join(' · ') + more,
    className: 'text-xs text-fg-muted',
    title: entries.join('\n'),
  };
}

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
      <span className="shrink-0 rounded border border-border px-1 text-[0.7rem] font-normal text-fg-muted">
        Cancelled
      </span>
    </span>
  );
}

const SLA_STYLE = {
  ok: { icon: '', className: 'text-fg' },
  'due-soon': { icon: '◔ ', className: 'rounded bg-warning-bg px-1 text-warning-fg' },
  overdue: { icon: '⚠ ', className: 'rounded bg-overdue-bg px-1 font-semibold text-overdue-fg' },
} as const;

/** Time waiting since creation, coloured against the severity's target, with a word for the state too. */
export function waitingText(study: Study, { now, slaTargets }: WorklistCellContext): PlainCell {
  // The clock stops when a study is read (its last change, Avara keeps no read time) or cancelled.
  if (study.isCancelled) return DASH;
  if (study.studyViewerStatus === 'complete') {
    const minutes =
      study.updatedAt && study.createdAt
        ? (Date.parse(study.updatedAt) - Date.parse(study.createdAt)) / 60_000
        : Number.NaN;
    if (!Number.isFinite(minutes)) return DASH;
    const duration = formatDuration(minutes);
    return {
      text: `✓ ${duration}`,
      className: 'text-fg-muted',
      title: `Read ${duration} after it arrived`,
      label: `Read in ${duration}`,
    };
  }
  const waiting = waitingSince(study.createdAt, study.severity, now, slaTargets);
  if (!waiting) return DASH;
  const { icon, className } = SLA_STYLE[waiting.state];
  const duration = formatDuration(waiting.minutes);
  const target = formatDuration(waiting.targetMinutes);
  const stateText =
    waiting.state === 'overdue'
      ? `over the ${target} target`
      : waiting.state === 'due-soon'
        ? `nearing the ${target} target`
        : `within the ${target} target`;
  return {
    text: `${icon}${duration}`,
    pill: `whitespace-nowrap tabular-nums ${className}`,
    title: `Waiting ${duration}, ${stateText}`,
    label: waiting.state === 'ok' ? duration : `${duration}, ${stateText}`,
  };
}

export function UidCell({ study }: { study: Study }) {
  // The UID copied, not a flag: a row element shows another study once scrolled (rows are reused).
  const [copiedUid, setCopiedUid] = useState<string | null>(null);
  const copied = copiedUid === study.studyInstanceUid;
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
          const uid = study.studyInstanceUid;
          void navigator.clipboard?.writeText(uid).then(() => {
            setCopiedUid(uid);
            // No effect to clean up: a row scrolled away by then simply ignores the update.
            window.setTimeout(() => setCopiedUid((current) => (current === uid ? null : current)), 1500);
          });
        }}
        className="ml-1 inline-flex shrink-0 items-center rounded border border-transparent p-0.5 text-xs text-fg-muted hover:border-border hover:text-fg"
      >
        {copied ? (
          <span aria-hidden="true">✓</span>
        ) : (
          <svg
            aria-hidden="true"
            viewBox="0 0 16 16"
            className="size-3.5"
            fill="none"
            stroke="currentColor"
            strokeWidth="1.5"
          >
            <path d="M7 5.5h5A1.5 1.5 0 0 1 13.5 7v5a1.5 1.5 0 0 1-1.5 1.5H7A1.5 1.5 0 0 1 5.5 12V7A1.5 1.5 0 0 1 7 5.5ZM10.5 5.5V3.5a1 1 0 0 0-1-1h-6a1 1 0 0 0-1 1v6a1 1 0 0 0 1 1h2" />
          </svg>
        )}
      </button>
    </>
  );
}
