import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isStudy } from '../../../../contract/answer-shapes.ts';
import type { Study } from '../../../../contract/avara-types.ts';
import { actorOf, mayAcknowledgeCritical } from '../../../../contract/permissions.ts';
import { PROBLEM_TYPES, invalidRequestProblem, type Problem, type ProblemIssue } from '../../../../contract/problem.ts';
import { REPORT_ID, type CriticalResult } from '../../../../contract/study-reports.ts';
import { forbidden, userOf } from '../../../auth/auth-plugin.ts';
import { eventPerson } from '../../../events/study-events.ts';
import { problemFromUpstream, sendProblem } from '../../../lib/problems.ts';
import { noteAudit } from '../../../plugins/audit-trail.ts';
import { DEFAULT_REPORT_PDF_MAX_BYTES, fetchReportPdf } from '../../../reports/report-pdf.ts';
import {
  acknowledgeCritical,
  findReport,
  openCriticalResults,
  publicReport,
  studyReports,
} from '../../../reports/report-store.ts';
import { parseUpstreamJson, type AvaraClient } from '../../../services/avara-client.ts';
import type { SharedState } from '../../../shared-state/shared-state.ts';

export interface ReportsRoutesOptions {
  avara: AvaraClient;
  shared: SharedState;
  /** REPORT_PDF_MAX_BYTES: the largest PDF streamed. */
  pdfMaxBytes?: number;
  /** How long the PDF's storage may take to start answering. */
  pdfTimeoutMs?: number;
  now?: () => number;
}

const STUDY_ID = /^stu_[0-9a-f]{32}$/;
/** Open critical results answered at most (each is one study read from Avara). */
export const MAX_CRITICAL_LISTED = 100;
/** Studies read from Avara at once for the critical-results list. */
const READ_CONCURRENCY = 8;

/**
 * Reports Avara delivered (src/bff/reports/report-store.ts): a study's reports, a report's PDF
 * streamed from Avara's link, acknowledging a critical result, and the open critical results the
 * caller is alerted to. docs/api.md, "Reports and critical results".
 */
export async function reportsRoutes(app: FastifyInstance, options: ReportsRoutesOptions): Promise<void> {
  const { avara, shared, pdfMaxBytes = DEFAULT_REPORT_PDF_MAX_BYTES, pdfTimeoutMs = 10_000, now = Date.now } = options;

  app.get(
    '/api/studies/:studyId/reports',
    { config: { access: 'api', audit: 'report.view' } },
    async (request, reply) => {
      const params = checkParams(reply, request.params, false);
      if (!params) return reply;
      noteAudit(request, { studyId: params.studyId });
      const reports = await studyReports(shared, params.studyId);
      return { reports: reports.map((report) => publicReport(report, now())) };
    },
  );

  // A link in the drawer, opened in a new tab: a navigation, so the session without X-CSRF.
  app.get(
    '/api/studies/:studyId/reports/:reportId/pdf',
    { config: { access: 'navigation', audit: 'report.pdf' } },
    async (request, reply) => {
      const params = checkParams(reply, request.params, true);
      if (!params?.reportId) return reply;
      noteAudit(request, { studyId: params.studyId, after: { reportId: params.reportId } });
      const report = await findReport(shared, params.studyId, params.reportId);
      if (!report) return sendPdfProblem(request, reply, notFound('This study has no such report.'));
      if (Date.parse(report.pdfExpiresAt) <= now()) return sendPdfProblem(request, reply, expired());
      const fetched = await fetchReportPdf(report.pdfUrl, { maxBytes: pdfMaxBytes, timeoutMs: pdfTimeoutMs });
      switch (fetched.outcome) {
        case 'expired':
          return sendPdfProblem(request, reply, expired());
        case 'too-big':
          request.log.warn(
            { length: fetched.length, studyId: params.studyId },
            'a report PDF is larger than REPORT_PDF_MAX_BYTES',
          );
          return sendPdfProblem(
            request,
            reply,
            upstreamFailed(
              'The report PDF is larger than this worklist accepts. Ask an administrator to raise REPORT_PDF_MAX_BYTES.',
            ),
          );
        case 'wrong-type':
          request.log.warn(
            { contentType: fetched.contentType, studyId: params.studyId },
            'a report link answered something other than a PDF',
          );
          return sendPdfProblem(request, reply, upstreamFailed('The report link did not answer a PDF.'));
        case 'failed':
          request.log.warn({ reason: fetched.reason, studyId: params.studyId }, 'a report PDF could not be fetched');
          return sendPdfProblem(request, reply, {
            ...upstreamFailed('The report PDF could not be fetched right now. Try again in a moment.'),
            status: 502,
            retryable: true,
          });
        case 'ok':
          reply
            .code(200)
            .type('application/pdf')
            .header('cache-control', 'no-store')
            .header('content-disposition', `inline; filename="report-${params.reportId}.pdf"`)
            .header('x-content-type-options', 'nosniff');
          if (fetched.length !== undefined) reply.header('content-length', String(fetched.length));
          return reply.send(fetched.body);
      }
    },
  );

  app.post(
    '/api/studies/:studyId/reports/:reportId/acknowledge',
    { config: { access: 'api', audit: 'report.acknowledge' } },
    async (request, reply) => {
      const params = checkParams(reply, request.params, true);
      if (!params?.reportId) return reply;
      const { studyId, reportId } = params;
      noteAudit(request, { studyId });
      const report = await findReport(shared, studyId, reportId);
      if (!report) {
        noteAudit(request, { outcome: 'failed' });
        return sendProblem(reply, notFound('This study has no such report.'));
      }
      const current = await avara.retrieveStudy(studyId);
      if (!current.ok) {
        noteAudit(request, { outcome: 'failed' });
        return sendProblem(reply, problemFromUpstream(current, 'Study'), current.retryAfter);
      }
      const study = parseUpstreamJson(current);
      const user = userOf(request);
      const decision = mayAcknowledgeCritical(actorOf(user), isStudy(study) ? study : {});
      if (!decision.allowed) return sendProblem(reply, forbidden(decision.detail));
      const result = await acknowledgeCritical(shared, studyId, reportId, eventPerson(user), { now, log: request.log });
      switch (result.outcome) {
        case 'none':
          noteAudit(request, { outcome: 'failed' });
          return sendProblem(reply, notFound('This study has no such report.'));
        case 'not-critical':
          noteAudit(request, { outcome: 'refused' });
          return sendProblem(reply, {
            type: PROBLEM_TYPES.conflict,
            title: 'Not a critical result',
            status: 409,
            detail: 'This report is not critical: there is nothing to acknowledge.',
          });
        case 'already':
        case 'acknowledged': {
          const acknowledgement = result.report.acknowledgement;
          noteAudit(request, {
            before: {
              reportId,
              acknowledgement:
                result.outcome === 'already' && acknowledgement ? auditedAcknowledgement(acknowledgement) : null,
            },
            after: { reportId, acknowledgement: acknowledgement ? auditedAcknowledgement(acknowledgement) : null },
          });
          return publicReport(result.report, now());
        }
      }
    },
  );

  app.get('/api/critical-results', { config: { access: 'api', audit: 'report.critical-list' } }, async (request) => {
    const actor = actorOf(userOf(request));
    const open = (await openCriticalResults(shared)).slice(0, MAX_CRITICAL_LISTED);
    const studies = await readStudies(open.map((result) => result.studyId));
    const criticalResults: CriticalResult[] = open.flatMap((result) => {
      const study = studies.get(result.studyId);
      if (!study || !mayAcknowledgeCritical(actor, study).allowed) return [];
      return [{ studyId: result.studyId, reportId: result.reportId, deliveredAt: result.deliveredAt, study }];
    });
    noteAudit(request, { studyIds: criticalResults.map((result) => result.studyId) });
    return { criticalResults };
  });

  /** The studies as Avara has them now, a few at a time; one that cannot be read is left out. */
  async function readStudies(studyIds: string[]): Promise<Map<string, Study>> {
    const found = new Map<string, Study>();
    const queue = [...new Set(studyIds)];
    const worker = async () => {
      for (let studyId = queue.shift(); studyId !== undefined; studyId = queue.shift()) {
        const result = await avara.retrieveStudy(studyId).catch(() => undefined);
        const study = result?.ok ? parseUpstreamJson(result) : undefined;
        if (isStudy(study)) found.set(studyId, study);
      }
    };
    await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, queue.length) }, worker));
    return found;
  }
}

function auditedAcknowledgement(acknowledgement: { by: { email: string }; at: string }) {
  return { by: acknowledgement.by.email, at: acknowledgement.at };
}

function checkParams(
  reply: FastifyReply,
  params: unknown,
  withReport: boolean,
): { studyId: string; reportId?: string } | undefined {
  const fields = new Map<string, unknown>(typeof params === 'object' && params !== null ? Object.entries(params) : []);
  const studyId = fields.get('studyId');
  const reportId = fields.get('reportId');
  const issues: ProblemIssue[] = [];
  if (typeof studyId !== 'string' || !STUDY_ID.test(studyId))
    issues.push({ in: 'path', name: 'studyId', message: 'must be a study ID (stu_ and 32 hex digits)' });
  if (withReport && (typeof reportId !== 'string' || !REPORT_ID.test(reportId)))
    issues.push({ in: 'path', name: 'reportId', message: 'must be a report ID (1-128 letters, digits, _ or -)' });
  if (issues.length > 0 || typeof studyId !== 'string') {
    sendProblem(reply, invalidRequestProblem(issues));
    return undefined;
  }
  return { studyId, ...(withReport && typeof reportId === 'string' ? { reportId } : {}) };
}

function notFound(detail: string): Problem {
  return { type: PROBLEM_TYPES.notFound, title: 'Not found', status: 404, detail };
}

function expired(): Problem {
  return {
    type: PROBLEM_TYPES.reportLinkExpired,
    title: 'The report link has expired',
    status: 410,
    detail:
      'Avara’s link to this report’s PDF has expired. The report text is still in the study’s drawer; the PDF is in Avara.',
  };
}

function upstreamFailed(detail: string): Problem {
  return {
    type: PROBLEM_TYPES.upstreamFailed,
    title: 'The report PDF is not available',
    status: 502,
    detail,
    retryable: false,
  };
}

/**
 * The PDF route is opened as a page: a person gets a short page saying what went wrong, a script
 * (Accept without text/html) the problem document.
 */
function sendPdfProblem(request: FastifyRequest, reply: FastifyReply, problem: Problem): FastifyReply {
  if (!(request.headers.accept ?? '').includes('text/html')) return sendProblem(reply, problem);
  const escape = (text: string) => text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
  return reply
    .code(problem.status)
    .type('text/html; charset=utf-8')
    .send(
      `<!doctype html><html lang="en"><meta charset="utf-8"><title>${escape(problem.title)}</title><h1>${escape(problem.title)}</h1><p>${escape(problem.detail)}</p></html>`,
    );
}
