import { Pool } from 'undici';
import { isTimeoutError } from '../lib/upstream-timeouts.ts';
import type { ErrorResponse, StudyReferenceParams } from '../../contract/avara-types.ts';

export interface AvaraClientOptions {
  /** Origin (and optional path prefix) of the Avara API, e.g. https://api.avarasoftware.com */
  baseUrl: string;
  apiKey: string;
  timeoutMs: number;
  /** How many times an idempotent read is sent again after a network fault or a 502/503/504. */
  retries: number;
  /** Upper bound for concurrent connections to the upstream. */
  connections?: number;
}

/**
 * What the upstream answered: on success its JSON text, passed on to the browser as it came (the
 * contract tests hold the upstream to the document; not re-encoding it keeps the BFF's cost low);
 * otherwise its error, when it sent one we can read.
 */
export type UpstreamResult =
  | { ok: true; status: number; json: string }
  | { ok: false; status: number; error: ErrorResponse['error'] | undefined; retryAfter: string | undefined };

/** The upstream could not be reached, or did not answer in time; `kind` tells which. */
export class UpstreamUnreachableError extends Error {
  readonly kind: 'unavailable' | 'timeout' | 'invalid-response';
  constructor(kind: 'unavailable' | 'timeout' | 'invalid-response', message: string, options?: ErrorOptions) {
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
  cancelStudy(reference: StudyReferenceParams): Promise<UpstreamResult>;
  uncancelStudy(reference: StudyReferenceParams): Promise<UpstreamResult>;
  rerouteUrl(reference: StudyReferenceParams): Promise<UpstreamResult>;
  listUsers(query: Query): Promise<UpstreamResult>;
  retrieveUser(userId: string): Promise<UpstreamResult>;
  close(): Promise<void>;
}

const RETRYABLE_STATUS = new Set([502, 503, 504]);

/**
 * The one HTTP client for the Avara Viewer API, used alike for the real service and the bundled one.
 * The key is held in this closure only: it goes into the Authorization header and nowhere else.
 */
export function createAvaraClient(options: AvaraClientOptions): AvaraClient {
  const base = new URL(options.baseUrl);
  const prefix = base.pathname.replace(/\/$/, '');
  const pool = new Pool(base.origin, {
    connections: options.connections ?? 64,
    pipelining: 1,
    keepAliveTimeout: 10_000,
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    connectTimeout: Math.min(options.timeoutMs, 5_000),
  });
  const authorization = `Bearer ${options.apiKey}`;

  async function send(method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown): Promise<UpstreamResult> {
    const attempts = method === 'GET' ? options.retries + 1 : 1;
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await sendOnce(method, path, body);
        if (result.ok || attempt >= attempts || !RETRYABLE_STATUS.has(result.status)) return result;
      } catch (error) {
        if (attempt >= attempts || !(error instanceof UpstreamUnreachableError) || error.kind === 'invalid-response') {
          throw error;
        }
      }
      await delay(backoffMs(attempt));
    }
  }

  async function sendOnce(method: string, path: string, body: unknown): Promise<UpstreamResult> {
    const headers: Record<string, string> = { authorization, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response;
    try {
      response = await pool.request({
        method,
        path: prefix + path,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (error) {
      throw toUnreachable(error);
    }
    let text: string;
    try {
      text = await response.body.text();
    } catch (error) {
      throw toUnreachable(error);
    }
    if (response.statusCode >= 200 && response.statusCode < 300) {
      // A cheap shape check instead of a full parse: every success body of the contract is an object.
      if (!text.trimStart().startsWith('{')) {
        throw new UpstreamUnreachableError('invalid-response', `Avara answered ${response.statusCode} without a JSON object`);
      }
      return { ok: true, status: response.statusCode, json: text };
    }
    const parsed = parseJson(text);
    const retryAfter = response.headers['retry-after'];
    return {
      ok: false,
      status: response.statusCode,
      error: readError(parsed),
      retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined,
    };
  }

  const studyPath = (studyId: string) => `/v1/viewer/studies/${encodeURIComponent(studyId)}`;

  return {
    listStudies: (query) => send('GET', `/v1/viewer/studies${queryString(query)}`),
    createStudy: (body) => send('POST', '/v1/viewer/studies', body),
    retrieveStudy: (studyId) => send('GET', studyPath(studyId)),
    retrieveStudyByUid: (uid) => send('GET', `/v1/viewer/studies/by-uid/${encodeURIComponent(uid)}`),
    updateStudy: (studyId, body) => send('PATCH', studyPath(studyId), body),
    cancelStudy: (reference) => send('POST', '/v1/viewer/studies/cancel', reference),
    uncancelStudy: (reference) => send('POST', '/v1/viewer/studies/uncancel', reference),
    rerouteUrl: (reference) => send('POST', '/v1/viewer/studies/reroute-url', reference),
    listUsers: (query) => send('GET', `/v1/viewer/users${queryString(query)}`),
    retrieveUser: (userId) => send('GET', `/v1/viewer/users/${encodeURIComponent(userId)}`),
    close: () => pool.close(),
  };
}

function queryString(query: Query): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) params.set(name, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** Parses a success body when the BFF itself needs to look inside it. */
export function parseUpstreamJson(result: { json: string }): unknown {
  return parseJson(result.json);
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function readError(body: unknown): ErrorResponse['error'] | undefined {
  if (typeof body !== 'object' || body === null || !('error' in body)) return undefined;
  const error = body.error;
  if (typeof error !== 'object' || error === null || !('message' in error) || typeof error.message !== 'string') {
    return undefined;
  }
  const type = 'type' in error && typeof error.type === 'string' ? error.type : 'internal_error';
  const param = 'param' in error && typeof error.param === 'string' ? error.param : undefined;
  return { type: isErrorType(type) ? type : 'internal_error', message: error.message, ...(param ? { param } : {}) };
}

function isErrorType(value: string): value is ErrorResponse['error']['type'] {
  return ['invalid_request', 'authentication_error', 'not_found', 'conflict', 'internal_error'].includes(value);
}

function toUnreachable(error: unknown): UpstreamUnreachableError {
  if (error instanceof UpstreamUnreachableError) return error;
  return isTimeoutError(error)
    ? new UpstreamUnreachableError('timeout', 'Avara did not answer in time', { cause: error })
    : new UpstreamUnreachableError('unavailable', 'Avara could not be reached', { cause: error });
}

function backoffMs(attempt: number): number {
  const base = 100 * 2 ** (attempt - 1);
  return base + Math.floor(Math.random() * base);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
