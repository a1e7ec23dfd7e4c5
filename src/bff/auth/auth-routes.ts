import type { FastifyInstance } from 'fastify';
import type { SlaTargets } from '../../contract/sla.ts';
import { PROBLEM_TYPES } from '../../contract/problem.ts';
import { roleFromAvaraUser } from '../../contract/actor.ts';
import { sendProblem } from '../lib/problems.ts';
import { requestOrigin } from '../lib/request-origin.ts';
import { releaseLeasesOf } from '../reading/reading-leases.ts';
import { NotOnRosterError, displayName } from '../people/people-directory.ts';
import type { AuthContext } from './auth-context.ts';
import { forbidden, userOf } from './auth-plugin.ts';
import type { SessionUser } from './session-user.ts';
import { startSession } from './start-session.ts';

export type AuthRoutesOptions = Pick<
  AuthContext,
  | 'mode'
  | 'shared'
  | 'sessions'
  | 'people'
  | 'cookie'
  | 'audit'
  | 'portalOrigins'
  | 'viewerOrigins'
  | 'bundledLaunchOrigin'
  | 'endSessionUrl'
> & {
  /** The SLA targets of the settings: the SPA colours waiting times against them. */
  slaTargets: Readonly<SlaTargets>;
};

/**
 * Sign-in and sign-out common to every mode, the dev picker, and who-am-I. The OIDC redirect
 * routes (/auth/login, /auth/callback) are registered by the OIDC plugin in that mode.
 */
export async function authRoutes(app: FastifyInstance, options: AuthRoutesOptions): Promise<void> {
  const { sessions, people, cookie, audit } = options;

  /** What the SPA needs before sign-in: how to sign in, and which portals may talk to it. */
  app.get('/auth/config', { config: { access: 'public' } }, async (request) => {
    // The bundled launch page is served here, on whichever origin the person is using.
    const own = options.bundledLaunchOrigin ? requestOrigin(request) : undefined;
    const viewerOrigins =
      own && !options.viewerOrigins.includes(own) ? [...options.viewerOrigins, own] : options.viewerOrigins;
    const base = {
      mode: options.mode,
      portalOrigins: options.portalOrigins,
      viewerOrigins,
      slaTargets: { ...options.slaTargets },
    };
    if (options.mode !== 'dev') return base;
    const demoUsers = (await people.list()).map((person) => ({
      username: person.email,
      name: displayName(person),
      role: roleFromAvaraUser(person),
      clinicRole: person.clinicRole,
    }));
    return { ...base, demoUsers };
  });

  if (options.mode === 'dev') {
    app.post('/auth/login', { config: { access: 'public' } }, async (request, reply) => {
      const username = readUsername(request.body);
      if (!username) {
        return sendProblem(reply, {
          type: PROBLEM_TYPES.invalidRequest,
          title: 'The request is not valid',
          status: 400,
          detail: 'username is required: the email of a demo user',
          issues: [{ in: 'body', name: 'username', message: 'is required' }],
        });
      }
      const person = await people.findByEmail(username);
      let user: SessionUser;
      try {
        // One subject per person, however the address was typed: rate limits and the audit key on it.
        const email = person?.email ?? username;
        user = await people.resolve({ subject: email.toLowerCase(), email, groups: [] });
      } catch (error) {
        if (!(error instanceof NotOnRosterError)) throw error;
        audit.record({
          action: 'session.refused',
          user: { email: username, role: null, userId: null },
          outcome: 'refused',
          status: 403,
        });
        return sendProblem(reply, forbidden(`${username} is not a demo user. Pick one from the list.`));
      }
      return startSession(options, reply, user);
    });
  }

  app.post('/auth/logout', { config: { access: 'public' } }, async (request, reply) => {
    const session = await sessions.destroy(request.cookies[cookie.name]);
    reply.clearCookie(cookie.name, cookie.options);
    if (session) {
      audit.record({ action: 'session.sign-out', user: session.user, address: request.ip, outcome: 'ok' });
      try {
        // Whoever signs out is reading nothing any more; should the store be down, the leases expire by themselves.
        await releaseLeasesOf(options.shared, session.user, request.log);
      } catch (error) {
        request.log.warn(
          { err: error },
          'the reading leases of a person signing out could not be released; they will expire',
        );
      }
    }
    return { signedOut: true, redirect: options.endSessionUrl?.(session?.idToken) ?? null };
  });

  app.get('/api/me', { config: { access: 'api' } }, async (request) => ({
    ...userOf(request),
    authMode: options.mode,
  }));

  app.get('/api/users', { config: { access: 'api' } }, async () => ({ users: await people.list() }));
}

function readUsername(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || !('username' in body)) return undefined;
  const { username } = body;
  return typeof username === 'string' && username.trim() !== '' && username.length <= 320 ? username.trim() : undefined;
}
