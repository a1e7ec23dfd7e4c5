import { actorOf, mayAcknowledgeCritical } from '../../../../contract/permissions.ts';
import type { Study } from '../../../../contract/avara-types.ts';
import { isOpenCritical, type StudyReport } from '../../../../contract/study-reports.ts';
import { useMe } from '../../../lib/auth/get-me.ts';
import { reportPdfPath, useAcknowledgeCritical, useStudyReports } from '../api/study-reports.ts';
import { BUTTON } from './button-styles.ts';
import { RelativeTime } from './relative-time.tsx';

/**
 * The drawer's reports: that the study was reported (when, the text, the PDF through the BFF while
 * Avara's link is valid), and a critical result's alert with Acknowledge for the study's assignee
 * and coordinators, until someone acknowledges it (then who and when).
 */
export function StudyReports({ study }: { study: Study }) {
  const reports = useStudyReports(study.studyId);
  if (reports.isPending) return null;
  if (reports.isError) {
    return (
      <p role="status" className="text-sm text-fg-muted">
        The study’s reports could not be loaded.{' '}
        <button type="button" className="underline" onClick={() => void reports.refetch()}>
          Try again
        </button>
      </p>
    );
  }
  if (reports.data.reports.length === 0) return null;
  return (
    <section aria-labelledby="study-reports-heading" className="flex flex-col gap-2">
      <h3 id="study-reports-heading" className="text-sm font-semibold">
        {reports.data.reports.length === 1 ? 'Report' : `Reports (${reports.data.reports.length})`}
      </h3>
      {reports.data.reports.map((report) => (
        <ReportEntry key={report.reportId} report={report} study={study} />
      ))}
    </section>
  );
}

function ReportEntry({ report, study }: { report: StudyReport; study: Study }) {
  const me = useMe().data;
  const acknowledge = useAcknowledgeCritical();
  const open = isOpenCritical(report);
  const mayAcknowledge = mayAcknowledgeCritical(actorOf(me), study).allowed;
  return (
    <article
      aria-label={
        open ? 'Critical result, not acknowledged' : report.isCritical ? 'Critical result, acknowledged' : 'Report'
      }
      className={`flex flex-col gap-2 rounded-md border px-3 py-2 text-sm ${open ? 'border-danger-border bg-danger-bg' : 'border-border bg-panel-raised'}`}
    >
      {open ? (
        <div role="alert" className="flex flex-wrap items-center gap-2 font-semibold text-danger-fg">
          <span aria-hidden="true">⚠</span>
          <span className="flex-1">Critical result: needs acknowledgement</span>
          {mayAcknowledge ? (
            <button
              type="button"
              className={BUTTON.danger}
              disabled={acknowledge.isPending}
              onClick={() => acknowledge.mutate(report)}
            >
              {acknowledge.isPending ? 'Acknowledging…' : 'Acknowledge'}
            </button>
          ) : (
            <span className="text-xs font-normal">The assignee or a coordinator acknowledges it.</span>
          )}
        </div>
      ) : null}
      {acknowledge.isError ? (
        <p role="alert" className="text-danger-fg">
          {acknowledge.error.message}
        </p>
      ) : null}
      <p className="text-fg-muted">
        Reported <RelativeTime value={report.deliveredAt} />
        {report.acknowledgement ? (
          <>
            {' · '}critical result acknowledged by {report.acknowledgement.by.name}{' '}
            <RelativeTime value={report.acknowledgement.at} />
          </>
        ) : null}
      </p>
      {report.plainText ? (
        <p className="max-h-48 overflow-y-auto whitespace-pre-wrap rounded bg-surface px-2 py-1.5 text-fg">
          {report.plainText}
        </p>
      ) : null}
      {report.pdf.available ? (
        <a
          href={reportPdfPath(report)}
          target="_blank"
          rel="noopener noreferrer"
          className="self-start font-medium text-accent underline underline-offset-2"
        >
          Open the report PDF<span className="sr-only"> (opens in a new tab)</span>
        </a>
      ) : (
        <p className="text-fg-muted">
          The PDF link Avara sent has expired (links last about an hour); the PDF is in Avara.
        </p>
      )}
    </article>
  );
}
