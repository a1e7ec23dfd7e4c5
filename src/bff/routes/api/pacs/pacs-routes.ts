import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_TYPES, invalidRequestProblem, type ProblemIssue } from '../../../../contract/problem.ts';
import { isDicomUid } from '../../../../contract/study-limits.ts';
import { noteAudit } from '../../../plugins/audit-trail.ts';
import { sendProblem } from '../../../lib/problems.ts';
import { ORTHANC_ID, PacsUnavailableError, type OrthancClient } from '../../../pacs/orthanc-client.ts';
import type { PacsLookup } from '../../../pacs/pacs-lookup.ts';

export interface PacsRoutesOptions {
  /** Absent when ORTHANC_URL is not set: the routes then say the PACS is off. */
  pacs: { orthanc: OrthancClient; lookup: PacsLookup } | undefined;
}

/** At most this many studies per context call: one page of worklist rows. */
export const MAX_CONTEXT_UIDS = 100;

/**
 * `/api/pacs`: whether a PACS is configured, the patient context of a page of studies (one batched
 * lookup, cached), and a study's preview image streamed from Orthanc.
 */
export async function pacsRoutes(app: FastifyInstance, { pacs }: PacsRoutesOptions): Promise<void> {
  app.get('/api/pacs/status', { config: { access: 'api' } }, async () => ({ enabled: pacs !== undefined }));

  app.post('/api/pacs/context', { config: { access: 'api', audit: 'pacs.context' } }, async (request, reply) => {
    if (!pacs) return notConfigured(reply);
    const body = typeof request.body === 'object' && request.body !== null ? request.body : {};
    const uids = 'studyInstanceUids' in body ? body.studyInstanceUids : undefined;
    const issues: ProblemIssue[] = [];
    if (!Array.isArray(uids)) {
      issues.push({ in: 'body', name: 'studyInstanceUids', message: 'is required: a list of Study Instance UIDs' });
    } else {
      if (uids.length > MAX_CONTEXT_UIDS)
        issues.push({ in: 'body', name: 'studyInstanceUids', message: `must list at most ${MAX_CONTEXT_UIDS} UIDs` });
      uids.forEach((uid: unknown, index) => {
        if (!isDicomUid(uid))
          issues.push({
            in: 'body',
            name: `studyInstanceUids[${index}]`,
            message: 'must be a DICOM UID (digits and dots, at most 64 characters)',
          });
      });
    }
    if (issues.length > 0 || !Array.isArray(uids)) return sendProblem(reply, invalidRequestProblem(issues));
    const valid = uids.filter(isDicomUid);
    noteAudit(request, { studyInstanceUids: valid });
    try {
      return { studies: await pacs.lookup.context(valid) };
    } catch (error) {
      return pacsDown(request, reply, error);
    }
  });

  app.get<{ Params: { uid: string } }>(
    '/api/pacs/studies/by-uid/:uid/preview',
    { config: { access: 'api', audit: 'pacs.preview' } },
    async (request, reply) => {
      if (!pacs) return notConfigured(reply);
      const { uid } = request.params;
      if (!isDicomUid(uid)) {
        return sendProblem(
          reply,
          invalidRequestProblem([
            { in: 'path', name: 'uid', message: 'must be a DICOM UID (digits and dots, at most 64 characters)' },
          ]),
        );
      }
      try {
        const instanceId = await pacs.lookup.firstInstance(uid);
        if (!instanceId || !ORTHANC_ID.test(instanceId)) return notInPacs(reply, uid);
        const image = await pacs.orthanc.stream(`/instances/${instanceId}/preview`, { accept: 'image/png' });
        if (image.status !== 200) {
          image.body.resume();
          if (image.status === 404) return notInPacs(reply, uid);
          throw new PacsUnavailableError('unavailable', `Orthanc answered ${image.status} for a preview`);
        }
        reply.header('content-type', 'image/png');
        if (image.headers['content-length']) reply.header('content-length', image.headers['content-length']);
        return reply.send(image.body);
      } catch (error) {
        return pacsDown(request, reply, error);
      }
    },
  );
}

function notConfigured(reply: FastifyReply): FastifyReply {
  return sendProblem(reply, {
    type: PROBLEM_TYPES.notFound,
    title: 'No PACS configured',
    status: 404,
    detail: 'This worklist is not connected to a PACS (ORTHANC_URL is not set).',
  });
}

function notInPacs(reply: FastifyReply, uid: string): FastifyReply {
  return sendProblem(reply, {
    type: PROBLEM_TYPES.notFound,
    title: 'Study not in the PACS',
    status: 404,
    detail: `The PACS has no images for the study ${uid}.`,
  });
}

/** Answers a PACS fault (503, or 502 for an answer it cannot read); rethrows anything else. */
export function pacsDown(request: FastifyRequest, reply: FastifyReply, error: unknown): FastifyReply {
  if (!(error instanceof PacsUnavailableError)) throw error;
  request.log.warn({ reason: error.kind, cause: error.message }, 'PACS unreachable');
  if (error.kind === 'invalid-response' || error.kind === 'too-large') {
    return sendProblem(reply, {
      type: PROBLEM_TYPES.upstreamFailed,
      title: 'The PACS answered in an unexpected form',
      status: 502,
      detail:
        'Patient details and images from the PACS cannot be read right now. If it persists, tell your administrator.',
      retryable: error.kind === 'invalid-response',
    });
  }
  return sendProblem(reply, {
    type: error.kind === 'timeout' ? PROBLEM_TYPES.upstreamTimeout : PROBLEM_TYPES.upstreamUnavailable,
    title: error.kind === 'timeout' ? 'The PACS did not answer in time' : 'The PACS cannot be reached',
    status: 503,
    detail: 'Patient details and images from the PACS are not available right now. Try again in a moment.',
    retryable: true,
  });
}
