import type { Study } from '../../../../contract/avara-types.ts';
import { formatDateTime, formatPersonName, formatRelativeTime } from '../../../lib/format.ts';
import { SeverityBadge } from './severity-badge.tsx';
import { useNow } from './use-now.ts';

const VIEWER_STATUS_LABEL: Record<Study['studyViewerStatus'], string> = {
  incomplete: 'Incomplete',
  complete: 'Complete',
};

export const STUDY_COLUMNS = ['Severity', 'Description', 'Viewer status', 'Assignee', 'Created', 'Study Instance UID'];

export function StudyTableHead() {
  return (
    <thead className="bg-panel-raised text-left text-xs font-semibold tracking-wide text-fg-muted uppercase">
      <tr>
        {STUDY_COLUMNS.map((column) => (
          <th key={column} scope="col" className="px-3 py-2.5 whitespace-nowrap first:pl-4 last:pr-4">
            {column}
          </th>
        ))}
      </tr>
    </thead>
  );
}

function StudyRow({ study, now }: { study: Study; now: Date }) {
  const assignee = formatPersonName(study.assignedTo);
  return (
    <tr className={`border-t border-border hover:bg-panel-raised/60 ${study.isCancelled ? 'text-fg-muted' : ''}`}>
      <td className="py-2 pr-3 pl-4 align-middle">
        <SeverityBadge severity={study.severity} />
      </td>
      <td className="px-3 py-2 align-middle font-medium">
        <span className={study.isCancelled ? 'line-through decoration-fg-muted/70' : ''}>{study.studyDescription}</span>
        {study.isCancelled ? (
          <span className="ml-2 rounded border border-border px-1.5 py-px text-xs font-normal text-fg-muted no-underline">
            Cancelled
          </span>
        ) : null}
      </td>
      <td className="px-3 py-2 align-middle whitespace-nowrap">
        {study.studyViewerStatus === 'complete' ? (
          <span className="text-success-fg">
            <span aria-hidden="true">✓ </span>
            {VIEWER_STATUS_LABEL.complete}
          </span>
        ) : (
          VIEWER_STATUS_LABEL.incomplete
        )}
      </td>
      <td className="px-3 py-2 align-middle whitespace-nowrap">
        {assignee || <span className="text-fg-muted italic">Unassigned</span>}
      </td>
      <td className="px-3 py-2 align-middle whitespace-nowrap">
        {study.createdAt ? (
          <time dateTime={study.createdAt} title={formatDateTime(study.createdAt)}>
            {formatRelativeTime(study.createdAt, now)}
          </time>
        ) : (
          <span className="text-fg-muted">—</span>
        )}
      </td>
      <td className="py-2 pr-4 pl-3 align-middle font-mono text-xs break-all text-fg-muted">{study.studyInstanceUid}</td>
    </tr>
  );
}

/** A plain table of studies; the virtualized, grouped worklist replaces it later. */
export function StudiesTable({ studies, labelledBy }: { studies: Study[]; labelledBy: string }) {
  const now = useNow();
  return (
    <div className="overflow-x-auto rounded-lg border border-border bg-panel">
      <table aria-labelledby={labelledBy} className="w-full border-collapse text-sm">
        <StudyTableHead />
        <tbody>
          {studies.map((study) => (
            <StudyRow key={study.studyId} study={study} now={now} />
          ))}
        </tbody>
      </table>
    </div>
  );
}
