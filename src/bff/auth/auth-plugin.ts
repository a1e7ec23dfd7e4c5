import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import { DICOM_FILE_ROUTE } from '../pacs/dicom-file-urls.ts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { PROBLEM_TYPES } from '../../contract/problem.ts';
import type { ProxyTrust } from '../http/trusted-proxies.ts';
import { registerRouteAccess } from '../plugins/route-access.ts';
import { SharedStateUnavailableError } from '../shared-state/shared-state.ts';
import { sendProblem } from '../lib/problems.ts';
import { NotOnRosterError } from '../people/people-directory.ts';
import { sharedRateLimitStore } from './rate-limit-store.ts';
import type { AuthContext } from './auth-context.ts';
import type { Identity, SessionUser } from './session-user.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in person, when there is one; routes that need one are refused before their handler otherwise. */
    user: SessionUser | null;
    sessionId: string | null;
  }
}

export interface ProxySettings {
  /** Whether an address is one of TRUSTED_PROXIES (the one decision, http/trusted-proxies.ts). */
  trusts: ProxyTrust;
  emailHeader: string;
  nameHeader: string;
  groupsHeader: string;
}

export type AuthOptions = Pick<
  AuthContext,
  'mode' | 'sessions' | 'people' | 'cookie' | 'audit' | 'proxy' | 'rateLimitPerMinute' | 'shared'
>;

/**
 * Who is calling, for every matched route: the session cookie (dev and OIDC modes) or, in proxy
 * mode, the trusted proxy's identity headers. It only says who it is; what the route allows is
 * decided by its declared access (plugins/route-access.ts), then the rate limit counts the request
 * against that person (or, not signed in, the address).
 */
export async function registerAuth(app: FastifyInstance, options: AuthOptions): Promise<void> {
  await app.register(cookie);
  app.decorateRequest('user', null);
  app.decorateRequest('sessionId', null);

  // With Redis the budgets live there, and a request's count is taken with its session's read.
  const counters = options.shared.rateLimits;
  const shared = counters ? { counters, ...sharedRateLimitStore(counters) } : undefined;
  if (shared) {
    // A request answered before its route's rate-limit hook ran (none is, today) leaves nothing behind.
    app.addHook('onResponse', (request, _reply, done) => {
      shared.precounted.forget(request.id);
      done();
    });
  }

  async function identify(request: FastifyRequest): Promise<void> {
    if (options.mode === 'proxy') {
      const identity = proxyIdentity(request, options.proxy);
      if (!identity) return;
      try {
        request.user = await options.people.resolve(identity);
      } catch (error) {
        if (!(error instanceof NotOnRosterError)) throw error;
        request.refusedIdentity = identity.email;
      }
      return;
    }
    let session;
    try {
      const id = request.cookies[options.cookie.name];
      if (shared) {
        // The session's read and the rate limit's count in one round trip (rate-limit-store.ts).
        const read = await options.sessions.touchCounting(id, shared.counters, {
          subjectKey: rateLimitKey(request, { subject: '' }),
          otherwiseKey: rateLimitKey(request, undefined),
          windowMs: RATE_LIMIT_WINDOW_MS,
        });
        session = read.session;
        if (read.count) shared.precounted.keep(request.id, read.count.key, read.count);
      } else {
        session = await options.sessions.touch(id);
      }
    } catch (error) {
      if (!(error instanceof SharedStateUnavailableError)) throw error;
      // Not known to be signed out: the route answers 503 (retry), never 401 (sign in again).
      request.identityUnavailable = true;
      return;
    }
    if (session) {
      request.user = session.user;
      request.sessionId = session.id;
    }
  }

  await app.register(rateLimit, {
    global: false,
    // Shared by every instance with Redis; while Redis is down, requests are let through rather than refused.
    ...(shared ? { store: shared.Store } : {}),
    skipOnError: true,
    // The DICOM files given to Avara's viewer come one request per image (a CT: hundreds in a few
    // seconds), so they have a budget of their own, larger; their number at once is capped apart.
    max: (request) =>
      budgetOf(request.routeOptions.url) === 'dicom'
        ? options.rateLimitPerMinute * DICOM_FILE_BUDGET_FACTOR
        : options.rateLimitPerMinute,
    timeWindow: RATE_LIMIT_WINDOW_MS,
    keyGenerator: (request) => {
      const key = rateLimitKey(request, request.user ?? undefined);
      return shared ? shared.precounted.keyFor(request.id, key) : key;
    },
    // Which budget ran out (a person's, or an address's: the client's, behind a trusted proxy).
    onExceeded: (request) =>
      request.log.warn({ rateLimitKey: rateLimitKey(request, request.user ?? undefined) }, 'rate limit reached'),
    errorResponseBuilder: (_request, context) => ({
      statusCode: 429,
      message: `Too many requests: at most ${context.max} a minute. Try again in ${context.after}.`,
    }),
  });

  registerRouteAccess(app, {
    identify,
    limit: app.rateLimit(),
    onRefusedIdentity: (request, reply, email) => {
      // An audited route writes its own line naming the refused person; others get a refusal line.
      if (!request.routeOptions.config.audit) {
        options.audit.record({
          action: 'session.refused',
          user: { email, role: null, userId: null },
          address: request.ip,
          outcome: 'refused',
          status: 403,
        });
      }
      return sendProblem(reply, forbidden(`${email} is not a user of the worklist. Ask a coordinator to add you.`));
    },
  });
}

export function forbidden(detail: string) {
  return { type: PROBLEM_TYPES.forbidden, title: 'Not allowed', status: 403, detail };
}

/** The signed-in user of a route behind the guard. */
export function userOf(request: FastifyRequest): SessionUser {
  if (!request.user) throw new Error('A route behind the sign-in guard ran without a user');
  return request.user;
}

/** The identity a trusted proxy asserts; headers from anyone else are ignored. */
function proxyIdentity(request: FastifyRequest, proxy: ProxySettings): Identity | undefined {
  // The connection's own address: the identity headers are the proxy's word, not a forwarded hop's.
  if (!proxy.trusts(request.socket.remoteAddress ?? '')) return undefined;
  const email = headerValue(request, proxy.emailHeader);
  if (!email || !/^[^\s@]+@[^\s@]+$/.test(email)) return undefined;
  const groups = (headerValue(request, proxy.groupsHeader) ?? '')
    .split(',')
    .map((group) => group.trim())
    .filter(Boolean);
  const name = headerValue(request, proxy.nameHeader);
  // One person, one subject, however the proxy spells the address (rate limits and audit key on it).
  return { subject: email.toLowerCase(), email, groups, ...(name ? { name } : {}) };
}

function headerValue(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** How many times RATE_LIMIT_PER_MINUTE the DICOM file URLs may be fetched a minute from one address. */
const DICOM_FILE_BUDGET_FACTOR = 20;

const RATE_LIMIT_WINDOW_MS = 60_000;

/**
 * The rate-limit budget a request counts against: pages and assets apart from API calls (loading
 * the app must not spend a person's API budget), each a person's (`who`: the signed-in person) or,
 * not signed in, the address's (the client's, behind a trusted proxy).
 */
function rateLimitKey(request: FastifyRequest, who: { subject: string } | undefined): string {
  return `${budgetOf(request.routeOptions.url)}:${who ? `user:${who.subject}` : `ip:${request.ip}`}`;
}

function budgetOf(url: string | undefined): 'api' | 'web' | 'dicom' {
  if (url?.startsWith('/api/')) return 'api';
  return url === DICOM_FILE_ROUTE ? 'dicom' : 'web';
}
