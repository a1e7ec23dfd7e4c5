/**
 * A real OpenID Provider for tests: node-oidc-provider on 127.0.0.1 (ephemeral port, http issuer),
 * one confidential client (client_secret_basic, PKCE required), no dev interactions. Its sign-in
 * and consent screens are replaced by one route of our own that signs in whichever account the
 * test chose beforehand with `setNextLogin`, so a test drives the whole redirect dance with fetch.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TestAccount {
  email: string;
  name?: string;
  /** Sent as the `groups` claim, as given (an array, or a string as some IdPs send it). */
  groups?: string[] | string;
  emailVerified?: boolean;
}

export interface TestOidcProviderOptions {
  /** The BFF's callback, e.g. http://127.0.0.1:1234/auth/callback. */
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  clientId?: string;
  clientSecret?: string;
}

export interface TestOidcProvider {
  /** http://127.0.0.1:<port> */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The account the next sign-in at this IdP becomes (used once). */
  setNextLogin(account: TestAccount): void;
  /** Logins the IdP asked for so far (a sign-in within its own session asks none). */
  readonly loginCount: number;
  close(): Promise<void>;
}

// oidc-provider ships no types (they live in @types/oidc-provider, not installed): these are the
// parts used here, as its documentation describes them.
interface Grant {
  addOIDCScope(scope: string): void;
  addOIDCClaims(claims: string[]): void;
  save(): Promise<string>;
}
interface GrantClass {
  new (init: { accountId: string; clientId: string }): Grant;
  find(id: string): Promise<Grant | undefined>;
}
interface Provider {
  callback(): (request: IncomingMessage, response: ServerResponse) => void;
  interactionDetails(request: IncomingMessage, response: ServerResponse): Promise<unknown>;
  interactionFinished(
    request: IncomingMessage,
    response: ServerResponse,
    result: Record<string, unknown>,
    options: { mergeWithLastSubmission: boolean },
  ): Promise<void>;
  Grant: GrantClass;
}
type ProviderClass = new (issuer: string, configuration: Record<string, unknown>) => Provider;

/** The subset of Koa's context the page renderers set. */
interface PageContext {
  type: string;
  body: string;
}

/** Starts the provider; `close()` stops it. */
export async function startOidcProvider(options: TestOidcProviderOptions): Promise<TestOidcProvider> {
  const Provider = await loadProviderClass();
  const clientId = options.clientId ?? 'radiology-worklist';
  const clientSecret = options.clientSecret ?? randomBytes(24).toString('base64url');
  const accounts = new Map<string, TestAccount>();
  let nextLogin: TestAccount | undefined;
  let loginCount = 0;
  let provider: Provider | undefined;
  let providerHandler: ((request: IncomingMessage, response: ServerResponse) => void) | undefined;

  const server = createServer((request, response) => {
    if (!provider || !providerHandler) {
      response.writeHead(503).end('starting');
      return;
    }
    const match = /^\/interaction\/([\w-]+)$/.exec((request.url ?? '').split('?')[0] ?? '');
    if (match?.[1] && request.method === 'GET') {
      finishInteraction(provider, match[1], request, response).catch((error: unknown) => {
        if (!response.headersSent) response.writeHead(400, { 'content-type': 'text/plain' });
        response.end(`interaction failed: ${error instanceof Error ? error.message : String(error)}`);
      });
      return;
    }
    providerHandler(request, response);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = addressOf(server.address());
  const issuer = `http://127.0.0.1:${port}`;

  // The login step of our interaction route: whoever the test chose, once.
  const takeNextLogin = (): string => {
    if (!nextLogin) throw new Error('no account chosen: call setNextLogin first');
    const accountId = `acct-${Buffer.from(nextLogin.email).toString('base64url')}`;
    accounts.set(accountId, nextLogin);
    nextLogin = undefined;
    loginCount += 1;
    return accountId;
  };

  async function finishInteraction(current: Provider, uid: string, request: IncomingMessage, response: ServerResponse) {
    const details = await current.interactionDetails(request, response);
    if (field(details, 'uid') !== uid) throw new Error('interaction UID does not match its cookie');
    const prompt = field(details, 'prompt');
    const promptName = field(prompt, 'name');
    if (promptName === 'login') {
      await current.interactionFinished(
        request,
        response,
        { login: { accountId: takeNextLogin() } },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    if (promptName !== 'consent') throw new Error(`unexpected prompt ${String(promptName)}`);
    // Consent: grant what the client asked for (a first-party app; nobody is asked).
    const accountId = stringField(field(details, 'session'), 'accountId');
    const clientIdOfRequest = stringField(field(details, 'params'), 'client_id');
    if (!accountId || !clientIdOfRequest) throw new Error('consent without a signed-in account or a client');
    const existingGrantId = stringField(details, 'grantId');
    const grant =
      (existingGrantId ? await current.Grant.find(existingGrantId) : undefined) ??
      new current.Grant({ accountId, clientId: clientIdOfRequest });
    const promptDetails = field(prompt, 'details');
    const missingScope = stringsField(promptDetails, 'missingOIDCScope');
    if (missingScope.length > 0) grant.addOIDCScope(missingScope.join(' '));
    const missingClaims = stringsField(promptDetails, 'missingOIDCClaims');
    if (missingClaims.length > 0) grant.addOIDCClaims(missingClaims);
    const grantId = await grant.save();
    await current.interactionFinished(
      request,
      response,
      { consent: existingGrantId ? {} : { grantId } },
      { mergeWithLastSubmission: true },
    );
  }

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: options.redirectUris,
        post_logout_redirect_uris: options.postLogoutRedirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
    },
    interactions: { url: (_context: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'groups'] },
    findAccount: async (_context: unknown, sub: string) => {
      const account = accounts.get(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        claims: async () => ({
          sub,
          email: account.email,
          email_verified: account.emailVerified ?? true,
          ...(account.name ? { name: account.name } : {}),
          ...(account.groups !== undefined ? { groups: account.groups } : {}),
        }),
      };
    },
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'test-signing-key', use: 'sig', alg: 'RS256' }] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    adapter: createMemoryAdapter(),
    ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 3600, Grant: 3600 },
    clientBasedCORS: () => false,
    renderError: async (context: PageContext, out: Record<string, unknown>) => {
      context.type = 'html';
      context.body = `<!doctype html><title>error</title><h1>${escapeHtml(String(out['error']))}</h1><p>${escapeHtml(typeof out['error_description'] === 'string' ? out['error_description'] : '')}</p>`;
    },
  });
  providerHandler = provider.callback();

  return {
    issuer,
    clientId,
    clientSecret,
    setNextLogin(account) {
      nextLogin = account;
    },
    get loginCount() {
      return loginCount;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/**
 * The logout prompt: the provider's form (it carries the anti-forgery value) plus `logout=yes`,
 * submitted by script in a browser. A fetch-driven test submits it with `readForm`.
 */
async function logoutSource(context: PageContext, form: string): Promise<void> {
  context.type = 'html';
  context.body = `<!doctype html><html><head><title>Signing out</title></head><body>
${form.replace('</form>', '<input type="hidden" name="logout" value="yes"></form>')}
<script>document.forms[0].submit()</script>
</body></html>`;
}

async function postLogoutSuccessSource(context: PageContext): Promise<void> {
  context.type = 'html';
  context.body = '<!doctype html><title>Signed out</title><p>You are signed out.</p>';
}

/** The action and fields of the first form of a page (enough for the provider's own forms). */
export function readForm(html: string): { action: string; fields: URLSearchParams } {
  const form = /<form\b[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) throw new Error('the page has no form');
  const action = /\baction="([^"]*)"/i.exec(form[0])?.[1];
  if (!action) throw new Error('the form has no action');
  const fields = new URLSearchParams();
  for (const input of form[1]?.matchAll(/<input\b[^>]*>/gi) ?? []) {
    const name = /\bname="([^"]*)"/i.exec(input[0])?.[1];
    const value = /\bvalue="([^"]*)"/i.exec(input[0])?.[1] ?? '';
    if (name) fields.append(name, unescapeHtml(value));
  }
  return { action: unescapeHtml(action), fields };
}

async function loadProviderClass(): Promise<ProviderClass> {
  // A computed specifier: a literal one would make the compiler look for the missing types.
  const specifier = ['oidc', 'provider'].join('-');
  const loaded: unknown = await import(specifier);
  const Provider = field(loaded, 'Provider') ?? field(loaded, 'default');
  if (!isProviderClass(Provider)) throw new Error('oidc-provider does not export a Provider class');
  return Provider;
}

function isProviderClass(value: unknown): value is ProviderClass {
  return typeof value === 'function' && typeof field(value, 'prototype') === 'object';
}

/** oidc-provider's storage contract (upsert/find/consume/destroy/revokeByGrantId), in memory, per provider. */
function createMemoryAdapter() {
  const records = new Map<string, { payload: Record<string, unknown>; expiresAt: number }>();
  const live = (key: string) => {
    const record = records.get(key);
    if (!record) return undefined;
    if (record.expiresAt <= Date.now()) {
      records.delete(key);
      return undefined;
    }
    return record.payload;
  };
  return class MemoryAdapter {
    readonly #model: string;
    constructor(model: string) {
      this.#model = model;
    }
    #key(id: string) {
      return `${this.#model}:${id}`;
    }
    async upsert(id: string, payload: Record<string, unknown>, expiresIn?: number) {
      records.set(this.#key(id), {
        payload: { ...payload },
        expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : Infinity,
      });
    }
    async find(id: string) {
      return live(this.#key(id));
    }
    async findByUid(uid: string) {
      for (const key of records.keys()) {
        if (!key.startsWith(`${this.#model}:`)) continue;
        const payload = live(key);
        if (payload?.['uid'] === uid) return payload;
      }
      return undefined;
    }
    async findByUserCode(userCode: string) {
      for (const key of records.keys()) {
        if (!key.startsWith(`${this.#model}:`)) continue;
        const payload = live(key);
        if (payload?.['userCode'] === userCode) return payload;
      }
      return undefined;
    }
    async consume(id: string) {
      const payload = live(this.#key(id));
      if (payload) payload['consumed'] = Math.floor(Date.now() / 1000);
    }
    async destroy(id: string) {
      records.delete(this.#key(id));
    }
    async revokeByGrantId(grantId: string) {
      for (const [key, record] of records) if (record.payload['grantId'] === grantId) records.delete(key);
    }
  };
}

function addressOf(address: string | AddressInfo | null): AddressInfo {
  if (address === null || typeof address === 'string') throw new Error('the test IdP is not listening on a TCP port');
  return address;
}

/** A property of an untyped value, own or inherited (the provider's models expose getters). */
function field(value: unknown, key: string): unknown {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return undefined;
  const found: unknown = Reflect.get(value, key);
  return found;
}

function stringField(value: unknown, key: string): string | undefined {
  const inner = field(value, key);
  return typeof inner === 'string' && inner !== '' ? inner : undefined;
}

function stringsField(value: unknown, key: string): string[] {
  const inner = field(value, key);
  return Array.isArray(inner) ? inner.filter((entry): entry is string => typeof entry === 'string') : [];
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

function unescapeHtml(text: string): string {
  return text
    .replace(/&#(\d+);/g, (_match, code: string) => String.fromCharCode(Number(code)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
