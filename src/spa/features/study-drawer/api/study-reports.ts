import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { StudyReport, StudyReportList } from '../../../../contract/study-reports.ts';
import { apiRequest, apiRequestChecked } from '../../../lib/api-client.ts';
import { useWorklistEvent } from '../../../lib/live/use-live-events.ts';
import { studyKeys } from './study-keys.ts';

/**
 * The reports Avara delivered for a study (GET /api/studies/{studyId}/reports) and acknowledging a
 * critical one. The worklist's alert reads `['critical-results']`: the two features agree on that
 * key's shape, not on a shared import (as with studyKeys).
 */
export const reportKeys = {
  study: (studyId: string) => [...studyKeys.all, 'reports', studyId] as const,
  criticalResults: ['critical-results'] as const,
};

function isReportList(value: unknown): value is StudyReportList {
  return typeof value === 'object' && value !== null && 'reports' in value && Array.isArray(value.reports);
}

export function studyReportsQueryOptions(studyId: string) {
  return queryOptions({
    queryKey: reportKeys.study(studyId),
    queryFn: ({ signal }) =>
      apiRequestChecked(`/api/studies/${encodeURIComponent(studyId)}/reports`, isReportList, { signal }),
  });
}

/** The study's reports, newest first; refetched when a report for it arrives or is acknowledged elsewhere. */
export function useStudyReports(studyId: string) {
  const queryClient = useQueryClient();
  const refresh = (data: { studyId: string }) => {
    if (data.studyId === studyId) void queryClient.invalidateQueries({ queryKey: reportKeys.study(studyId) });
  };
  useWorklistEvent('report.delivered', refresh);
  useWorklistEvent('critical.acknowledged', refresh);
  return useQuery(studyReportsQueryOptions(studyId));
}

/** The address of a report's PDF, streamed by the BFF (a link: opened in a new tab). */
export function reportPdfPath(report: Pick<StudyReport, 'studyId' | 'reportId'>): string {
  return `/api/studies/${encodeURIComponent(report.studyId)}/reports/${encodeURIComponent(report.reportId)}/pdf`;
}

/** POST …/acknowledge: the report as acknowledged (by whoever was first). */
export function useAcknowledgeCritical() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (report: Pick<StudyReport, 'studyId' | 'reportId'>) =>
      apiRequest<StudyReport>(
        `/api/studies/${encodeURIComponent(report.studyId)}/reports/${encodeURIComponent(report.reportId)}/acknowledge`,
        { method: 'POST' },
      ),
    onSuccess: (report) => {
      queryClient.setQueryData<StudyReportList>(reportKeys.study(report.studyId), (list) =>
        list
          ? { reports: list.reports.map((candidate) => (candidate.reportId === report.reportId ? report : candidate)) }
          : list,
      );
    },
    onSettled: (_report, _error, asked) => {
      void queryClient.invalidateQueries({ queryKey: reportKeys.study(asked.studyId) });
      void queryClient.invalidateQueries({ queryKey: reportKeys.criticalResults });
      // The worklist's "Critical results" lists (`['studies', 'list', {critical: true, …}]`) lose the study.
      void queryClient.invalidateQueries({
        queryKey: studyKeys.lists(),
        predicate: (query) => isCriticalList(query.queryKey[2]),
      });
    },
  });
}

function isCriticalList(filters: unknown): boolean {
  return typeof filters === 'object' && filters !== null && 'critical' in filters && filters.critical === true;
}
