import type { FastifyInstance } from 'fastify';
import { PROBLEM_TYPES } from '../../contract/problem.ts';
import { sendProblem } from '../lib/problems.ts';
import { noteAudit } from '../plugins/audit-trail.ts';
import { DICOM_FILE_ROUTE, type DicomFileUrls } from './dicom-file-urls.ts';
import { ORTHANC_ID, PacsUnavailableError, type OrthancClient } from './orthanc-client.ts';

export interface DicomFileRoutesOptions {
  orthanc: OrthancClient;
  urls: DicomFileUrls;
  /** How many files may stream at once from this instance; more answer 503 (default 32). */
  maxConcurrent?: number;
}

/**
 * `GET /dicom-files/{instanceId}?expires=&signature=`: one instance's DICOM Part 10 file, streamed
 * from Orthanc's `/instances/{id}/file` as it comes (never held whole), for whoever holds a URL this
 * BFF signed for that instance and that has not expired (the URLs study.access_requested answers
 * with): no session, no cookie. An expired or altered URL is a 403 problem. Every fetch is audited
 * (by `avara-webhook`, with the instance), and the query, a credential, is never logged. Avara's
 * viewer fetches these from its own origin, so the answer may be read cross-origin (no credentials).
 */
export async function dicomFileRoutes(app: FastifyInstance, options: DicomFileRoutesOptions): Promise<void> {
  const maxConcurrent = options.maxConcurrent ?? 32;
  let streaming = 0;

  app.get<{ Params: { instanceId: string }; Querystring: Record<string, unknown> }>(
    DICOM_FILE_ROUTE,
    { config: { access: 'signed', audit: 'pacs.dicom-file', logQuery: false } },
    async (request, reply) => {
      noteAudit(request, { actor: 'avara-webhook' });
      reply.header('cache-control', 'no-store');
      const { instanceId } = request.params;
      const check = ORTHANC_ID.test(instanceId)
        ? await options.urls.check(instanceId, request.query.expires, request.query.signature)
        : 'invalid';
      if (check !== 'ok') {
        noteAudit(request, { result: check });
        return sendProblem(reply, {
          type: PROBLEM_TYPES.forbidden,
          title: check === 'expired' ? 'This file link has expired' : 'This file link is not valid',
          status: 403,
          detail:
            check === 'expired'
              ? 'Ask for the study again for new links.'
              : 'The link is not one the worklist gave for this file.',
        });
      }
      if (streaming >= maxConcurrent) {
        return sendProblem(
          reply,
          {
            type: PROBLEM_TYPES.busy,
            title: 'Too many files at once',
            status: 503,
            detail: 'Too many files are being sent right now. Try again in a moment.',
            retryable: true,
          },
          '1',
        );
      }
      let answer;
      try {
        answer = await options.orthanc.stream(`/instances/${instanceId}/file`);
      } catch (error) {
        if (!(error instanceof PacsUnavailableError)) throw error;
        request.log.warn({ reason: error.kind }, 'PACS unreachable (DICOM file)');
        return sendProblem(
          reply,
          {
            type: PROBLEM_TYPES.upstreamUnavailable,
            title: 'The PACS cannot be reached',
            status: 503,
            detail: 'The PACS cannot be reached right now. Try again in a moment.',
            retryable: true,
          },
          '5',
        );
      }
      if (answer.status !== 200) {
        answer.body.resume();
        return answer.status === 404
          ? sendProblem(reply, {
              type: PROBLEM_TYPES.notFound,
              title: 'Not found',
              status: 404,
              detail: 'The PACS no longer has this file.',
            })
          : sendProblem(reply, {
              type: PROBLEM_TYPES.upstreamFailed,
              title: 'The PACS could not answer',
              status: 502,
              detail: 'The PACS answered with an error.',
              retryable: true,
            });
      }
      streaming++;
      let ended = false;
      const done = () => {
        if (ended) return;
        ended = true;
        streaming--;
      };
      answer.body.once('close', done);
      answer.body.once('end', done);
      answer.body.once('error', done);
      const length = answer.headers['content-length'];
      if (length) reply.header('content-length', length);
      return reply
        .type('application/dicom')
        .header('content-disposition', `attachment; filename="${instanceId}.dcm"`)
        .header('access-control-allow-origin', '*')
        .header('cross-origin-resource-policy', 'cross-origin')
        .send(answer.body);
    },
  );
}
