import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  RouteOptions,
  onRequestAsyncHookHandler,
  onRequestHookHandler,
} from 'fastify';
import { PROBLEM_TYPES } from '../../contract/problem.ts';
import type { AuditAction } from '../auth/audit-log.ts';
import { sendProblem } from '../lib/problems.ts';

/**
 * Who may call a route, declared with the route (`config: { access }`) and checked after routing on
 * the route the router matched, never on how the URL was spelled:
 * - `public`: anyone (the SPA's page and assets, health probes, sign-in). A public route that is not
 *   a GET still needs the anti-forgery header.
 * - `api`: a signed-in person, with `X-CSRF: 1`; refusals are problem+json.
 * - `coordinator`: like `api`, and only for coordinators.
 * - `navigation`: a signed-in person reaching the route by a browser navigation (the PACS viewer's
 *   pages and files), so without the anti-forgery header; GET only.
 * - `signed`: a caller that is not a person and carries its own credential, which the route's handler
 *   checks before doing anything (Avara's webhooks: a Standard Webhooks signature; the DICOM file URLs
 *   given to Avara: an expiring HMAC); no session, no anti-forgery header.
 */
export type RouteAccess = 'public' | 'api' | 'coordinator' | 'navigation' | 'signed';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Required on every route; a route without one stops the server at start-up. */
    access?: RouteAccess;
    /** The audit action every request to this route writes (one line, whatever the outcome). */
    audit?: AuditAction;
    /** Whether the query string may be written to the request log (false: it carries a credential). */
    logQuery?: boolean;
  }
  interface FastifyInstance {
    /** Every route the server has, with its declared access, as registered. */
    readonly routeCatalog: readonly RouteEntry[];
  }
  interface FastifyRequest {
    /** Set by the identity hook when the sign-in source asserts someone who is not a user of the worklist. */
    refusedIdentity: string | null;
    /** Set when who is calling could not be told (the shared state is unreachable): answered 503, not 401. */
    identityUnavailable: boolean;
  }
}

export interface RouteEntry {
  method: string;
  url: string;
  access: RouteAccess | undefined;
  audit: AuditAction | undefined;
}

export interface RouteAccessOptions {
  /** Says who is calling (session cookie or trusted proxy) and sets `request.user`; never refuses. */
  identify(request: FastifyRequest): Promise<void>;
  /** Counts the request against the caller's rate limit (keyed by person, else address); may answer 429. */
  limit: onRequestAsyncHookHandler;
  /** Called when a refused identity (not on the roster) reaches a route that needs a person. */
  onRefusedIdentity(request: FastifyRequest, reply: FastifyReply, email: string): FastifyReply;
}

const READ_METHODS = new Set(['GET', 'HEAD']);

/**
 * Installs the access rule for every route registered after it: identity first (for every matched
 * route, so the rate limit and the audit know who it was), then the rate limit, then the route's
 * declared access. A request that matches no route reaches only the not-found handler.
 */
export function registerRouteAccess(app: FastifyInstance, options: RouteAccessOptions): void {
  const catalog: Array<{ method: string; url: string; route: RouteOptions }> = [];
  app.decorate('routeCatalog', {
    getter: () =>
      catalog.map(({ method, url, route }) => ({
        method,
        url,
        access: route.config?.access,
        audit: route.config?.audit,
      })),
  });
  app.decorateRequest('refusedIdentity', null);
  app.decorateRequest('identityUnavailable', false);

  app.addHook('onRequest', async (request) => {
    // Unmatched requests (404) carry no config and need no identity.
    if (request.routeOptions.url === undefined) return;
    await options.identify(request);
  });

  const enforce: onRequestHookHandler = function enforce(request, reply, done) {
    const access = request.routeOptions.config.access;
    const refusal = refusalFor(access, request);
    if (refusal) {
      if (refusal === 'refused-identity' && request.refusedIdentity) {
        options.onRefusedIdentity(request, reply, request.refusedIdentity);
        return;
      }
      sendRefusal(reply, refusal, access);
      return;
    }
    done();
  };

  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) catalog.push({ method, url: route.url, route });
    // The declared access is read at request time: plugins that wrap a route may set it after this hook.
    route.onRequest = [...asArray(route.onRequest), options.limit, enforce];
  });

  app.addHook('onReady', async () => {
    const undeclared = catalog.filter(({ route }) => !isAccess(route.config?.access));
    if (undeclared.length > 0) {
      throw new Error(
        `Routes without a declared access: ${undeclared.map(({ method, url }) => `${method} ${url}`).join(', ')}`,
      );
    }
    const unsafeNavigation = catalog.filter(
      ({ method, route }) => route.config?.access === 'navigation' && !READ_METHODS.has(method),
    );
    if (unsafeNavigation.length > 0) {
      throw new Error(
        `Navigation access is for GET routes only: ${unsafeNavigation.map(({ method, url }) => `${method} ${url}`).join(', ')}`,
      );
    }
  });
}

type Refusal = 'csrf' | 'sign-in' | 'refused-identity' | 'role' | 'unavailable';

/** Why this request may not reach its route, or undefined when it may. Unknown access refuses. */
export function refusalFor(access: RouteAccess | undefined, request: FastifyRequest): Refusal | undefined {
  const read = READ_METHODS.has(request.method);
  const csrf = request.headers['x-csrf'] === '1';
  switch (access) {
    case 'public':
      return read || csrf ? undefined : 'csrf';
    case 'signed':
      // The handler verifies the request's own credential; no person, no cookie, nothing to forge.
      return undefined;
    case 'navigation':
      if (!read) return 'csrf';
      return request.user
        ? undefined
        : request.refusedIdentity
          ? 'refused-identity'
          : request.identityUnavailable
            ? 'unavailable'
            : 'sign-in';
    case 'api':
    case 'coordinator':
      if (!csrf) return 'csrf';
      if (!request.user)
        return request.refusedIdentity ? 'refused-identity' : request.identityUnavailable ? 'unavailable' : 'sign-in';
      return access === 'coordinator' && request.user.role !== 'coordinator' ? 'role' : undefined;
    default:
      return request.user ? 'role' : 'sign-in';
  }
}

function sendRefusal(reply: FastifyReply, refusal: Refusal, access: RouteAccess | undefined): void {
  if (access === 'navigation' && refusal === 'sign-in') {
    // A page opened in a tab: words for a person, not a problem document.
    reply
      .code(401)
      .type('text/plain; charset=utf-8')
      .header('cache-control', 'no-store')
      .send('Sign in to the worklist, then open the study again.');
    return;
  }
  switch (refusal) {
    case 'csrf':
      sendProblem(reply, {
        type: PROBLEM_TYPES.forbidden,
        title: 'Missing anti-forgery header',
        status: 403,
        detail: 'Requests to this API must carry the header X-CSRF: 1.',
      });
      return;
    case 'unavailable':
      sendProblem(
        reply,
        {
          type: PROBLEM_TYPES.upstreamUnavailable,
          title: 'Sign-in cannot be checked right now',
          status: 503,
          detail:
            'The worklist cannot reach its shared store to check your session. Try again in a moment; you are still signed in.',
          retryable: true,
        },
        '2',
      );
      return;
    case 'role':
      sendProblem(reply, {
        type: PROBLEM_TYPES.forbidden,
        title: 'Not allowed',
        status: 403,
        detail: access === 'coordinator' ? 'Only a coordinator may do this.' : 'You may not do this.',
      });
      return;
    default:
      sendProblem(reply, {
        type: PROBLEM_TYPES.unauthorized,
        title: 'Sign-in required',
        status: 401,
        detail: 'Your session has ended or you have not signed in. Sign in to continue.',
      });
  }
}

function isAccess(value: unknown): value is RouteAccess {
  return (
    value === 'public' || value === 'api' || value === 'coordinator' || value === 'navigation' || value === 'signed'
  );
}

function asArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
