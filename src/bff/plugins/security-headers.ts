import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';

export interface SecurityHeadersOptions {
  /** Origins allowed to frame the app (the intranet portal); 'self' is always allowed. */
  frameAncestors: string[];
  /** Send HSTS only when the app is reached over TLS. */
  hsts: boolean;
}

/**
 * Strict headers on every answer: a CSP without inline script, framing limited by CSP
 * frame-ancestors (no X-Frame-Options, which would block an allowed portal), and no referrer,
 * so a tokenized viewer URL never leaks. API answers carry PHI: never stored by a cache.
 * Registered on the root instance (not as an encapsulated plugin) so it covers every route.
 */
export async function registerSecurityHeaders(app: FastifyInstance, options: SecurityHeadersOptions): Promise<void> {
  const headers = helmetHeaders({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'self'", ...options.frameAncestors],
      },
    },
    frameguard: false,
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: options.hsts ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    crossOriginEmbedderPolicy: false,
  });
  // Set on the raw response, as @fastify/helmet does, so a route's own header (a stricter CSP) still wins.
  app.addHook('onRequest', (_request, reply, done) => {
    for (const [name, value] of headers) reply.raw.setHeader(name, value);
    done();
  });

  app.addHook('onSend', (request, reply, payload, done) => {
    if (request.url.startsWith('/api/')) reply.header('cache-control', 'no-store');
    done(null, payload);
  });
}

/**
 * The headers helmet sets, worked out once. They never vary per request here, and @fastify/helmet
 * builds helmet's middleware anew on every request (parsing the CSP each time): about 5% of the
 * BFF's CPU per API call (docs/performance.md).
 */
function helmetHeaders(options: Parameters<typeof helmet>[0]): Array<[string, string | number | string[]]> {
  const response = new ServerResponse(new IncomingMessage(new Socket()));
  helmet(options)(response.req, response, (error?: unknown) => {
    if (error) throw error instanceof Error ? error : new Error('helmet refused its options', { cause: error });
  });
  return Object.entries(response.getHeaders()).flatMap(([name, value]) => (value === undefined ? [] : [[name, value]]));
}
