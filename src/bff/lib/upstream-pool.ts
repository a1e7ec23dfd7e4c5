import { Pool, type Dispatcher } from 'undici';
import { BodyTooLargeError, DEFAULT_UPSTREAM_MAX_BYTES, readCappedText } from './upstream-body.ts';
import { isTimeoutError } from './upstream-timeouts.ts';

/**
 * The connection pool of an upstream client (Avara, Orthanc), set up alike for both: kept-alive
 * connections without pipelining (one slow answer must not hold up the requests queued behind it),
 * the request's time limit on the headers and the body, and at most 5 s to connect.
 */
export function upstreamPool(
  origin: string,
  { connections, timeoutMs }: { connections: number; timeoutMs: number },
): Pool {
  return new Pool(origin, {
    connections,
    pipelining: 1,
    keepAliveTimeout: 10_000,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    connectTimeout: Math.min(timeoutMs, 5_000),
  });
}

/** How a request can fail on its way to an upstream or back (the answer itself aside). */
export type TransportFaultKind = 'unavailable' | 'timeout' | 'too-large';

/**
 * What went wrong on the way, worded for the upstream `name` ("Avara", "Orthanc"): a body over
 * UPSTREAM_MAX_BYTES, a time limit, or no connection. Each client makes its own error of it.
 */
export function transportFault(
  name: string,
  error: unknown,
): { kind: TransportFaultKind; message: string; options?: ErrorOptions } {
  if (error instanceof BodyTooLargeError)
    return { kind: 'too-large', message: `${name} answered more than ${error.maxBytes} bytes (UPSTREAM_MAX_BYTES)` };
  return isTimeoutError(error)
    ? { kind: 'timeout', message: `${name} did not answer in time`, options: { cause: error } }
    : { kind: 'unavailable', message: `${name} could not be reached`, options: { cause: error } };
}

export interface UpstreamConnection {
  /**
   * Sends one request below the base URL's path, `body` as JSON when given, within the time limit;
   * a failure on the way is thrown as the client's own error.
   */
  request: (
    method: Dispatcher.HttpMethod,
    path: string,
    headers: Record<string, string>,
    body?: unknown,
  ) => Promise<Dispatcher.ResponseData>;
  /** The answer's body as text, at most the client's byte limit (a failure is the client's error). */
  readText: (response: Dispatcher.ResponseData) => Promise<string>;
  close: () => Promise<void>;
}

/**
 * An upstream client's way to the upstream at `baseUrl` (a path prefix behind a reverse proxy is
 * kept), over `upstreamPool`, reading at most `maxBodyBytes` (UPSTREAM_MAX_BYTES) of an answer;
 * `fault` turns what undici or the body reader throws into the client's error.
 */
export function upstreamConnection(
  options: { baseUrl: string; connections: number; timeoutMs: number; maxBodyBytes?: number | undefined },
  fault: (error: unknown) => Error,
): UpstreamConnection {
  const base = new URL(options.baseUrl);
  const prefix = base.pathname.replace(/\/$/, '');
  const pool = upstreamPool(base.origin, options);
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_UPSTREAM_MAX_BYTES;
  return {
    async request(method, path, headers, body) {
      try {
        return await pool.request({
          method,
          path: prefix + path,
          headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(options.timeoutMs),
        });
      } catch (error) {
        throw fault(error);
      }
    },
    async readText(response) {
      try {
        return await readCappedText(response.body, maxBodyBytes, response.headers['content-length']);
      } catch (error) {
        throw fault(error);
      }
    },
    close: () => pool.close(),
  };
}
