/**
 * RFC 9457 problem details, as the BFF answers every error and as the mock handlers mimic it.
 * `type` values are relative URIs documented in docs/api.md.
 */
import type { ReadingLease } from './worklist-events.ts';

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
  /** Present on 400s: the fields that failed, where, and why (at most PROBLEM_LIMITS.issues of them). */
  issues?: ProblemIssue[];
  /** How many more issues were found than `issues` lists. */
  moreIssues?: number;
  /** True when the same request may succeed if sent again later (upstream down or slow, rate limit). */
  retryable?: boolean;
  /** On 409 for an update, the study as it is now, so the user can compare and reapply; for a reading lease, the lease as it is now. */
  current?: unknown;
  /** On 409 from POST /api/reading/next: the reading leases the person holds already (READING_MAX_LEASES reached). */
  leases?: ReadingLease[];
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export const PROBLEM_TYPES = {
  invalidRequest: '/problems/invalid-request',
  notFound: '/problems/not-found',
  conflict: '/problems/conflict',
  preconditionRequired: '/problems/precondition-required',
  busy: '/problems/busy',
  overloaded: '/problems/overloaded',
  unauthorized: '/problems/unauthorized',
  forbidden: '/problems/forbidden',
  rateLimited: '/problems/rate-limited',
  upstreamUnavailable: '/problems/upstream-unavailable',
  upstreamRateLimited: '/problems/upstream-rate-limited',
  upstreamTimeout: '/problems/upstream-timeout',
  upstreamFailed: '/problems/upstream-failed',
  internal: '/problems/internal',
  reportLinkExpired: '/problems/report-link-expired',
} as const;

/**
 * How much of a bad request an error body repeats: a 256 KiB body can hold tens of thousands of bad
 * values, and the answer must stay small however many there are or however long each one is.
 */
export const PROBLEM_LIMITS = { issues: 20, text: 200 } as const;

/** Text from a request (a field name, a key, a value) cut to PROBLEM_LIMITS.text characters. */
export function boundedText(text: string): string {
  return text.length > PROBLEM_LIMITS.text ? `${text.slice(0, PROBLEM_LIMITS.text - 1)}…` : text;
}

/**
 * The 400 answer for input that breaks the contract: one sentence naming the bad fields, at most
 * PROBLEM_LIMITS.issues of them (and how many more there are), each name and message bounded.
 */
export function invalidRequestProblem(issues: readonly ProblemIssue[]): Problem {
  const shown = issues
    .slice(0, PROBLEM_LIMITS.issues)
    .map((issue) => ({ in: issue.in, name: boundedText(issue.name), message: boundedText(issue.message) }));
  const more = issues.length - shown.length;
  const sentences = shown.map((issue) => `${issue.name || issue.in} ${issue.message}`);
  if (more > 0) sentences.push(`and ${more} more ${more === 1 ? 'issue' : 'issues'}`);
  return {
    type: PROBLEM_TYPES.invalidRequest,
    title: 'The request is not valid',
    status: 400,
    detail: sentences.join('; '),
    issues: shown,
    ...(more > 0 ? { moreIssues: more } : {}),
  };
}

/** Narrows an unknown JSON body to a Problem, for clients reading error answers. */
export function isProblem(body: unknown): body is Problem {
  if (typeof body !== 'object' || body === null) return false;
  return 'type' in body && 'title' in body && 'status' in body && typeof body.status === 'number';
}
