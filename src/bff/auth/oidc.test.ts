/**
 * OIDC sign-in over real sockets: a real OpenID Provider (node-oidc-provider), the real BFF and the
 * bundled Avara-compatible server as upstream, all on 127.0.0.1. The browser is fetch with
 * `redirect: 'manual'` and a small cookie jar, so every hop and cookie is checked.
 */
import { createServer, type Server } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAvaraServer, type RunningAvaraServer } from '../../avara-server/create-avara-server.ts';
import { createContractValidator } from '../../contract/contract-validator.ts';
import { loadAvaraContract } from '../../contract/load-contract.ts';
import { startOidcProvider, readForm, type TestOidcProvider } from '../../../test/support/oidc-provider.ts';
import { buildApp } from '../app.ts';
import { loadConfig } from '../config/env.ts';
import { createAvaraClient } from '../services/avara-client.ts';
import { createAuditLog } from './audit-log.ts';
import { testSharedState } from '../../../test/support/test-bff.ts';
import { createAuthContext } from './auth-context.ts';
import { createOidcLogin, identityFromClaims, OidcDiscoveryError, OidcSignInError } from './oidc-login.ts';
import { enableOidcSignIn, PendingLogins } from './oidc-routes.ts';

const API_KEY = 'oidc-suite-key-0123456789';
const COORDINATOR_GROUP = 'worklist-coordinators';

/** Cookies as a browser keeps them: by host (not port) and path; expired ones dropped. */
class CookieJar {
  readonly #cookies = new Map<string, { name: string; value: string; host: string; path: string }>();

  store(url: URL, response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
      const separator = pair.indexOf('=');
      const name = pair.slice(0, separator);
      const value = pair.slice(separator + 1);
      let path = url.pathname.slice(0, url.pathname.lastIndexOf('/')) || '/';
      let expired = value === '';
      for (const attribute of attributes) {
        const [key = '', attributeValue = ''] = attribute.split('=');
        if (key.toLowerCase() === 'path') path = attributeValue;
        if (key.toLowerCase() === 'max-age' && Number(attributeValue) <= 0) expired = true;
        if (key.toLowerCase() === 'expires' && Date.parse(attributeValue) <= Date.now()) expired = true;
      }
      const key = `${url.hostname}|${path}|${name}`;
      if (expired) this.#cookies.delete(key);
      else this.#cookies.set(key, { name, value, host: url.hostname, path });
    }
  }

  header(url: URL): string {
    return [...this.#cookies.values()]
      .filter(
        (cookie) =>
          cookie.host === url.hostname &&
          (url.pathname === cookie.path ||
            url.pathname.startsWith(cookie.path.endsWith('/') ? cookie.path : `${cookie.path}/`)),
      )
      .map((cookie) => `${cookie.name}=${cookie.value}`)
      .join('; ');
  }

  get(name: string): string | undefined {
    return [...this.#cookies.values()].find((cookie) => cookie.name === name)?.value;
  }

  set(host: string, name: string, value: string): void {
    this.#cookies.set(`${host}|/|${name}`, { name, value, host, path: '/' });
  }
}

/** One request as the browser would send it: its cookies in, Set-Cookie kept, no redirect followed. */
async function browse(jar: CookieJar, target: string, init: RequestInit = {}): Promise<Response> {
  const url = new URL(target);
  const headers = new Headers(init.headers);
  const cookie = jar.header(url);
  if (cookie) headers.set('cookie', cookie);
  const response = await fetch(url, { ...init, headers, redirect: 'manual' });
  jar.store(url, response);
  return response;
}

function locationOf(response: Response, base: string): string {
  const location = response.headers.get('location');
  if (!location) throw new Error(`expected a redirect, got ${response.status}`);
  return new URL(location, base).href;
}

interface World {
  avara: RunningAvaraServer;
  idp: TestOidcProvider;
  app: FastifyInstance;
  server: Server;
  bffUrl: string;
  auditLines: string[];
}

let world: World;

beforeAll(async () => {
  const avara = await startAvaraServer({ databasePath: ':memory:', apiKey: API_KEY, demoStudies: false });
  // The BFF's address must be known before the IdP registers its redirect URI, and the IdP must
  // run before the BFF discovers it: the socket listens first, the app is attached once built.
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening on TCP');
  const bffUrl = `http://127.0.0.1:${address.port}`;
  const idp = await startOidcProvider({
    redirectUris: [`${bffUrl}/auth/callback`],
    postLogoutRedirectUris: [`${bffUrl}/`],
  });

  const config = loadConfig(
    {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      AUTH_MODE: 'oidc',
      OIDC_ISSUER: idp.issuer,
      OIDC_CLIENT_ID: idp.clientId,
      OIDC_CLIENT_SECRET: idp.clientSecret,
      PUBLIC_URL: bffUrl,
      COORDINATOR_GROUPS: COORDINATOR_GROUP,
    },
    false,
  );
  const avaraClient = createAvaraClient({ baseUrl: avara.url, apiKey: API_KEY, timeoutMs: 2_000, retries: 0 });
  const auditLines: string[] = [];
  const shared = await testSharedState();
  const auth = createAuthContext(config, {
    avara: avaraClient,
    shared,
    publicUrl: bffUrl,
    audit: createAuditLog('stdout', (line) => auditLines.push(line)),
  });
  await enableOidcSignIn(auth, config);
  const app = await buildApp({
    auth,
    config,
    avara: avaraClient,
    contract: createContractValidator(loadAvaraContract()),
    upstream: 'bundled',
    spaRoot: '/nonexistent-spa-root',
  });
  app.addHook('onClose', async () => {
    auth.sessions.close();
    await avaraClient.close();
  });
  await app.ready();
  server.on('request', (request, response) => app.routing(request, response));
  world = { avara, idp, app, server, bffUrl, auditLines };
});

afterAll(async () => {
  if (!world) return;
  await new Promise<void>((resolve) => {
    world.server.close(() => resolve());
    world.server.closeAllConnections();
  });
  await world.app.close();
  await world.idp.close();
  await world.avara.close();
});

/** GET /auth/login, then every hop at the IdP; answers the URL the IdP sends the browser back to. */
async function throughIdp(jar: CookieJar, returnTo = '/'): Promise<{ authorizationUrl: URL; callbackUrl: string }> {
  const start = await browse(jar, `${world.bffUrl}/auth/login?returnTo=${encodeURIComponent(returnTo)}`);
  expect(start.status).toBe(302);
  const authorizationUrl = new URL(locationOf(start, world.bffUrl));
  let next = authorizationUrl.href;
  for (let hop = 0; hop < 10; hop++) {
    if (!next.startsWith(world.idp.issuer)) return { authorizationUrl, callbackUrl: next };
    const response = await browse(jar, next);
    if (response.status < 300 || response.status >= 400)
      throw new Error(`the IdP answered ${response.status}: ${await response.text()}`);
    next = locationOf(response, next);
  }
  throw new Error('too many redirects at the IdP');
}

/** The whole sign-in; answers the callback's response. */
async function signIn(jar: CookieJar, returnTo = '/'): Promise<Response> {
  const { callbackUrl } = await throughIdp(jar, returnTo);
  expect(callbackUrl.startsWith(`${world.bffUrl}/auth/callback?`)).toBe(true);
  return browse(jar, callbackUrl);
}

async function me(jar: CookieJar): Promise<Response> {
  return browse(jar, `${world.bffUrl}/api/me`, { headers: { 'x-csrf': '1' } });
}

function radiologist() {
  const user = world.avara.service.listUsers({ limit: 100 }).users.find((candidate) => !candidate.canManageStudies);
  if (!user) throw new Error('the bundled roster has no radiologist');
  return user;
}

describe('OIDC sign-in against a real IdP', () => {
  it('signs in with code + PKCE and takes the role from the groups claim', async () => {
    const person = radiologist();
    world.idp.setNextLogin({
      email: person.email.toUpperCase(),
      name: 'From the IdP',
      groups: [COORDINATOR_GROUP, 'staff'],
    });
    const jar = new CookieJar();

    const { authorizationUrl, callbackUrl } = await throughIdp(jar, '/studies/std_1?severity=stat');
    expect(authorizationUrl.origin).toBe(world.idp.issuer);
    expect(Object.fromEntries(authorizationUrl.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: world.idp.clientId,
      redirect_uri: `${world.bffUrl}/auth/callback`,
      code_challenge_method: 'S256',
      scope: 'openid email profile',
    });
    expect(authorizationUrl.searchParams.get('state')).toMatch(/^[\w-]{20,}$/);
    expect(authorizationUrl.searchParams.get('nonce')).toMatch(/^[\w-]{20,}$/);
    expect(authorizationUrl.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(jar.get('rw_oidc_login')).toBeDefined();

    const callback = await browse(jar, callbackUrl);
    expect(callback.status).toBe(302);
    expect(callback.headers.get('location')).toBe('/studies/std_1?severity=stat');
    const setCookies = callback.headers.getSetCookie();
    expect(setCookies.find((line) => line.startsWith('rw_session='))).toMatch(/HttpOnly/i);
    expect(jar.get('rw_oidc_login')).toBeUndefined();

    const answer = await me(jar);
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({
      email: person.email,
      role: 'coordinator',
      userId: person.userId,
      authMode: 'oidc',
    });
    expect(world.auditLines.some((line) => line.includes('"session.sign-in"') && line.includes(person.email))).toBe(
      true,
    );
  });

  it('signs out here and at the IdP (RP-initiated logout)', async () => {
    const person = radiologist();
    world.idp.setNextLogin({ email: person.email, groups: [] });
    const jar = new CookieJar();
    expect((await signIn(jar)).status).toBe(302);
    const sessionCookie = jar.get('rw_session');
    expect(sessionCookie).toBeDefined();
    expect((await me(jar)).status).toBe(200);

    const logout = await browse(jar, `${world.bffUrl}/auth/logout`, { method: 'POST', headers: { 'x-csrf': '1' } });
    expect(logout.status).toBe(200);
    const body: unknown = await logout.json();
    expect(body).toMatchObject({ signedOut: true });
    const redirect =
      typeof body === 'object' && body !== null && 'redirect' in body && typeof body.redirect === 'string'
        ? new URL(body.redirect)
        : undefined;
    expect(redirect?.origin).toBe(world.idp.issuer);
    expect(redirect?.searchParams.get('post_logout_redirect_uri')).toBe(`${world.bffUrl}/`);
    expect(redirect?.searchParams.get('id_token_hint')).toMatch(/^ey/);

    // The old cookie, even sent again, no longer opens a session.
    const stale = new CookieJar();
    stale.set('127.0.0.1', 'rw_session', sessionCookie ?? '');
    expect((await me(stale)).status).toBe(401);
    expect((await me(jar)).status).toBe(401);

    // The IdP ends its own session and sends the browser back to the worklist.
    if (!redirect) throw new Error('no end-session URL');
    const prompt = await browse(jar, redirect.href);
    expect(prompt.status).toBe(200);
    const form = readForm(await prompt.text());
    const confirmUrl = new URL(form.action, redirect).href;
    const confirmed = await browse(jar, confirmUrl, { method: 'POST', body: form.fields });
    expect(confirmed.status).toBeGreaterThanOrEqual(300);
    expect(confirmed.status).toBeLessThan(400);
    expect(locationOf(confirmed, confirmUrl)).toBe(`${world.bffUrl}/`);

    // With the IdP session gone, the next sign-in asks for a login again.
    const loginsBefore = world.idp.loginCount;
    world.idp.setNextLogin({ email: person.email, groups: [] });
    expect((await signIn(jar)).status).toBe(302);
    expect(world.idp.loginCount).toBe(loginsBefore + 1);
  });

  it('refuses a forged state with a clear page and no session', async () => {
    world.idp.setNextLogin({ email: radiologist().email, groups: [] });
    const jar = new CookieJar();
    const { callbackUrl } = await throughIdp(jar);
    const forged = new URL(callbackUrl);
    forged.searchParams.set('state', 'forged-state-value-0123456789');

    const answer = await browse(jar, forged.href);
    expect(answer.status).toBe(400);
    expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
    const page = await answer.text();
    expect(page).toContain('This sign-in link is not valid or has expired. Start again.');
    expect(page).toContain('href="/"');
    expect(page).not.toMatch(/at .*\.ts:\d+/);
    expect(jar.get('rw_session')).toBeUndefined();
    expect((await me(jar)).status).toBe(401);
  });

  it('refuses a replayed callback, even with the pending-login cookie sent again', async () => {
    world.idp.setNextLogin({ email: radiologist().email, groups: [] });
    const jar = new CookieJar();
    const { callbackUrl } = await throughIdp(jar);
    const pendingCookie = jar.get('rw_oidc_login');
    expect((await browse(jar, callbackUrl)).status).toBe(302);

    const replayer = new CookieJar();
    replayer.set('127.0.0.1', 'rw_oidc_login', pendingCookie ?? '');
    const replay = await browse(replayer, callbackUrl);
    expect(replay.status).toBe(400);
    expect(await replay.text()).toContain('This sign-in link is not valid or has expired. Start again.');
    expect(replayer.get('rw_session')).toBeUndefined();
    expect((await browse(jar, callbackUrl)).status).toBe(400);
  });

  it('refuses a callback without any pending sign-in', async () => {
    const answer = await browse(new CookieJar(), `${world.bffUrl}/auth/callback?code=abc&state=def`);
    expect(answer.status).toBe(400);
    expect(await answer.text()).toContain('This sign-in link is not valid or has expired. Start again.');
  });

  it('answers 403 to a person the worklist does not know, with an audit line and no session', async () => {
    world.idp.setNextLogin({ email: 'stranger@elsewhere.example', groups: ['some-other-team'] });
    const jar = new CookieJar();
    const answer = await signIn(jar);
    expect(answer.status).toBe(403);
    const page = await answer.text();
    expect(page).toContain('stranger@elsewhere.example');
    expect(page).toContain('not a worklist user');
    expect(page).toContain(`href="${world.idp.issuer}/session/end?`);
    expect(page).not.toContain('id_token_hint');
    expect(jar.get('rw_session')).toBeUndefined();
    expect((await me(jar)).status).toBe(401);
    expect(
      world.auditLines.some(
        (line) => line.includes('"session.refused"') && line.includes('stranger@elsewhere.example'),
      ),
    ).toBe(true);
  });

  it('signs in someone Avara does not know when a group claim gives them a role', async () => {
    world.idp.setNextLogin({
      email: 'locum@hospital.example',
      name: 'Locum Reader',
      groups: `staff, ${COORDINATOR_GROUP}`,
    });
    const jar = new CookieJar();
    expect((await signIn(jar)).status).toBe(302);
    expect(await (await me(jar)).json()).toMatchObject({
      email: 'locum@hospital.example',
      name: 'Locum Reader',
      role: 'coordinator',
      userId: null,
    });
  });

  it('lands on / when returnTo points elsewhere', async () => {
    for (const returnTo of ['//evil.example', '/\\evil.example', 'https://evil.example/', '/\t/evil.example']) {
      world.idp.setNextLogin({ email: radiologist().email, groups: [] });
      const jar = new CookieJar();
      const answer = await signIn(jar, returnTo);
      expect(answer.status).toBe(302);
      expect(answer.headers.get('location')).toBe('/');
    }
  });

  it('shows the IdP refusing the sign-in as a page, not an error', async () => {
    const jar = new CookieJar();
    const start = await browse(jar, `${world.bffUrl}/auth/login`);
    const state = new URL(locationOf(start, world.bffUrl)).searchParams.get('state') ?? '';
    const query = new URLSearchParams({ error: 'access_denied', state, iss: world.idp.issuer });
    const answer = await browse(jar, `${world.bffUrl}/auth/callback?${query.toString()}`);
    expect(answer.status).toBe(403);
    expect(await answer.text()).toContain('did not sign you in');
    expect(jar.get('rw_session')).toBeUndefined();
  });
});

describe('OIDC configuration', () => {
  const settings = {
    OIDC_CLIENT_ID: 'worklist',
    OIDC_CLIENT_SECRET: 'secret',
    OIDC_SCOPES: 'email profile',
    OIDC_ROLE_CLAIM: 'groups',
    PUBLIC_URL: 'http://127.0.0.1:9',
  };

  it('fails with a clear message when the issuer cannot be reached', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const address = closed.address();
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    if (address === null || typeof address === 'string') throw new Error('not listening on TCP');
    const issuer = `http://127.0.0.1:${address.port}`;
    await expect(createOidcLogin({ ...settings, OIDC_ISSUER: issuer })).rejects.toThrow(OidcDiscoveryError);
    await expect(createOidcLogin({ ...settings, OIDC_ISSUER: issuer })).rejects.toThrow(
      `Cannot read the OpenID configuration of ${issuer}`,
    );
  });

  it('accepts plain http only for a loopback issuer', async () => {
    await expect(createOidcLogin({ ...settings, OIDC_ISSUER: 'http://idp.hospital.example' })).rejects.toThrow(
      /must use https/,
    );
  });

  it('always asks for the openid scope', async () => {
    const login = await createOidcLogin({
      ...settings,
      OIDC_ISSUER: world.idp.issuer,
      OIDC_CLIENT_ID: world.idp.clientId,
    });
    const { authorizationUrl } = await login.begin('/');
    expect(authorizationUrl.searchParams.get('scope')).toBe('openid email profile');
  });
});

describe('identity from claims', () => {
  it('reads groups as an array, a space- or comma-separated string, or a nested claim', () => {
    const base = { sub: 'abc', email: 'a@hospital.example' };
    expect(identityFromClaims({ ...base, groups: ['x', 'y'] }, 'groups').groups).toEqual(['x', 'y']);
    expect(identityFromClaims({ ...base, groups: 'x y,z ,' }, 'groups').groups).toEqual(['x', 'y', 'z']);
    expect(identityFromClaims({ ...base, realm_access: { roles: ['r'] } }, 'realm_access.roles').groups).toEqual(['r']);
    expect(
      identityFromClaims({ ...base, 'https://hospital.example/roles': ['n'] }, 'https://hospital.example/roles').groups,
    ).toEqual(['n']);
    expect(identityFromClaims(base, 'groups').groups).toEqual([]);
  });

  it('names the person from name, given and family name, or username', () => {
    const base = { sub: 'abc', email: 'a@hospital.example' };
    expect(identityFromClaims({ ...base, name: 'Ada Lovelace' }, 'groups').name).toBe('Ada Lovelace');
    expect(identityFromClaims({ ...base, given_name: 'Ada', family_name: 'Lovelace' }, 'groups').name).toBe(
      'Ada Lovelace',
    );
    expect(identityFromClaims({ ...base, preferred_username: 'ada' }, 'groups').name).toBe('ada');
    expect(identityFromClaims(base, 'groups').name).toBeUndefined();
  });

  it('requires an email the IdP does not mark unverified', () => {
    expect(() => identityFromClaims({ sub: 'abc' }, 'groups')).toThrow(OidcSignInError);
    expect(() =>
      identityFromClaims({ sub: 'abc', email: 'a@hospital.example', email_verified: false }, 'groups'),
    ).toThrow(/not verified/);
  });
});

describe('pending sign-ins', () => {
  const login = (state: string) => ({ state, nonce: 'n', codeVerifier: 'v', returnTo: '/' });

  it('are used once, matched by state, by whichever instance asks first, and expire after ten minutes', async () => {
    const shared = await testSharedState();
    const pending = new PendingLogins(shared.records);
    const other = new PendingLogins(shared.records);
    const browser = await pending.add(undefined, login('a'));
    expect(await pending.add(browser, login('b'))).toBe(browser);
    expect(await other.take(browser, 'x')).toBeUndefined();
    const takes = await Promise.all([pending.take(browser, 'a'), other.take(browser, 'a')]);
    expect(takes.filter((taken) => taken?.state === 'a')).toHaveLength(1);
    const stored = await shared.records.get('sign-in', browser);
    expect(stored?.expiresAt).toBeGreaterThan(Date.now() + 9 * 60_000);
    expect(stored?.expiresAt).toBeLessThanOrEqual(Date.now() + 10 * 60_000);
    expect((await other.take(browser, 'b'))?.state).toBe('b');
    expect(await pending.has(browser)).toBe(false);
    await shared.close();
  });
});
