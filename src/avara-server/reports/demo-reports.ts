/**
 * The bundled server's side of `report.delivered`: what Avara does when a radiologist signs a report,
 * so the loop runs without Avara. A report is delivered to the worklist's webhook endpoint, signed
 * with the shared key (Standard Webhooks, as Avara signs), with a presigned-style link to its PDF
 * that expires after an hour; the PDF is made here, a tiny valid PDF of the report's text, when the
 * link is opened. Links are stateless (an HMAC over what they name), so they work on any instance
 * and after a restart, until they expire. `npm run demo:report` uses this (docs/api.md, "Reports and critical results").
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { signedWebhook } from '../http/signed-webhook.ts';
import type { ReportDelivered } from '../../contract/study-reports.ts';
import { REPORT_DELIVERED } from '../../contract/study-reports.ts';
import { AvaraError } from '../store/avara-error.ts';
import type { StudyService } from '../store/study-service.ts';

/** Avara's PDF links last about an hour. */
export const DEMO_REPORT_LINK_SECONDS = 3_600;
export const DEMO_REPORT_PATH = '/avara-demo/reports';

const STUDY_ID = /^stu_[0-9a-f]{32}$/;
const REPORT_ID = /^rpt_[0-9a-f]{32}$/;

/** What a demo report says: a critical one names a finding someone must act on. */
export function demoReportText(studyDescription: string | undefined, critical: boolean): string {
  const heading = studyDescription ? `${studyDescription}\n\n` : '';
  return critical
    ? `${heading}FINDINGS: Acute finding requiring immediate attention (demo).\nIMPRESSION: CRITICAL RESULT. Communicate to the referring physician now.`
    : `${heading}FINDINGS: No acute abnormality (demo).\nIMPRESSION: Normal study.`;
}

/** A one-page PDF 1.4 of the lines, in Helvetica: valid enough for any viewer (offsets and xref computed). */
export function buildReportPdf(title: string, lines: readonly string[]): Buffer {
  // PDF strings escape \, ( and ); anything outside printable ASCII is replaced, as Helvetica's
  // standard encoding would not show it anyway.
  const text = (value: string) =>
    value.replace(/[^\x20-\x7e]/g, '?').replace(/[\\()]/g, (character) => `\\${character}`);
  const content = [
    'BT',
    '/F1 16 Tf',
    '72 760 Td',
    `(${text(title)}) Tj`,
    '/F1 11 Tf',
    '0 -28 Td',
    ...lines.flatMap((line) => [`(${text(line)}) Tj`, '0 -16 Td']),
    'ET',
  ].join('\n');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((object, index) => {
    offsets.push(Buffer.byteLength(body, 'latin1'));
    body += `${index + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xrefAt = Buffer.byteLength(body, 'latin1');
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('')}`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xrefAt}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

/** The link signature: an HMAC keyed with the webhook key, over a label of its own and what the link names. */
function linkSignature(key: string, studyId: string, reportId: string, critical: boolean, expires: number): string {
  const secret = Buffer.from(key.replace(/^whsec_/, ''), 'base64');
  return createHmac('sha256', secret)
    .update(`report-link.${studyId}.${reportId}.${critical ? 1 : 0}.${expires}`)
    .digest('base64url');
}

/** A presigned-style link to a demo report's PDF, valid for `seconds` from `now`. */
export function demoReportUrl(options: {
  baseUrl: string;
  key: string;
  studyId: string;
  reportId: string;
  critical: boolean;
  now?: number;
  seconds?: number;
}): string {
  const expires = Math.floor((options.now ?? Date.now()) / 1000) + (options.seconds ?? DEMO_REPORT_LINK_SECONDS);
  const signature = linkSignature(options.key, options.studyId, options.reportId, options.critical, expires);
  const url = new URL(`${DEMO_REPORT_PATH}/${options.studyId}/${options.reportId}`, options.baseUrl);
  url.search = new URLSearchParams({
    critical: options.critical ? '1' : '0',
    expires: String(expires),
    signature,
  }).toString();
  return url.toString();
}

export type LinkVerdict = 'valid' | 'expired' | 'invalid';

export function verifyDemoReportLink(
  key: string,
  studyId: string,
  reportId: string,
  query: Record<string, unknown>,
  now: number = Date.now(),
): LinkVerdict {
  const { critical, expires, signature } = query;
  if (
    (critical !== '0' && critical !== '1') ||
    typeof expires !== 'string' ||
    !/^\d{1,12}$/.test(expires) ||
    typeof signature !== 'string'
  )
    return 'invalid';
  const expected = Buffer.from(linkSignature(key, studyId, reportId, critical === '1', Number(expires)));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'invalid';
  return Number(expires) * 1000 <= now ? 'expired' : 'valid';
}

export interface DemoReportRoutesOptions {
  service: StudyService;
  /** The webhook signing key; the links are signed with it too. */
  key: string;
}

/**
 * `GET /avara-demo/reports/:studyId/:reportId?critical&expires&signature`: the PDF, while the link is
 * valid; an expired or altered link answers 403 as a storage service would.
 */
export const demoReportRoutes: FastifyPluginAsync<DemoReportRoutesOptions> = async (app, options) => {
  app.get<{ Params: { studyId: string; reportId: string }; Querystring: Record<string, unknown> }>(
    `${DEMO_REPORT_PATH}/:studyId/:reportId`,
    // The link carries its own credential: anyone holding it may fetch it (as with Avara's storage), and its query never reaches the log.
    { config: { access: 'public', logQuery: false } },
    async (request, reply) => {
      const { studyId, reportId } = request.params;
      const verdict =
        STUDY_ID.test(studyId) && REPORT_ID.test(reportId)
          ? verifyDemoReportLink(options.key, studyId, reportId, request.query)
          : 'invalid';
      if (verdict !== 'valid') {
        return reply
          .code(403)
          .type('application/xml')
          .send(
            `<Error><Code>AccessDenied</Code><Message>${verdict === 'expired' ? 'Request has expired' : 'Signature does not match'}</Message></Error>`,
          );
      }
      let description: string;
      try {
        description = options.service.retrieveStudy(studyId).studyDescription;
      } catch (error) {
        if (error instanceof AvaraError && error.status === 404)
          return reply.code(404).type('application/xml').send('<Error><Code>NoSuchKey</Code></Error>');
        throw error;
      }
      const critical = request.query.critical === '1';
      const lines = [
        `Study ${studyId}`,
        `Report ${reportId}`,
        '',
        ...demoReportText(description, critical).split('\n'),
      ];
      return reply
        .code(200)
        .type('application/pdf')
        .header('cache-control', 'private, no-store')
        .send(buildReportPdf(critical ? 'Radiology report: CRITICAL RESULT' : 'Radiology report', lines));
    },
  );
};

export interface DeliverDemoReportOptions {
  /** The worklist's webhook endpoint (…/webhooks/avara). */
  webhookUrl: string;
  /** The shared Standard Webhooks key (`whsec_…`). */
  key: string;
  /** Where the PDF links point: the origin serving demoReportRoutes. */
  pdfBaseUrl: string;
  studyId: string;
  critical: boolean;
  /** The report text; a demo text of the kind when absent. */
  plainText?: string;
  studyDescription?: string;
}

/** Sends a signed `report.delivered` for the study: the endpoint's status and answer. */
export async function deliverDemoReport(
  options: DeliverDemoReportOptions,
): Promise<{ status: number; body: string; reportId: string }> {
  const reportId = `rpt_${randomBytes(16).toString('hex')}`;
  const data: ReportDelivered = {
    reportId,
    studyId: options.studyId,
    isCritical: options.critical,
    presignedUrl: demoReportUrl({
      baseUrl: options.pdfBaseUrl,
      key: options.key,
      studyId: options.studyId,
      reportId,
      critical: options.critical,
    }),
    plainText: options.plainText ?? demoReportText(options.studyDescription, options.critical),
  };
  const response = await fetch(options.webhookUrl, {
    ...signedWebhook(options.key, REPORT_DELIVERED, data),
    signal: AbortSignal.timeout(15_000),
  });
  return { status: response.status, body: await response.text(), reportId };
}
