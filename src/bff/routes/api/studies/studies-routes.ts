import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ContractValidator } from '../../../../contract/contract-validator.ts';
import type { StudyReferenceParams } from '../../../../contract/avara-types.ts';
import { parseUpstreamJson, type AvaraClient, type UpstreamResult } from '../../../services/avara-client.ts';
import { checkInput } from '../../../lib/contract-input.ts';
import { problemFromUpstream, sendProblem } from '../../../lib/problems.ts';

export interface StudiesRoutesOptions {
  avara: AvaraClient;
  contract: ContractValidator;
}

/**
 * `/api/studies`: the Avara studies operations, one route each, checked against the contract and
 * forwarded with the key. Bodies keep the upstream's shape.
 */
export async function studiesRoutes(app: FastifyInstance, { avara, contract }: StudiesRoutesOptions): Promise<void> {
  app.get('/api/studies', async (request, reply) => {
    const input = checkInput(reply, contract, 'listStudies', { query: request.query });
    if (!input) return reply;
    return relay(reply, await avara.listStudies(input.query));
  });

  app.post('/api/studies', async (request, reply) => {
    const input = checkInput(reply, contract, 'createStudy', { body: request.body });
    if (!input) return reply;
    const result = await avara.createStudy(input.body);
    if (result.ok) {
      const created = readStudyId(parseUpstreamJson(result));
      if (created) reply.header('location', `/api/studies/${created}`);
      return relay(reply, result, 201);
    }
    return relay(reply, result);
  });

  app.get('/api/studies/by-uid/:studyInstanceUid', async (request, reply) => {
    const input = checkInput(reply, contract, 'retrieveStudyByUid', { params: request.params });
    if (!input) return reply;
    return relay(reply, await avara.retrieveStudyByUid(required(input.path.studyInstanceUid)));
  });

  app.get('/api/studies/:studyId', async (request, reply) => {
    const input = checkInput(reply, contract, 'retrieveStudy', { params: request.params });
    if (!input) return reply;
    return relay(reply, await avara.retrieveStudy(required(input.path.studyId)));
  });

  app.patch('/api/studies/:studyId', async (request, reply) => {
    const input = checkInput(reply, contract, 'updateStudy', { params: request.params, body: request.body });
    if (!input) return reply;
    return relay(reply, await avara.updateStudy(required(input.path.studyId), input.body));
  });

  const byReference = [
    ['cancel', 'cancelStudy', avara.cancelStudy],
    ['uncancel', 'uncancelStudy', avara.uncancelStudy],
    ['viewer-url', 'rerouteStudyUrl', avara.rerouteUrl],
  ] as const;
  for (const [action, operationId, call] of byReference) {
    app.post(`/api/studies/:studyId/${action}`, async (request, reply) => {
      const reference = { studyId: studyIdParam(request.params) };
      // The BFF names the study in the path; the upstream takes it in the body: check that body.
      const input = checkInput(reply, contract, operationId, { body: reference });
      if (!input) return reply;
      if (action === 'viewer-url') reply.header('cache-control', 'no-store');
      return relay(reply, await call(reference satisfies StudyReferenceParams));
    });
  }
}

/** Passes a success body through untouched, or answers the matching problem. */
function relay(reply: FastifyReply, result: UpstreamResult, successStatus?: number): FastifyReply {
  if (!result.ok) return sendProblem(reply, problemFromUpstream(result, 'Study'), result.retryAfter);
  return reply
    .code(successStatus ?? result.status)
    .type('application/json; charset=utf-8')
    .send(result.json);
}

function studyIdParam(params: unknown): string {
  if (typeof params === 'object' && params !== null && 'studyId' in params && typeof params.studyId === 'string') {
    return params.studyId;
  }
  return '';
}

/** Path parameters the route declares are always present once the contract check has passed. */
function required(value: string | undefined): string {
  if (value === undefined) throw new Error('A path parameter checked by the contract is missing');
  return value;
}

function readStudyId(study: unknown): string | undefined {
  if (typeof study !== 'object' || study === null || !('studyId' in study)) return undefined;
  return typeof study.studyId === 'string' && /^stu_[0-9a-f]{32}$/.test(study.studyId) ? study.studyId : undefined;
}
