import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

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
  await app.register(helmet, {
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

  app.addHook('onSend', async (request, reply) => {
    if (request.url.startsWith('/api/')) reply.header('cache-control', 'no-store');
  });
}
