/**
 * RFC 9457 problem details, as the BFF answers every error and as the mock handlers mimic it.
 * `type` values are relative URIs documented in docs/api.md.
 */
export interface ProblemIssue {
  in: 'path' | 'query' | 'body';
  name: string;
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  /** Present on 400s: every field that failed, where, and why. */
  issues?: ProblemIssue[];
  /** True when the same request may succeed if sent again later (upstream down or slow, rate limit). */
  retryable?: boolean;
  /** On 409 for an update, the study as it is now, so the user can compare and reapply. */
  current?: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export const PROBLEM_TYPES = {
  invalidRequest: '/problems/invalid-request',
  notFound: '/problems/not-found',
  conflict: '/problems/conflict',
  unauthorized: '/problems/unauthorized',
  forbidden: '/problems/forbidden',
  rateLimited: '/problems/rate-limited',
  upstreamUnavailable: '/problems/upstream-unavailable',
  upstreamTimeout: '/problems/upstream-timeout',
  upstreamFailed: '/problems/upstream-failed',
  internal: '/problems/internal',
} as const;

/** The 400 answer for input that breaks the contract: one sentence naming every bad field. */
export function invalidRequestProblem(issues: ProblemIssue[]): Problem {
  return {
    type: PROBLEM_TYPES.invalidRequest,
    title: 'The request is not valid',
    status: 400,
    detail: issues.map((issue) => `${issue.name || issue.in} ${issue.message}`).join('; '),
    issues,
  };
}

/** Narrows an unknown JSON body to a Problem, for clients reading error answers. */
export function isProblem(body: unknown): body is Problem {
  if (typeof body !== 'object' || body === null) return false;
  return 'type' in body && 'title' in body && 'status' in body && typeof body.status === 'number';
}
