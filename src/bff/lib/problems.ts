import type { FastifyReply } from 'fastify';
import {
  PROBLEM_CONTENT_TYPE,
  PROBLEM_TYPES,
  invalidRequestProblem,
  type Problem,
  type ProblemIssue,
} from '../../contract/problem.ts';
import type { UpstreamResult } from '../services/avara-client.ts';
import { UpstreamUnreachableError } from '../services/avara-client.ts';

/** Sends an RFC 9457 problem; a `retryable` problem carries Retry-After when the upstream gave one. */
export function sendProblem(reply: FastifyReply, problem: Problem, retryAfter?: string): FastifyReply {
  if (retryAfter) reply.header('retry-after', retryAfter);
  return reply.code(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem);
}

type UpstreamFailure = Extract<UpstreamResult, { ok: false }>;

/**
 * Turns an upstream error answer into the problem the browser sees. The upstream's wording is kept
 * for 400/404/409, which describe the user's request; anything else is ours to explain, and says
 * nothing of the upstream's internals.
 */
export function problemFromUpstream(result: UpstreamFailure, subject: string): Problem {
  const message = result.error?.message;
  switch (result.status) {
    case 400: {
      const name = result.error?.param ?? '';
      const issues: ProblemIssue[] = [{ in: 'body', name, message: message ?? 'is not valid' }];
      return { ...invalidRequestProblem(issues), detail: message ?? 'Avara refused the request as invalid' };
    }
    case 404:
      return { type: PROBLEM_TYPES.notFound, title: `${subject} not found`, status: 404, detail: message ?? `No such ${subject.toLowerCase()}` };
    case 409:
      return { type: PROBLEM_TYPES.conflict, title: 'Conflict', status: 409, detail: message ?? 'The request conflicts with the current state' };
    case 401:
    case 403:
      return {
        type: PROBLEM_TYPES.upstreamFailed,
        title: 'The worklist service is not authorized by Avara',
        status: 502,
        detail: 'Avara refused the worklist service\'s credentials. An administrator needs to check the API key.',
        retryable: false,
      };
    case 429:
      return {
        type: PROBLEM_TYPES.upstreamUnavailable,
        title: 'Avara is busy',
        status: 503,
        detail: 'Avara is limiting requests right now. Try again in a moment.',
        retryable: true,
      };
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
        detail: 'The studies service sent an answer the worklist cannot read. Try again; if it persists, tell your administrator.',
        retryable: true,
      };
  }
}
