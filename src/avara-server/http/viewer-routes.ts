import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyError, FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorResponse, OperationId } from '../../contract/avara-types.ts';
import { pathInputFrom, queryInputFrom } from '../../contract/contract-validator.ts';
import type { ContractValidator, ValidatedInput, ValidationIssue } from '../../contract/contract-validator.ts';
import { AvaraError, invalidRequest } from '../store/avara-error.ts';
import {
  createParamsFrom,
  listStudiesQueryFrom,
  listUsersQueryFrom,
  referenceFrom,
  updateParamsFrom,
} from '../store/operation-input.ts';
import type { StudyService } from '../store/study-service.ts';

/** Route constraints (find-my-way regular expressions) for the path segments that carry an ID. */
const ID_SEGMENT = { study: '^stu_[^/]*', user: '^usr_[^/]*' } as const;

export interface ViewerRoutesOptions {
  service: StudyService;
  validator: ContractValidator;
  apiKey: string;
}

/**
 * The Avara Viewer API routes under `/v1/viewer`, exactly as the contract names them. Every request
 * needs `Authorization: Bearer <apiKey>`; input is checked by the contract validator, not by
 * Fastify schemas, so the server and the BFF report the same problems in the same words.
 */
export const viewerRoutes: FastifyPluginAsync<ViewerRoutesOptions> = async (app, options) => {
  const { service, validator } = options;
  const expectedKey = digest(options.apiKey);

  // onRequest runs before the body is read: an unauthenticated caller cannot make us parse 1 MB.
  app.addHook('onRequest', async (request, reply) => {
    if (!hasApiKey(request.headers.authorization, expectedKey)) {
      reply.header('www-authenticate', 'Bearer');
      throw new AvaraError(
        401,
        'authentication_error',
        'Missing or invalid API key: send Authorization: Bearer <API key>',
      );
    }
  });

  function route(
    method: 'GET' | 'POST' | 'PATCH',
    url: string,
    operationId: OperationId,
    handle: (input: ValidatedInput) => unknown,
  ): void {
    app.route({
      method,
      url,
      handler: async (request) => {
        const result = validator.validateInput(operationId, {
          path: pathInputFrom(request.params),
          query: queryInputFrom(request.query),
          body: request.body,
        });
        if (!result.ok) throw invalidInputError(result.issues);
        return handle(result.value);
      },
    });
  }

  route('GET', '/studies', 'listStudies', ({ query }) => service.listStudies(listStudiesQueryFrom(query)));
  route('POST', '/studies', 'createStudy', ({ body }) => service.createStudy(createParamsFrom(body)));
  route('POST', '/studies/cancel', 'cancelStudy', ({ body }) => service.cancelStudy(referenceFrom(body)));
  route('POST', '/studies/uncancel', 'uncancelStudy', ({ body }) => service.uncancelStudy(referenceFrom(body)));
  route('POST', '/studies/reroute-url', 'rerouteStudyUrl', ({ body }) => service.rerouteUrl(referenceFrom(body)));
  route('GET', '/studies/by-uid/:studyInstanceUid', 'retrieveStudyByUid', ({ path }) =>
    service.retrieveStudyByUid(path.studyInstanceUid ?? ''),
  );
  // An ID parameter matches only a segment with the ID's prefix: any other segment is a path of the
  // Viewer API this server does not have (`/users/invitations`), which answers 404, not "userId must
  // be a user ID". A segment with the prefix but a wrong form still gets that 400.
  route('GET', `/studies/:studyId(${ID_SEGMENT.study})`, 'retrieveStudy', ({ path }) =>
    service.retrieveStudy(path.studyId ?? ''),
  );
  route('PATCH', `/studies/:studyId(${ID_SEGMENT.study})`, 'updateStudy', ({ path, body }) =>
    service.updateStudy(path.studyId ?? '', updateParamsFrom(body)),
  );
  route('GET', '/users', 'listUsers', ({ query }) => service.listUsers(listUsersQueryFrom(query)));
  route('GET', `/users/:userId(${ID_SEGMENT.user})`, 'retrieveUser', ({ path }) =>
    service.retrieveUser(path.userId ?? ''),
  );

  // Inside this plugin so an unknown /v1/viewer path is still behind the API key.
  app.setNotFoundHandler(notFoundHandler);
};

/** 400 for input that breaks the contract: the message names every field and its problem. */
export function invalidInputError(issues: readonly ValidationIssue[]): AvaraError {
  const message = issues.map((issue) => `${issue.name || issue.in} ${issue.message}`).join('; ');
  return invalidRequest(message || 'The request is not valid', issues[0]?.name || undefined);
}

export async function notFoundHandler(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const body: ErrorResponse = {
    error: { type: 'not_found', message: `No route ${request.method} ${request.url.split('?')[0] ?? ''}` },
  };
  await reply.code(404).send(body);
}

const BODY_ERRORS: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'body is not valid JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'body is empty but Content-Type says JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'body is larger than 1 MB',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'Content-Type must be application/json',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'Content-Length does not match the body',
};

/**
 * One error handler for the whole server: Avara errors as their ErrorResponse, framework errors
 * about the request as 400, anything else as a bare 500 (logged, never shown).
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    if (error instanceof AvaraError) {
      await reply.code(error.status).send(error.toResponse());
      return;
    }
    const bodyProblem = BODY_ERRORS[error.code];
    if (bodyProblem !== undefined || (error.statusCode !== undefined && error.statusCode < 500)) {
      // Every client error becomes a 400: the contract declares no other status for a bad request.
      await reply.code(400).send(invalidRequest(bodyProblem ?? 'The request is not valid').toResponse());
      return;
    }
    request.log.error({ err: error }, 'request failed');
    const body: ErrorResponse = { error: { type: 'internal_error', message: 'Internal server error' } };
    await reply.code(500).send(body);
  });
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * Compares digests, so the time taken says nothing about how much of the key matched. The key is
 * opaque: everything after `Bearer ` is the key, spaces included.
 */
function hasApiKey(header: string | undefined, expected: Buffer): boolean {
  if (header === undefined || !/^bearer /i.test(header)) return false;
  return timingSafeEqual(digest(header.slice('Bearer '.length)), expected);
}
