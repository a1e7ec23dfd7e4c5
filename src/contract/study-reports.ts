/**
 * Reports Avara delivers for studies (the `report.delivered` webhook, docs/api.md, "Reports and critical results") and the
 * worklist's answers about them: the webhook's data as Avara sends it (the bundled server sends the
 * same, the BFF checks it), and the shapes of `/api/studies/{studyId}/reports` and
 * `/api/critical-results`. Pure: no I/O, nothing on import.
 */
import type { components } from './worklist-api.gen.ts';

type Schemas = components['schemas'];

/** A report as the worklist recorded it (GET /api/studies/{studyId}/reports). */
export type StudyReport = Schemas['StudyReport'];
/** Who acknowledged a critical result, and when. */
export type CriticalAcknowledgement = Schemas['CriticalAcknowledgement'];
export type StudyReportList = Schemas['StudyReportList'];
/** One open critical result, with its study as Avara has it now (GET /api/critical-results). */
export type CriticalResult = Schemas['CriticalResult'];
export type CriticalResultList = Schemas['CriticalResultList'];

/** The webhook event's `type`. */
export const REPORT_DELIVERED = 'report.delivered';

/** `data` of a `report.delivered` event. */
export interface ReportDelivered {
  reportId: string;
  studyId: string;
  isCritical: boolean;
  /** Where the PDF can be fetched, for about an hour. */
  presignedUrl: string;
  plainText?: string;
}

export const REPORT_ID = /^[A-Za-z0-9_-]{1,128}$/;
const STUDY_ID = /^stu_[0-9a-f]{32}$/;
/** Longer report texts are refused: a report is pages, not megabytes. */
export const REPORT_TEXT_MAX = 100_000;
const URL_MAX = 4_096;

/**
 * Whether a PDF link may be fetched by the BFF: https anywhere, plain http only on this machine's
 * loopback (the bundled server). Anything else would let a webhook point the BFF at the network.
 */
export function isFetchablePdfUrl(text: string): boolean {
  if (text.length > URL_MAX || !URL.canParse(text)) return false;
  const url = new URL(text);
  if (url.username !== '' || url.password !== '') return false;
  if (url.protocol === 'https:') return true;
  return (
    url.protocol === 'http:' &&
    (url.hostname === '127.0.0.1' || url.hostname === '[::1]' || url.hostname === 'localhost')
  );
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; issues: string[] };

/** The webhook's `data`, checked field by field; unknown fields are ignored (Avara may add some). */
export function parseReportDelivered(data: unknown): Parsed<ReportDelivered> {
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    return { ok: false, issues: ['data must be an object'] };
  const fields = new Map<string, unknown>(Object.entries(data));
  const issues: string[] = [];
  const reportId = fields.get('reportId');
  const studyId = fields.get('studyId');
  const isCritical = fields.get('isCritical');
  const presignedUrl = fields.get('presignedUrl');
  const plainText = fields.get('plainText');
  if (typeof reportId !== 'string' || !REPORT_ID.test(reportId))
    issues.push('reportId must be 1-128 letters, digits, _ or -');
  if (typeof studyId !== 'string' || !STUDY_ID.test(studyId))
    issues.push('studyId must be a study ID (stu_ and 32 hex digits)');
  if (typeof isCritical !== 'boolean') issues.push('isCritical must be true or false');
  if (typeof presignedUrl !== 'string' || !isFetchablePdfUrl(presignedUrl))
    issues.push('presignedUrl must be an https URL');
  if (
    plainText !== undefined &&
    plainText !== null &&
    (typeof plainText !== 'string' || plainText.length > REPORT_TEXT_MAX)
  ) {
    issues.push(`plainText must be text of at most ${REPORT_TEXT_MAX} characters`);
  }
  if (
    issues.length > 0 ||
    typeof reportId !== 'string' ||
    typeof studyId !== 'string' ||
    typeof isCritical !== 'boolean' ||
    typeof presignedUrl !== 'string'
  ) {
    return { ok: false, issues };
  }
  return {
    ok: true,
    value: {
      reportId,
      studyId,
      isCritical,
      presignedUrl,
      ...(typeof plainText === 'string' && plainText !== '' ? { plainText } : {}),
    },
  };
}

/** Whether a report is a critical result nobody has acknowledged yet. */
export function isOpenCritical(report: Pick<StudyReport, 'isCritical' | 'acknowledgement'>): boolean {
  return report.isCritical && report.acknowledgement === undefined;
}
