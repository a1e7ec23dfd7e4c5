/**
 * The reports Avara delivered, per study, on the shared state (docs/decisions/037): one durable
 * record per study (`study-reports`, key the study ID) holding its reports, and an index of the
 * studies with a critical result nobody has acknowledged yet (`critical-results`), which the alert
 * and the "Critical results" filter read without scanning every report. Both are records without
 * expiry: in the embedded mode they live in SQLite under DATA_DIR and survive a restart; with Redis,
 * in Redis.
 *
 * Recording is idempotent by report ID (Avara retries a webhook it thinks failed), and the index is
 * always re-derived from the study's record after a write, so a retry after a half-done attempt
 * repairs it. Events (`report.delivered`, `critical.acknowledged`) are published after the write; one
 * that cannot be published is logged, never answered as a failure (the next refresh shows it).
 */
import type { EventPerson } from '../../contract/worklist-events.ts';
import {
  isOpenCritical,
  type CriticalAcknowledgement,
  type ReportDelivered,
  type StudyReport,
} from '../../contract/study-reports.ts';
import {
  noLog,
  type JsonObject,
  type SharedState,
  type SharedStateLog,
  type StoredRecord,
} from '../shared-state/shared-state.ts';

export const REPORTS_NAMESPACE = 'study-reports';
export const CRITICAL_NAMESPACE = 'critical-results';
/** Reports kept per study; past it the oldest that is not an open critical result goes. */
export const MAX_REPORTS_PER_STUDY = 50;
/** How many open critical results the alert and the filter read at most. */
export const MAX_OPEN_CRITICAL = 1_000;
/** How long Avara's PDF link is taken to be valid ("about an hour"). */
export const DEFAULT_PDF_LINK_SECONDS = 3_600;

/** A report as stored: what the API answers, and the PDF link, which never leaves the BFF. */
export interface StoredReport {
  reportId: string;
  studyId: string;
  deliveredAt: string;
  isCritical: boolean;
  plainText?: string;
  pdfUrl: string;
  pdfExpiresAt: string;
  acknowledgement?: CriticalAcknowledgement;
}

/** An open critical result, as the index holds it. */
export interface OpenCritical {
  studyId: string;
  reportId: string;
  deliveredAt: string;
}

export interface RecordReportOptions {
  now?: () => number;
  pdfLinkSeconds?: number;
  log?: SharedStateLog;
}

/** Records a delivered report (once per report ID): true when it was new, false for a repeat. */
export async function recordReport(
  shared: SharedState,
  delivered: ReportDelivered,
  options: RecordReportOptions = {},
): Promise<{ recorded: boolean; report: StoredReport }> {
  const now = options.now?.() ?? Date.now();
  const fresh: StoredReport = {
    reportId: delivered.reportId,
    studyId: delivered.studyId,
    deliveredAt: new Date(now).toISOString(),
    isCritical: delivered.isCritical,
    ...(delivered.plainText !== undefined ? { plainText: delivered.plainText } : {}),
    pdfUrl: delivered.presignedUrl,
    pdfExpiresAt: new Date(now + (options.pdfLinkSeconds ?? DEFAULT_PDF_LINK_SECONDS) * 1_000).toISOString(),
  };
  const seen: { existing?: StoredReport } = {};
  const written = await shared.records.update(REPORTS_NAMESPACE, delivered.studyId, (record) => {
    const reports = reportsOf(record);
    const existing = reports.find((report) => report.reportId === delivered.reportId);
    seen.existing = existing;
    if (existing) return undefined;
    return reportsValue(delivered.studyId, keepBounded([fresh, ...reports]));
  });
  await syncCriticalIndex(
    shared,
    delivered.studyId,
    written ? reportsOf(written) : await studyReports(shared, delivered.studyId),
  );
  if (seen.existing) return { recorded: false, report: seen.existing };
  await publish(shared, options.log ?? noLog, 'report.delivered', {
    studyId: fresh.studyId,
    reportId: fresh.reportId,
    isCritical: fresh.isCritical,
    deliveredAt: fresh.deliveredAt,
  });
  return { recorded: true, report: fresh };
}

/** The study's reports, newest first. */
export async function studyReports(shared: SharedState, studyId: string): Promise<StoredReport[]> {
  return reportsOf(await shared.records.get(REPORTS_NAMESPACE, studyId));
}

/** One report of the study, or undefined. */
export async function findReport(
  shared: SharedState,
  studyId: string,
  reportId: string,
): Promise<StoredReport | undefined> {
  return (await studyReports(shared, studyId)).find((report) => report.reportId === reportId);
}

export type AcknowledgeResult =
  | { outcome: 'acknowledged'; report: StoredReport }
  /** Someone acknowledged it first: their acknowledgement stays. */
  | { outcome: 'already'; report: StoredReport }
  | { outcome: 'not-critical'; report: StoredReport }
  | { outcome: 'none' };

/** Acknowledges a critical result for `by` (the permission is the caller's to check first). */
export async function acknowledgeCritical(
  shared: SharedState,
  studyId: string,
  reportId: string,
  by: EventPerson,
  options: { now?: () => number; log?: SharedStateLog } = {},
): Promise<AcknowledgeResult> {
  const at = new Date(options.now?.() ?? Date.now()).toISOString();
  const seen: { result?: AcknowledgeResult } = {};
  const written = await shared.records.update(REPORTS_NAMESPACE, studyId, (record) => {
    const reports = reportsOf(record);
    const report = reports.find((candidate) => candidate.reportId === reportId);
    if (!report) {
      seen.result = { outcome: 'none' };
      return undefined;
    }
    if (!report.isCritical) {
      seen.result = { outcome: 'not-critical', report };
      return undefined;
    }
    if (report.acknowledgement) {
      seen.result = { outcome: 'already', report };
      return undefined;
    }
    const acknowledged: StoredReport = { ...report, acknowledgement: { by, at } };
    seen.result = { outcome: 'acknowledged', report: acknowledged };
    return reportsValue(
      studyId,
      reports.map((candidate) => (candidate.reportId === reportId ? acknowledged : candidate)),
    );
  });
  const result = seen.result ?? { outcome: 'none' };
  if (result.outcome === 'none') return result;
  await syncCriticalIndex(shared, studyId, written ? reportsOf(written) : await studyReports(shared, studyId));
  if (result.outcome === 'acknowledged' && result.report.acknowledgement) {
    await publish(shared, options.log ?? noLog, 'critical.acknowledged', {
      studyId,
      reportId,
      acknowledgement: { by: { ...by }, at: result.report.acknowledgement.at },
    });
  }
  return result;
}

/** Every open critical result (at most MAX_OPEN_CRITICAL), oldest first. */
export async function openCriticalResults(shared: SharedState): Promise<OpenCritical[]> {
  const open: OpenCritical[] = [];
  let after: string | undefined;
  do {
    const page = await shared.records.list(CRITICAL_NAMESPACE, { limit: 1_000, ...(after ? { after } : {}) });
    for (const record of page.records) open.push(...openOf(record));
    after = page.nextAfter;
  } while (after !== undefined && open.length < MAX_OPEN_CRITICAL);
  return open.sort((a, b) => a.deliveredAt.localeCompare(b.deliveredAt)).slice(0, MAX_OPEN_CRITICAL);
}

/** The IDs of the studies with an open critical result (the "Critical results" filter). */
export async function studiesWithOpenCritical(shared: SharedState): Promise<Set<string>> {
  return new Set((await openCriticalResults(shared)).map((result) => result.studyId));
}

/** What the API answers of a stored report: everything but the PDF link itself. */
export function publicReport(report: StoredReport, now: number = Date.now()): StudyReport {
  return {
    ...reportBasics(report),
    pdf: { available: Date.parse(report.pdfExpiresAt) > now, expiresAt: report.pdfExpiresAt },
    ...(report.acknowledgement ? { acknowledgement: report.acknowledgement } : {}),
  };
}

/** Makes the index say what the study's reports say: its open critical results, or nothing. */
async function syncCriticalIndex(shared: SharedState, studyId: string, reports: StoredReport[]): Promise<void> {
  const open = reports
    .filter(isOpenCritical)
    .map((report) => ({ reportId: report.reportId, deliveredAt: report.deliveredAt }));
  if (open.length === 0) {
    await shared.records.delete(CRITICAL_NAMESPACE, studyId);
    return;
  }
  await shared.records.set(CRITICAL_NAMESPACE, studyId, { studyId, open });
}

async function publish(
  shared: SharedState,
  log: SharedStateLog,
  type: 'report.delivered' | 'critical.acknowledged',
  data: JsonObject,
): Promise<void> {
  try {
    await shared.events.publish({ type, data });
  } catch (error) {
    log.warn({ err: error, type }, 'a report event could not be published; screens show it on their next refresh');
  }
}

function keepBounded(reports: StoredReport[]): StoredReport[] {
  const kept = [...reports];
  while (kept.length > MAX_REPORTS_PER_STUDY) {
    const dropAt = kept.findLastIndex((report) => !isOpenCritical(report));
    if (dropAt < 0) break;
    kept.splice(dropAt, 1);
  }
  return kept;
}

function reportsValue(studyId: string, reports: StoredReport[]): JsonObject {
  return { studyId, reports: reports.map(reportJson) };
}

/** What every form of a report (stored, answered) carries as it came. */
function reportBasics(report: StoredReport) {
  return {
    reportId: report.reportId,
    studyId: report.studyId,
    deliveredAt: report.deliveredAt,
    isCritical: report.isCritical,
    ...(report.plainText !== undefined ? { plainText: report.plainText } : {}),
  };
}

function reportJson(report: StoredReport): JsonObject {
  return {
    ...reportBasics(report),
    pdfUrl: report.pdfUrl,
    pdfExpiresAt: report.pdfExpiresAt,
    ...(report.acknowledgement
      ? { acknowledgement: { by: { ...report.acknowledgement.by }, at: report.acknowledgement.at } }
      : {}),
  };
}

type Fields = Record<string, unknown>;
const isFields = (value: unknown): value is Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isText = (value: unknown): value is string => typeof value === 'string';

function reportsOf(record: StoredRecord | undefined): StoredReport[] {
  const reports = record?.value.reports;
  if (!Array.isArray(reports)) return [];
  return reports.flatMap((value) => {
    const report = storedReportOf(value);
    return report ? [report] : [];
  });
}

function storedReportOf(value: unknown): StoredReport | undefined {
  if (!isFields(value)) return undefined;
  const { reportId, studyId, deliveredAt, isCritical, plainText, pdfUrl, pdfExpiresAt, acknowledgement } = value;
  if (
    !isText(reportId) ||
    !isText(studyId) ||
    !isText(deliveredAt) ||
    typeof isCritical !== 'boolean' ||
    !isText(pdfUrl) ||
    !isText(pdfExpiresAt)
  )
    return undefined;
  const ack = acknowledgementOf(acknowledgement);
  return {
    reportId,
    studyId,
    deliveredAt,
    isCritical,
    ...(isText(plainText) ? { plainText } : {}),
    pdfUrl,
    pdfExpiresAt,
    ...(ack ? { acknowledgement: ack } : {}),
  };
}

function acknowledgementOf(value: unknown): CriticalAcknowledgement | undefined {
  if (!isFields(value) || !isText(value.at) || !isFields(value.by)) return undefined;
  const { userId, email, name } = value.by;
  if (!(userId === null || isText(userId)) || !isText(email) || !isText(name)) return undefined;
  return { by: { userId, email, name }, at: value.at };
}

function openOf(record: StoredRecord): OpenCritical[] {
  const { studyId, open } = record.value;
  if (!isText(studyId) || !Array.isArray(open)) return [];
  return open.flatMap((entry) =>
    isFields(entry) && isText(entry.reportId) && isText(entry.deliveredAt)
      ? [{ studyId, reportId: entry.reportId, deliveredAt: entry.deliveredAt }]
      : [],
  );
}
