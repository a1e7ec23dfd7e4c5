import { randomUUID } from 'node:crypto';
import type { Writable } from 'node:stream';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { ContractValidator } from '../contract/contract-validator.ts';
import { PROBLEM_TYPES, type Problem } from '../contract/problem.ts';
import type { AuthContext } from './auth/auth-context.ts';
import { registerAuth } from './auth/auth-plugin.ts';
import { authRoutes } from './auth/auth-routes.ts';
import type { BffConfig } from './config/env.ts';
import { sendProblem, problemFromUnreachable } from './lib/problems.ts';
import { registerSecurityHeaders } from './plugins/security-headers.ts';
import { createSpaPage, isSpaBuilt, registerStaticSpa } from './plugins/static-spa.ts';
import type { PacsServices } from './pacs/pacs-services.ts';
import { viewerAccess, viewerProxyRoutes } from './pacs/viewer-proxy.ts';
import { healthRoutes } from './routes/api/health/health-routes.ts';
import { pacsRoutes } from './routes/api/pacs/pacs-routes.ts';
import { studiesRoutes } from './routes/api/studies/studies-routes.ts';
import { worklistRoutes } from './routes/api/worklist/worklist-routes.ts';
import { UpstreamUnreachableError, type AvaraClient } from './services/avara-client.ts';

export interface AppOptions {
  auth: AuthContext;
  config: Pick<BffConfig, 'LOG_LEVEL' | 'PUBLIC_URL'>;
  avara: AvaraClient;
  contract: ContractValidator;
  upstream: 'avara' | 'bundled';
  /** Folder of the built SPA. */
  spaRoot: string;
  /** Extra routes mounted on the BFF's origin, e.g. the bundled server's viewer launch page. */
  extraRoutes?: (app: FastifyInstance) => Promise<void>;
  /** The PACS (ORTHANC_URL); `viewer`: serve Orthanc's web viewer on this origin (with the bundled server). */
  pacs?: { services: PacsServices; viewer: boolean };
  /** Where log lines go (stdout by default); tests read them from here. */
  logStream?: Writable;
}

/**
 * A viewer launch link is a credential until it expires, and an OIDC callback carries a code and
 * state: neither query string goes to the log. Others are kept, since they say what a user asked
 * for (filters).
 */
export function loggableUrl(url: string): string {
  return url.startsWith('/launch/') || url.startsWith('/auth/callback') ? url.split('?')[0] ?? url : url;
}

/** Assembles the BFF: plugins, routes, and one error handler that never shows a 5xx's internals. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: {
      level: options.config.LOG_LEVEL,
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'], censor: '[redacted]' },
      serializers: {
        req: (request: { method: string; url: string; ip?: string }) => ({
          method: request.method,
          url: loggableUrl(request.url),
          remoteAddress: request.ip,
        }),
      },
      ...(options.logStream ? { stream: options.logStream } : {}),
    },
    genReqId: () => randomUUID(),
    bodyLimit: 256 * 1024,
    routerOptions: { maxParamLength: 200 },
    requestTimeout: 30_000,
    connectionTimeout: 60_000,
    keepAliveTimeout: 10_000,
  });

  // Decided once: a build made while the server runs is picked up at the next start.
  const spaBuilt = isSpaBuilt(options.spaRoot);

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof UpstreamUnreachableError) {
      request.log.warn({ reason: error.kind, cause: String(error.cause ?? '') }, 'upstream unreachable');
      return sendProblem(reply, problemFromUnreachable(error));
    }
    const status = typeof error.statusCode === 'number' ? error.statusCode : 500;
    if (status === 429) {
      return sendProblem(reply, {
        type: PROBLEM_TYPES.rateLimited,
        title: 'Too many requests',
        status: 429,
        detail: error.message,
        retryable: true,
      });
    }
    if (status >= 400 && status < 500) {
      // Fastify's own 4xx (malformed JSON, body too large, wrong content type) describe the request.
      return sendProblem(reply, {
        type: status === 400 ? PROBLEM_TYPES.invalidRequest : `/problems/http-${status}`,
        title: status === 400 ? 'The request is not valid' : 'The request cannot be handled',
        status,
        detail: error.message,
      });
    }
    request.log.error({ err: error }, 'request failed');
    const problem: Problem = {
      type: PROBLEM_TYPES.internal,
      title: 'Something went wrong',
      status: 500,
      detail: `The server could not complete the request. Reference: ${request.id}`,
      retryable: true,
    };
    return sendProblem(reply, problem);
  });

  const sendSpaPage = createSpaPage(options.spaRoot, options.auth);
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    if (path.startsWith('/api/') || path === '/api' || (request.method !== 'GET' && request.method !== 'HEAD')) {
      return sendProblem(reply, {
        type: PROBLEM_TYPES.notFound,
        title: 'Not found',
        status: 404,
        detail: `No route ${request.method} ${path}`,
      });
    }
    if (!spaBuilt) {
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send('The web app has not been built. Run `npm run build` (or `npm start`, which builds it).');
    }
    // Client-side routes (/studies/…) are the SPA's: answer its page and let the router take over.
    return sendSpaPage(request, reply);
  });

  const publicUrl = options.config.PUBLIC_URL;
  const { auth } = options;
  await registerSecurityHeaders(app, { frameAncestors: auth.portalOrigins, hsts: publicUrl?.startsWith('https://') ?? false });
  await registerAuth(app, auth);
  await app.register(rateLimit, {
    global: true,
    hook: 'preHandler',
    max: auth.rateLimitPerMinute,
    timeWindow: 60_000,
    allowList: (request) => !request.url.startsWith('/api/'),
    keyGenerator: (request) => (request.user ? `user:${request.user.subject}` : `ip:${request.ip}`),
    errorResponseBuilder: (_request, context) => ({
      statusCode: 429,
      message: `Too many requests: at most ${context.max} a minute. Try again in ${context.after}.`,
    }),
  });
  await app.register(healthRoutes, { avara: options.avara, upstream: options.upstream });
  await app.register(authRoutes, auth);
  if (auth.modeRoutes) await app.register(auth.modeRoutes);
  await app.register(studiesRoutes, { avara: options.avara, contract: options.contract, audit: auth.audit, viewerOrigins: auth.viewerOrigins });
  await app.register(worklistRoutes, { avara: options.avara });
  await app.register(pacsRoutes, { pacs: options.pacs?.services, audit: auth.audit });
  if (options.pacs?.viewer) await app.register(viewerProxyRoutes, { orthanc: options.pacs.services.orthanc, signedIn: viewerAccess(auth) });
  if (options.extraRoutes) await app.register(options.extraRoutes);
  if (spaBuilt) {
    await registerStaticSpa(app, { root: options.spaRoot });
    app.get('/', sendSpaPage);
  }
  return app;
}
