import type { FastifyReply } from 'fastify';
import type {
  ListStudiesQuery,
  ListUsersQuery,
  StudyCreateParams,
  StudyReferenceParams,
  StudyUpdateParams,
} from '../../contract/avara-types.ts';
import { PROBLEM_CONTENT_TYPE, PROBLEM_TYPES, invalidRequestProblem, type Problem } from '../../contract/problem.ts';
import type { UpstreamResult } from '../services/avara-client.ts';
import { UpstreamUnreachableError } from '../services/avara-client.ts';

/**
 * Sends an RFC 9457 problem. A 429 or 503 carries Retry-After when one was given (the Avara client
 * has already checked it is a number of seconds or an HTTP date); no other status does.
 */
export function sendProblem(reply: FastifyReply, problem: Problem, retryAfter?: string): FastifyReply {
  if (retryAfter && (problem.status === 429 || problem.status === 503)) reply.header('retry-after', retryAfter);
  return reply.code(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem);
}

type UpstreamFailure = Extract<UpstreamResult, { ok: false }>;

type PathParameter = 'studyId' | 'studyInstanceUid' | 'userId';
type RequestField =
  | keyof ListStudiesQuery
  | keyof ListUsersQuery
  | keyof StudyCreateParams
  | keyof StudyUpdateParams
  | keyof StudyReferenceParams
  | PathParameter;

/**
 * Every parameter and request-body field of the contract (the compiler holds each to a generated
 * type; a test holds the list to the document). An upstream 400's `param` is named to the user only
 * when it is one of these.
 */
export const REQUEST_FIELD_NAMES: readonly RequestField[] = [
  'assignedTo',
  'cursor',
  'email',
  'expressCustomerId',
  'firstName',
  'invitedSource',
  'isCancelled',
  'lastName',
  'level',
  'limit',
  'metadata',
  'severity',
  'studyDescription',
  'studyId',
  'studyInstanceUid',
  'studyViewerStatus',
  'userId',
];
const KNOWN_FIELDS = new Set<string>(REQUEST_FIELD_NAMES);
const PATH_PARAMETERS = new Set<string>(['studyId', 'studyInstanceUid', 'userId'] satisfies PathParameter[]);

/**
 * The field an upstream's `param` names, when it is one the contract knows: `metadata/key` and
 * `metadata.key` name `metadata` (the key is the user's own text, and may be anything).
 */
export function knownField(param: string | undefined): string | undefined {
  const field = param?.split(/[/.[]/, 1)[0];
  return field !== undefined && KNOWN_FIELDS.has(field) ? field : undefined;
}

/**
 * Turns an upstream error answer into the problem the browser sees. The upstream's own wording is
 * never passed on: it may echo anything (request headers, the API key, internals). What the user
 * sees is ours, plus, on a 400, the name of the refused field when the contract knows it.
 */
export function problemFromUpstream(result: UpstreamFailure, subject: string): Problem {
  const noun = subject.toLowerCase();
  switch (result.status) {
    case 400: {
      const name = knownField(result.error?.param);
      if (!name) return { ...invalidRequestProblem([]), detail: 'Avara refused the request as invalid.' };
      const where = result.error?.in === 'body' || !PATH_PARAMETERS.has(name) ? (result.error?.in ?? 'body') : 'path';
      return {
        ...invalidRequestProblem([{ in: where, name, message: 'was refused by Avara' }]),
        detail: `Avara refused the value of ${name}.`,
      };
    }
    case 404:
      return { type: PROBLEM_TYPES.notFound, title: `${subject} not found`, status: 404, detail: `No such ${noun}.` };
    case 409:
      return {
        type: PROBLEM_TYPES.conflict,
        title: 'Conflict',
        status: 409,
        detail: `The ${noun} is not in a state that allows this; someone may have changed it. Reload it to see how it is now.`,
      };
    case 401:
    case 403:
      return {
        type: PROBLEM_TYPES.upstreamFailed,
        title: 'The worklist service is not authorized by Avara',
        status: 502,
        detail: "Avara refused the worklist service's credentials. An administrator needs to check the API key.",
        retryable: false,
      };
    case 429:
      return {
        type: PROBLEM_TYPES.upstreamRateLimited,
        title: 'Avara is busy',
        status: 429,
        detail: 'Avara is limiting requests right now. Try again in a moment.',
        retryable: true,
      };
    case 503:
      return {
        type: PROBLEM_TYPES.upstreamUnavailable,
        title: 'Avara is unavailable',
        status: 503,
        detail: 'The studies service is unavailable right now. Try again in a moment.',
        retryable: true,
      };
    case 504:
      return problemFromUnreachable(new UpstreamUnreachableError('timeout', 'Avara answered 504'));
    default:
      return {
        type: PROBLEM_TYPES.upstreamFailed,
        title: 'Avara could not complete the request',
        status: 502,
        detail: `Avara answered with an error (${result.status}). Try again in a moment.`,
        retryable: result.status >= 500,
      };
  }
}

/** The problem for an upstream that could not be reached, timed out, or answered nonsense. */
export function problemFromUnreachable(error: UpstreamUnreachableError): Problem {
  switch (error.kind) {
    case 'timeout':
      return {
        type: PROBLEM_TYPES.upstreamTimeout,
        title: 'Avara did not answer in time',
        status: 504,
        detail: 'The studies service is slow to answer. Try again in a moment.',
        retryable: true,
      };
    case 'unavailable':
      return {
        type: PROBLEM_TYPES.upstreamUnavailable,
        title: 'Avara cannot be reached',
        status: 503,
        detail: 'The studies service cannot be reached right now. Try again in a moment.',
        retryable: true,
      };
    case 'invalid-response':
      return {
        type: PROBLEM_TYPES.upstreamFailed,
        title: 'Avara answered in an unexpected form',
        status: 502,
        detail:
          'The studies service sent an answer the worklist cannot read. Try again; if it persists, tell your administrator.',
        retryable: true,
      };
    case 'too-large':
      return {
        type: PROBLEM_TYPES.upstreamFailed,
        title: 'Avara answered with too much data',
        status: 502,
        detail:
          'The studies service sent an answer larger than the worklist accepts (UPSTREAM_MAX_BYTES). If it persists, tell your administrator.',
        retryable: false,
      };
  }
}
