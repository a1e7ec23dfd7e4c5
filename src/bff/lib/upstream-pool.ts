import { Pool } from 'undici';

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
