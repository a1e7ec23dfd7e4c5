import { randomBytes } from 'node:crypto';
import type { JsonObject, RecordStore } from '../shared-state/shared-state.ts';
import type { CookieSerializeOptions } from '@fastify/cookie';
import { safeReturnTo } from '../../contract/return-to.ts';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AuthContext } from './auth-context.ts';
import { NotOnRosterError, type PeopleDirectory } from '../people/people-directory.ts';
import {
  createOidcLogin,
  OidcSignInError,
  type OidcLogin,
  type OidcSettings,
  type PendingLogin,
} from './oidc-login.ts';
import type { SessionCookieSettings } from './session-cookie.ts';
import type { SessionUser } from './session-user.ts';
import { startSession, type SessionDeps } from './start-session.ts';

/** How long someone may take at the IdP before the sign-in must start again. */
export const PENDING_LOGIN_TTL_MS = 10 * 60_000;
/** Sign-ins one browser may have open at once (one per tab whose session ran out). */
const MAX_PENDING_PER_BROWSER = 5;

/**
 * Sign-ins in progress, kept server-side in the shared state (so the IdP may send the browser back
 * to any instance, and a restart loses none): the browser holds only a random ID in a short-lived
 * cookie, so state, nonce and PKCE verifier never leave the BFF. Each is used once.
 */
export class PendingLogins {
  readonly #records: RecordStore;

  constructor(records: RecordStore) {
    this.#records = records;
  }

  /** Keeps a sign-in for this browser (a new ID unless it already has live ones); answers the ID. */
  async add(browserId: string | undefined, login: PendingLogin): Promise<string> {
    const entry = loginRecord(login);
    if (browserId && browserId.length <= 100) {
      const kept = await this.#records.update(
        NAMESPACE,
        browserId,
        (current) =>
          current
            ? { logins: [...loginsOf(current.value).map(loginRecord), entry].slice(-MAX_PENDING_PER_BROWSER) }
            : undefined,
        { ttlMs: PENDING_LOGIN_TTL_MS },
      );
      if (kept) return browserId;
    }
    const id = randomBytes(32).toString('base64url');
    await this.#records.set(NAMESPACE, id, { logins: [entry] }, { ttlMs: PENDING_LOGIN_TTL_MS });
    return id;
  }

  /** Takes out (one-time, whichever instance asks first) the sign-in of this browser whose state the IdP sent back. */
  async take(browserId: string | undefined, state: string | null): Promise<PendingLogin | undefined> {
    if (!browserId || !state || browserId.length > 100) return undefined;
    const current = await this.#records.get(NAMESPACE, browserId);
    if (!current) return undefined;
    const logins = loginsOf(current.value);
    const taken = logins.find((candidate) => candidate.state === state);
    if (!taken) return undefined;
    const rest = logins.filter((candidate) => candidate !== taken);
    // Compare-and-set: of two callbacks with the same state, only one takes it.
    const written =
      rest.length === 0
        ? await this.#records.delete(NAMESPACE, browserId, { ifVersion: current.version })
        : (await this.#records.set(
            NAMESPACE,
            browserId,
            { logins: rest.map(loginRecord) },
            {
              ifVersion: current.version,
              ttlMs: Math.max(1, (current.expiresAt ?? Date.now() + PENDING_LOGIN_TTL_MS) - Date.now()),
            },
          )) !== undefined;
    if (!written) return this.take(browserId, state);
    return taken;
  }

  /** Whether this browser still has sign-ins open (then its cookie stays). */
  async has(browserId: string | undefined): Promise<boolean> {
    return (
      browserId !== undefined &&
      browserId.length <= 100 &&
      (await this.#records.get(NAMESPACE, browserId)) !== undefined
    );
  }
}

const NAMESPACE = 'sign-in';

function loginRecord(login: PendingLogin): JsonObject {
  return { state: login.state, nonce: login.nonce, codeVerifier: login.codeVerifier, returnTo: login.returnTo };
}

function loginsOf(value: JsonObject): PendingLogin[] {
  const logins = Array.isArray(value.logins) ? value.logins : [];
  return logins.flatMap((login) => {
    if (typeof login !== 'object' || login === null || Array.isArray(login)) return [];
    const { state, nonce, codeVerifier, returnTo } = login;
    return typeof state === 'string' &&
      typeof nonce === 'string' &&
      typeof codeVerifier === 'string' &&
      typeof returnTo === 'string'
      ? [{ state, nonce, codeVerifier, returnTo }]
      : [];
  });
}

export interface OidcRoutesOptions extends SessionDeps {
  login: OidcLogin;
  people: PeopleDirectory;
  pending: PendingLogins;
}

/** The cookie naming a browser's pending sign-ins: the session cookie's attributes, its own name. */
export function pendingLoginCookie(session: SessionCookieSettings): SessionCookieSettings {
  const options: CookieSerializeOptions = {
    ...session.options,
    // The IdP sends the browser back with a cross-site navigation, which carries Lax cookies
    // but never Strict ones: a Strict setting for the session cannot apply to this cookie.
    ...(session.options.sameSite === 'strict' ? { sameSite: 'lax' } : {}),
  };
  return { name: session.name.startsWith('__Host-') ? '__Host-rw_oidc_login' : 'rw_oidc_login', options };
}

/**
 * `GET /auth/login?returnTo=/path` sends the browser to the IdP; `GET /auth/callback` checks the
 * pending sign-in, exchanges the code, resolves the person and starts their session. Failures
 * answer a short HTML page (these are browser navigations, not API calls), never a stack trace.
 */
export function oidcRoutes(options: OidcRoutesOptions): (app: FastifyInstance) => Promise<void> {
  const { login, people, audit } = options;
  const { pending } = options;
  const cookie = pendingLoginCookie(options.cookie);

  return async (app) => {
    app.get('/auth/login', { config: { access: 'public' } }, async (request, reply) => {
      const returnTo = safeReturnTo(queryValue(request.query, 'returnTo'));
      const { authorizationUrl, pending: started } = await login.begin(returnTo);
      const browserId = await pending.add(request.cookies[cookie.name], started);
      reply.setCookie(cookie.name, browserId, { ...cookie.options, maxAge: PENDING_LOGIN_TTL_MS / 1000 });
      return reply.header('cache-control', 'no-store').redirect(authorizationUrl.href, 302);
    });

    app.get('/auth/callback', { config: { access: 'public', logQuery: false } }, async (request, reply) => {
      reply.header('cache-control', 'no-store');
      const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : '';
      const browserId = request.cookies[cookie.name];
      const started = await pending.take(browserId, new URLSearchParams(query).get('state'));
      if (!(await pending.has(browserId))) reply.clearCookie(cookie.name, cookie.options);
      if (!started) {
        request.log.warn('sign-in callback without a matching pending sign-in (expired, replayed or forged)');
        return page(
          reply,
          400,
          'Sign-in did not complete',
          'This sign-in link is not valid or has expired. Start again.',
        );
      }

      try {
        const { identity, idToken } = await login.complete(query, started);
        let user: SessionUser;
        try {
          user = await people.resolve(identity);
        } catch (error) {
          if (!(error instanceof NotOnRosterError)) throw error;
          audit.record({
            action: 'session.refused',
            user: { email: identity.email, role: null, userId: null },
            outcome: 'refused',
            status: 403,
          });
          // Ends the IdP session so they can pick another account; without id_token_hint, so no
          // token is ever written into a page.
          const otherAccount = login.endSessionUrl(undefined);
          return page(
            reply,
            403,
            'Not a worklist user',
            `You signed in as ${identity.email}, but this account is not a worklist user. Ask your coordinator or IT to add you.`,
            otherAccount ? { href: otherAccount, label: 'Sign in with another account' } : undefined,
          );
        }
        await startSession(options, reply, user, idToken);
        return reply.redirect(safeReturnTo(started.returnTo), 302);
      } catch (error) {
        if (error instanceof OidcSignInError) {
          request.log.warn({ reason: error.kind, detail: error.message }, 'sign-in refused');
          if (error.kind === 'refused') {
            return page(
              reply,
              403,
              'Sign-in refused',
              'Your identity provider did not sign you in. Start again, or ask IT if this keeps happening.',
            );
          }
          if (error.kind === 'unreachable') {
            return page(
              reply,
              502,
              'Sign-in unavailable',
              'The sign-in service could not be reached. Try again in a moment.',
            );
          }
          return page(
            reply,
            400,
            'Sign-in did not complete',
            'This sign-in link is not valid or has expired. Start again.',
          );
        }
        request.log.error({ err: error }, 'sign-in failed');
        return page(
          reply,
          503,
          'Sign-in unavailable',
          `The worklist could not finish signing you in. Try again in a moment. Reference: ${request.id}`,
        );
      }
    });
  };
}

/**
 * Turns on OIDC sign-in for an auth context: discovery now, so a wrong issuer stops start-up
 * (throws `OidcDiscoveryError`), then the redirect routes and the IdP logout URL.
 */
export async function enableOidcSignIn(auth: AuthContext, settings: OidcSettings): Promise<OidcLogin> {
  const login = await createOidcLogin(settings);
  auth.modeRoutes = oidcRoutes({
    login,
    sessions: auth.sessions,
    people: auth.people,
    cookie: auth.cookie,
    audit: auth.audit,
    pending: new PendingLogins(auth.shared.records),
  });
  auth.endSessionUrl = (idToken) => login.endSessionUrl(idToken);
  return login;
}

function queryValue(query: unknown, name: string): unknown {
  return typeof query === 'object' && query !== null ? Object.getOwnPropertyDescriptor(query, name)?.value : undefined;
}

function page(
  reply: FastifyReply,
  status: number,
  title: string,
  message: string,
  action = { href: '/', label: 'Start again' },
) {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .send(
      `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)} · Radiology Worklist</title></head>
<body>
<main>
<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(message)}</p>
<p><a href="${escapeHtml(action.href)}">${escapeHtml(action.label)}</a></p>
</main>
</body>
</html>
`,
    );
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
