import { isProblem } from '../../contract/problem.ts';
import type { Problem, ProblemIssue } from '../../contract/problem.ts';
import { connection, isServerAnswer } from './connection/connection-state.ts';

export const NETWORK_ERROR_MESSAGE = 'Cannot reach the server. Check your connection and try again.';

interface ApiErrorInit {
  status: number;
  title: string;
  detail: string;
  type?: string;
  issues?: ProblemIssue[];
  retryable?: boolean;
  cause?: unknown;
  problem?: Problem;
}

/**
 * Every failed API call becomes one of these: an RFC 9457 problem from the BFF, a non-problem error
 * answer, or `status: 0` when the server could not be reached at all.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly type: string;
  readonly issues: ProblemIssue[];
  /** True when sending the same request again later may succeed. */
  readonly retryable: boolean;
  /** The whole problem body, with any extra members (e.g. a 409's `current` study). */
  readonly problem: Problem | undefined;

  constructor(init: ApiErrorInit) {
    super(init.detail || init.title, { cause: init.cause });
    this.status = init.status;
    this.title = init.title;
    this.detail = init.detail;
    this.type = init.type ?? 'about:blank';
    this.issues = init.issues ?? [];
    // Without an explicit word from the server, only "could not reach it" and 5xx are worth retrying.
    this.retryable = init.retryable ?? (init.status === 0 || init.status >= 500);
    this.problem = init.problem;
  }

  get isNetworkError(): boolean {
    return this.status === 0;
  }
}

type QueryValue = string | number | boolean | null | undefined;

export interface ApiRequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /**
   * Query parameters; `undefined` and `null` are left out. An empty string is sent as `name=`, which
   * the API reads as "explicitly none" (e.g. `assignedTo=` selects unassigned studies).
   */
  query?: Record<string, QueryValue>;
  /** Sent as JSON. */
  body?: unknown;
  /** Extra request headers, e.g. `If-Match`. */
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

function buildUrl(path: string, query: ApiRequestOptions['query']): URL {
  // Resolved against the document so requests stay same-origin (and work under jsdom, whose fetch
  // needs an absolute URL).
  const url = new URL(path, document.baseURI);
  if (url.origin !== window.location.origin) {
    throw new Error(`API paths must be same-origin, got ${path}`);
  }
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null) continue;
    url.searchParams.set(key, String(value));
  }
  return url;
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function errorFromResponse(response: Response, body: unknown): ApiError {
  if (isProblem(body)) {
    return new ApiError({
      status: body.status,
      title: body.title,
      detail: body.detail,
      type: body.type,
      issues: body.issues,
      retryable: body.retryable,
      problem: body,
    });
  }
  // Something in between (a proxy, a gateway) answered without a problem body.
  const title = response.statusText || `HTTP ${response.status}`;
  return new ApiError({
    status: response.status,
    title,
    detail:
      response.status >= 500
        ? 'The server had a problem answering. Try again in a moment.'
        : `The server refused the request (${title}).`,
  });
}

/**
 * Sends a request to the BFF: same-origin, with the anti-forgery header the BFF demands on every
 * route. A network failure (or a body that breaks off) becomes an ApiError with status 0.
 */
async function send<T>(
  path: string,
  options: ApiRequestOptions,
  accept: string,
  read: (response: Response) => Promise<T>,
): Promise<{ response: Response; body: T }> {
  const { method = 'GET', query, body, signal } = options;
  const headers = new Headers({ ...options.headers, Accept: accept, 'X-CSRF': '1' });
  if (body !== undefined) headers.set('Content-Type', 'application/json');
  // Outside the try: a path on another origin is a bug in the caller, not a network failure.
  const url = buildUrl(path, query);
  let answer: { response: Response; body: T };
  try {
    const response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      signal,
    });
    // Inside the try: a connection reset while the body streams is a network failure too.
    answer = { response, body: await read(response) };
  } catch (error) {
    // An abort is the caller's own doing (e.g. TanStack Query cancelling), not a network failure.
    if (signal?.aborted) throw error;
    connection.reportFailure();
    throw new ApiError({
      status: 0,
      title: 'Network error',
      detail: NETWORK_ERROR_MESSAGE,
      retryable: true,
      cause: error,
    });
  }
  // Every answer, or its absence above, tells the page whether the server is there.
  if (isServerAnswer(answer.response)) connection.reportSuccess();
  else connection.reportFailure();
  return answer;
}

/** Calls the BFF with JSON in and out. Resolves with the parsed body; rejects with an {@link ApiError}. */
export async function apiRequest<T>(path: string, options: ApiRequestOptions = {}): Promise<T> {
  const { response, body } = await send(path, options, 'application/json', readBody);
  if (!response.ok) throw errorFromResponse(response, body);
  // The BFF checks upstream answers before relaying them; callers that render a body straight
  // into many rows check it again with apiRequestChecked.
  return body as T;
}

export const UNEXPECTED_ANSWER_DETAIL =
  'The server sent an answer the worklist cannot read. Try again; if it persists, tell your administrator.';

/**
 * Like {@link apiRequest}, for answers whose shape is checked before use: a success body that is not
 * JSON or fails `isAnswer` rejects like a 502 (retryable), so the caller shows its error and Retry
 * instead of rendering something it cannot.
 */
export async function apiRequestChecked<T>(
  path: string,
  isAnswer: (body: unknown) => body is T,
  options: ApiRequestOptions = {},
): Promise<T> {
  const body = await apiRequest<unknown>(path, options);
  if (isAnswer(body)) return body;
  throw new ApiError({
    status: 502,
    title: 'Unexpected answer',
    detail: UNEXPECTED_ANSWER_DETAIL,
    type: '/problems/upstream-failed',
    retryable: true,
  });
}

/** Calls the BFF for a binary answer (an image). Errors are read as problem+json like any other. */
export async function apiBlob(path: string, options: ApiRequestOptions = {}): Promise<Blob> {
  const { response, body } = await send(path, options, 'image/*, application/problem+json', (answer) =>
    answer.ok ? answer.blob() : readBody(answer),
  );
  if (!response.ok || !(body instanceof Blob)) throw errorFromResponse(response, body);
  return body;
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}
