import { BlockList, isIPv6 } from 'node:net';
import cookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_TYPES } from '../../contract/problem.ts';
import { sendProblem } from '../lib/problems.ts';
import { NotOnRosterError } from '../people/people-directory.ts';
import type { AuditLog } from './audit-log.ts';
import type { AuthContext } from './auth-context.ts';
import type { Identity, Role, SessionUser } from './session-user.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in person; set for every /api route except health and readiness. */
    user: SessionUser | null;
    sessionId: string | null;
  }
}

export interface ProxySettings {
  trustedProxies: string[];
  emailHeader: string;
  nameHeader: string;
  groupsHeader: string;
}

export type AuthOptions = Pick<AuthContext, 'mode' | 'sessions' | 'people' | 'cookie' | 'audit' | 'proxy'>;

/** Routes anyone may call: a load balancer's probes carry no session and see no PHI. */
const PUBLIC_API = new Set(['/api/health', '/api/ready']);

/**
 * Who is calling, checked before any /api route runs: the anti-forgery header first (a cross-site
 * form or image cannot set it), then the session (or, in proxy mode, the trusted proxy's headers).
 * No session answers 401 problem+json, never a redirect, so the SPA can show its sign-in.
 */
export async function registerAuth(app: FastifyInstance, options: AuthOptions): Promise<void> {
  await app.register(cookie);
  app.decorateRequest('user', null);
  app.decorateRequest('sessionId', null);
  const trusted = trustedProxyList(options.proxy.trustedProxies);

  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const isApi = path.startsWith('/api/');
    const isAuthAction = path.startsWith('/auth/') && request.method !== 'GET';
    if ((!isApi && !isAuthAction) || PUBLIC_API.has(path)) return;

    if (request.headers['x-csrf'] !== '1') {
      return sendProblem(reply, {
        type: PROBLEM_TYPES.forbidden,
        title: 'Missing anti-forgery header',
        status: 403,
        detail: 'Requests to this API must carry the header X-CSRF: 1.',
      });
    }
    if (!isApi) return;

    if (options.mode === 'proxy') {
      const identity = proxyIdentity(request, options.proxy, trusted);
      if (identity) {
        try {
          request.user = await options.people.resolve(identity);
          return;
        } catch (error) {
          if (error instanceof NotOnRosterError) return refuseUnknown(reply, identity.email, options.audit);
          throw error;
        }
      }
    } else {
      const session = options.sessions.touch(request.cookies[options.cookie.name]);
      if (session) {
        request.user = session.user;
        request.sessionId = session.id;
        return;
      }
    }
    return sendProblem(reply, {
      type: PROBLEM_TYPES.unauthorized,
      title: 'Sign-in required',
      status: 401,
      detail: 'Your session has ended or you have not signed in. Sign in to continue.',
    });
  });
}

/** Answers 403 unless the signed-in person has the role; returns whether the route may go on. */
export function requireRole(request: FastifyRequest, reply: FastifyReply, role: Role): boolean {
  if (request.user?.role === role) return true;
  sendProblem(reply, forbidden(`Only a ${role} may do this.`));
  return false;
}

export function forbidden(detail: string) {
  return { type: PROBLEM_TYPES.forbidden, title: 'Not allowed', status: 403, detail };
}

/** The signed-in user of a route behind the guard. */
export function userOf(request: FastifyRequest): SessionUser {
  if (!request.user) throw new Error('A route behind the sign-in guard ran without a user');
  return request.user;
}

function refuseUnknown(reply: FastifyReply, email: string, audit: AuditLog) {
  audit.record({ action: 'session.refused', user: { email, role: null, userId: null }, outcome: 'refused', status: 403 });
  return sendProblem(reply, forbidden(`${email} is not a user of the worklist. Ask a coordinator to add you.`));
}

function trustedProxyList(entries: string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', prefix] = entry.split('/');
    const family = isIPv6(address) ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(prefix), family);
  }
  return list;
}

/** The identity a trusted proxy asserts; headers from anyone else are ignored. */
function proxyIdentity(request: FastifyRequest, proxy: ProxySettings, trusted: BlockList): Identity | undefined {
  const remote = (request.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  if (!remote || !trusted.check(remote, isIPv6(remote) ? 'ipv6' : 'ipv4')) return undefined;
  const email = headerValue(request, proxy.emailHeader);
  if (!email || !/^[^\s@]+@[^\s@]+$/.test(email)) return undefined;
  const groups = (headerValue(request, proxy.groupsHeader) ?? '')
    .split(',')
    .map((group) => group.trim())
    .filter(Boolean);
  const name = headerValue(request, proxy.nameHeader);
  return { subject: email, email, groups, ...(name ? { name } : {}) };
}

function headerValue(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}
