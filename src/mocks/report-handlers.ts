import { http, HttpResponse } from 'msw';
import type { HttpHandler } from 'msw';
import type { Study } from '../contract/avara-types.ts';
import { PROBLEM_CONTENT_TYPE, PROBLEM_TYPES } from '../contract/problem.ts';
import { isOpenCritical, type CriticalResult, type StudyReport } from '../contract/study-reports.ts';
import type { EventPerson } from '../contract/worklist-events.ts';

export interface ReportHandlersOptions {
  /** The reports delivered so far, by study (tests put some in); kept in memory. */
  reports?: Map<string, StudyReport[]>;
  person: () => EventPerson | undefined;
  study: (studyId: string) => Study | undefined;
  send: (event: string, data: unknown) => void;
}

/** The BFF's report routes, in memory: a study's reports, acknowledging a critical one, the open critical results. */
export function createReportHandlers(options: ReportHandlersOptions): HttpHandler[] {
  const reports = options.reports ?? new Map<string, StudyReport[]>();
  const notFound = () =>
    HttpResponse.json(
      { type: PROBLEM_TYPES.notFound, title: 'Not found', status: 404, detail: 'This study has no such report.' },
      { status: 404, headers: { 'content-type': PROBLEM_CONTENT_TYPE } },
    );
  return [
    http.get('*/api/studies/:studyId/reports', ({ params }) =>
      HttpResponse.json({ reports: reports.get(String(params.studyId)) ?? [] }),
    ),
    http.post('*/api/studies/:studyId/reports/:reportId/acknowledge', ({ params }) => {
      const studyId = String(params.studyId);
      const list = reports.get(studyId) ?? [];
      const report = list.find((candidate) => candidate.reportId === params.reportId);
      const by = options.person();
      if (!report || !by) return notFound();
      if (report.acknowledgement) return HttpResponse.json(report);
      const acknowledged: StudyReport = { ...report, acknowledgement: { by, at: new Date().toISOString() } };
      reports.set(
        studyId,
        list.map((candidate) => (candidate === report ? acknowledged : candidate)),
      );
      options.send('critical.acknowledged', {
        studyId,
        reportId: report.reportId,
        acknowledgement: acknowledged.acknowledgement,
      });
      return HttpResponse.json(acknowledged);
    }),
    http.get('*/api/critical-results', () => {
      const criticalResults: CriticalResult[] = [...reports.values()].flat().flatMap((report) => {
        const study = options.study(report.studyId);
        return isOpenCritical(report) && study
          ? [{ studyId: report.studyId, reportId: report.reportId, deliveredAt: report.deliveredAt, study }]
          : [];
      });
      return HttpResponse.json({ criticalResults });
    }),
  ];
}
