/**
 * `report.delivered` (asynchronous; docs/api.md, "Reports and critical results"): Avara has a report for a study. The
 * report is recorded per study on the shared state (idempotent by report ID: Avara retries), a
 * critical one raises its alert (src/bff/reports/report-store.ts), and the answer is
 * `{ success: true }` at once; the PDF is fetched only when someone opens it.
 */
import { parseReportDelivered } from '../../../contract/study-reports.ts';
import { recordReport } from '../../reports/report-store.ts';
import type { SharedState, SharedStateLog } from '../../shared-state/shared-state.ts';
import type { WebhookHandler } from '../webhook-handlers.ts';

export interface ReportDeliveredContext {
  shared: SharedState;
  log: SharedStateLog;
  now?: () => number;
}

export type ReportDeliveredOutcome =
  | { ok: true; answer: { success: true }; recorded: boolean; studyId: string; reportId: string; isCritical: boolean }
  | { ok: false; issues: string[] };

/** Handles the event's `data`: the answer to send, or what is wrong with the data (answer 400). */
export async function handleReportDelivered(
  data: unknown,
  context: ReportDeliveredContext,
): Promise<ReportDeliveredOutcome> {
  const parsed = parseReportDelivered(data);
  if (!parsed.ok) return parsed;
  const { recorded, report } = await recordReport(context.shared, parsed.value, {
    log: context.log,
    ...(context.now ? { now: context.now } : {}),
  });
  if (recorded)
    context.log.info(
      { studyId: report.studyId, reportId: report.reportId, isCritical: report.isCritical },
      'report delivered',
    );
  return {
    ok: true,
    answer: { success: true },
    recorded,
    studyId: report.studyId,
    reportId: report.reportId,
    isCritical: report.isCritical,
  };
}

/** The dispatcher's handler (WEBHOOK_HANDLERS): data that is not a report answers 400, so Avara sees the fault. */
export const reportDelivered: WebhookHandler = async (event, context) => {
  const outcome = await handleReportDelivered(event.data, { shared: context.shared, log: context.log });
  if (!outcome.ok)
    return { status: 400, body: { success: false, error: outcome.issues.join('; ') }, result: 'invalid' };
  return {
    body: outcome.answer,
    studyId: outcome.studyId,
    result: outcome.recorded ? (outcome.isCritical ? 'recorded-critical' : 'recorded') : 'repeat',
  };
};
