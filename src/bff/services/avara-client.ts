import { safeRetryAfter } from '../lib/upstream-body.ts';
import { observed, type UpstreamObserver } from '../lib/upstream-observer.ts';
import {
  isRerouteUrlResponse,
  isStudy,
  isStudyListPage,
  isSuccessResponse,
  isUser,
  isUserListPage,
} from '../../contract/answer-shapes.ts';
import type { ErrorType, StudyReferenceParams } from '../../contract/avara-types.ts';
import { transportFault, upstreamConnection } from '../lib/upstream-pool.ts';

export interface AvaraClientOptions {
  /** Origin (and optional path prefix) of the Avara API, e.g. https://api.avarasoftware.com */
  baseUrl: string;
  apiKey: string;
  timeoutMs: number;
  /** How many times an idempotent read is sent again after a network fault or a 502/503/504. */
  retries: number;
  /** Upper bound for concurrent connections to the upstream. */
  connections?: number;
  /** The largest answer read (UPSTREAM_MAX_BYTES); a larger one is dropped unread. */
  maxBodyBytes?: number;
  /** Told of every exchange, retries included (the metrics' upstream latency and errors). */
  observe?: UpstreamObserver;
}

/**
 * What the BFF keeps of an upstream error body: its type and the parameter it names, never its
 * wording (which may echo anything, the request's headers included). `in` says where a parameter of
 * this request would be: the query for a GET, the body otherwise.
 */
export interface UpstreamError {
  type: ErrorType;
  param?: string;
  in: 'query' | 'body';
}

/**
 * What the upstream answered: on success its JSON text, parsed and shape-checked, passed on to the
 * browser as it came (not re-encoding it keeps the BFF's cost low), with the parsed body for the BFF
 * to look inside; otherwise its status, error and a valid Retry-After, if any.
 */
export type UpstreamResult =
  | { ok: true; status: number; json: string; body: unknown }
  | { ok: false; status: number; error: UpstreamError | undefined; retryAfter: string | undefined };

export type UpstreamFaultKind = 'unavailable' | 'timeout' | 'invalid-response' | 'too-large';

/**
 * The upstream could not be reached, did not answer in time, answered in a form the contract does
 * not allow, or answered more than UPSTREAM_MAX_BYTES; `kind` tells which. The message is ours and
 * never quotes the answer.
 */
export class UpstreamUnreachableError extends Error {
  readonly kind: UpstreamFaultKind;
  constructor(kind: UpstreamFaultKind, message: string, options?: ErrorOptions) {
    super(message, options);
    this.kind = kind;
  }
}

type Query = Record<string, string | number | boolean>;

export interface AvaraClient {
  listStudies(query: Query): Promise<UpstreamResult>;
  createStudy(body: unknown): Promise<UpstreamResult>;
  retrieveStudy(studyId: string): Promise<UpstreamResult>;
  retrieveStudyByUid(studyInstanceUid: string): Promise<UpstreamResult>;
  updateStudy(studyId: string, body: unknown): Promise<UpstreamResult>;
  cancelStudy: (reference: StudyReferenceParams) => Promise<UpstreamResult>;
  uncancelStudy: (reference: StudyReferenceParams) => Promise<UpstreamResult>;
  rerouteUrl: (reference: StudyReferenceParams) => Promise<UpstreamResult>;
  listUsers(query: Query): Promise<UpstreamResult>;
  retrieveUser(userId: string): Promise<UpstreamResult>;
  close(): Promise<void>;
}

const RETRYABLE_STATUS = new Set([502, 503, 504]);

/** What a success body of each kind must look like; anything else is an invalid response. */
type Shape = (body: unknown) => boolean;

/**
 * The one HTTP client for the Avara Viewer API, used alike for the real service and the bundled one.
 * The key is held in this closure only: it goes into the Authorization header and nowhere else.
 */
export function createAvaraClient(options: AvaraClientOptions): AvaraClient {
  const upstream = upstreamConnection({ ...options, connections: options.connections ?? 64 }, toUnreachable);
  const authorization = `Bearer ${options.apiKey}`;
  // An empty key (tests only: production requires one) would be "contained" in every body.
  const echoesKey = options.apiKey.length >= 8 ? (text: string) => text.includes(options.apiKey) : () => false;

  async function send(
    operation: string,
    method: 'GET' | 'POST' | 'PATCH',
    path: string,
    shape: Shape,
    body?: unknown,
  ): Promise<UpstreamResult> {
    const attempts = method === 'GET' ? options.retries + 1 : 1;
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await observed(
          options.observe,
          operation,
          () => sendOnce(method, path, shape, body),
          (answer) => answer.status,
          (error) => (error instanceof UpstreamUnreachableError ? error.kind : undefined),
        );
        // An upstream that says when to come back is not asked again at once.
        if (result.ok || attempt >= attempts || !RETRYABLE_STATUS.has(result.status) || result.retryAfter !== undefined)
          return result;
      } catch (error) {
        if (
          attempt >= attempts ||
          !(error instanceof UpstreamUnreachableError) ||
          error.kind === 'invalid-response' ||
          error.kind === 'too-large'
        ) {
          throw error;
        }
      }
      await delay(backoffMs(attempt));
    }
  }

  async function sendOnce(
    method: 'GET' | 'POST' | 'PATCH',
    path: string,
    shape: Shape,
    body: unknown,
  ): Promise<UpstreamResult> {
    const response = await upstream.request(method, path, { authorization, accept: 'application/json' }, body);
    const text = await upstream.readText(response);
    const status = response.statusCode;
    if (status >= 200 && status < 300) {
      // Parsed and shape-checked before anything is relayed (docs/decisions/010). The errors say
      // only what went wrong, never what the body held: it may be anything, the key included.
      const parsed = parseJson(text);
      if (parsed === undefined || !shape(parsed)) {
        throw new UpstreamUnreachableError(
          'invalid-response',
          `Avara answered ${status} to ${method} ${pathOnly(path)} in a form the contract does not allow`,
        );
      }
      if (echoesKey(text)) {
        throw new UpstreamUnreachableError(
          'invalid-response',
          `Avara answered ${status} to ${method} ${pathOnly(path)} with the API key in the body`,
        );
      }
      return { ok: true, status, json: text, body: parsed };
    }
    return {
      ok: false,
      status,
      error: readError(parseJson(text), method === 'GET' ? 'query' : 'body', echoesKey),
      retryAfter: status === 429 || status === 503 ? safeRetryAfter(response.headers['retry-after']) : undefined,
    };
  }

  const studyPath = (studyId: string) => `/v1/viewer/studies/${encodeURIComponent(studyId)}`;

  return {
    listStudies: (query) => send('listStudies', 'GET', `/v1/viewer/studies${queryString(query)}`, isStudyListPage),
    createStudy: (body) => send('createStudy', 'POST', '/v1/viewer/studies', isStudy, body),
    retrieveStudy: (studyId) => send('retrieveStudy', 'GET', studyPath(studyId), isStudy),
    retrieveStudyByUid: (uid) =>
      send('retrieveStudyByUid', 'GET', `/v1/viewer/studies/by-uid/${encodeURIComponent(uid)}`, isStudy),
    updateStudy: (studyId, body) => send('updateStudy', 'PATCH', studyPath(studyId), isStudy, body),
    cancelStudy: (reference) => send('cancelStudy', 'POST', '/v1/viewer/studies/cancel', isSuccessResponse, reference),
    uncancelStudy: (reference) =>
      send('uncancelStudy', 'POST', '/v1/viewer/studies/uncancel', isSuccessResponse, reference),
    rerouteUrl: (reference) =>
      send('rerouteUrl', 'POST', '/v1/viewer/studies/reroute-url', isRerouteUrlResponse, reference),
    listUsers: (query) => send('listUsers', 'GET', `/v1/viewer/users${queryString(query)}`, isUserListPage),
    retrieveUser: (userId) => send('retrieveUser', 'GET', `/v1/viewer/users/${encodeURIComponent(userId)}`, isUser),
    close: upstream.close,
  };
}

/** A request path without its query, for messages (filters are the user's words). */
function pathOnly(path: string): string {
  return path.split('?')[0] ?? path;
}

function queryString(query: Query): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) params.set(name, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** A success body as the BFF looks inside it (parsed once, when it arrived). */
export function parseUpstreamJson(result: { body: unknown }): unknown {
  return result.body;
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The longest `param` kept; the name of a contract field is far shorter. */
const MAX_PARAM_LENGTH = 200;

function readError(
  body: unknown,
  where: UpstreamError['in'],
  echoesKey: (text: string) => boolean,
): UpstreamError | undefined {
  if (typeof body !== 'object' || body === null || !('error' in body)) return undefined;
  const error = body.error;
  if (typeof error !== 'object' || error === null) return undefined;
  const type = 'type' in error && typeof error.type === 'string' ? error.type : 'internal_error';
  const param =
    'param' in error && typeof error.param === 'string' && !echoesKey(error.param)
      ? error.param.slice(0, MAX_PARAM_LENGTH)
      : undefined;
  return { type: isErrorType(type) ? type : 'internal_error', in: where, ...(param ? { param } : {}) };
}

function isErrorType(value: string): value is ErrorType {
  return ['invalid_request', 'authentication_error', 'not_found', 'conflict', 'internal_error'].includes(value);
}

function toUnreachable(error: unknown): UpstreamUnreachableError {
  if (error instanceof UpstreamUnreachableError) return error;
  const fault = transportFault('Avara', error);
  return new UpstreamUnreachableError(fault.kind, fault.message, fault.options);
}

function backoffMs(attempt: number): number {
  const base = 100 * 2 ** (attempt - 1);
  return base + Math.floor(Math.random() * base);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
