import { isIP } from 'node:net';
import * as client from 'openid-client';
import type { BffConfig } from '../config/env.ts';
import type { Identity } from './session-user.ts';

export type OidcSettings = Pick<
  BffConfig,
  'OIDC_ISSUER' | 'OIDC_CLIENT_ID' | 'OIDC_CLIENT_SECRET' | 'OIDC_SCOPES' | 'OIDC_ROLE_CLAIM' | 'PUBLIC_URL'
>;

/** What the BFF keeps between sending someone to the IdP and their return. Never sent to the browser. */
export interface PendingLogin {
  state: string;
  nonce: string;
  codeVerifier: string;
  /** Same-origin path to land on after sign-in. */
  returnTo: string;
}

export interface OidcLogin {
  /** The IdP's issuer identifier, as its discovery document states it. */
  readonly issuer: string;
  /** Fresh state, nonce and PKCE verifier for one sign-in, and the IdP URL to send the browser to. */
  begin(returnTo: string): Promise<{ authorizationUrl: URL; pending: PendingLogin }>;
  /**
   * Exchanges the code of the callback (its query string) for tokens; openid-client checks state,
   * PKCE, issuer, audience, nonce and expiry. Throws an `OidcSignInError` for a refused sign-in.
   */
  complete(callbackQuery: string, pending: PendingLogin): Promise<{ identity: Identity; idToken: string }>;
  /** The IdP's RP-initiated logout URL, or undefined when the IdP has no end-session endpoint. */
  endSessionUrl(idToken: string | undefined): string | undefined;
}

/** The IdP could not be reached or read at start-up; the message says which and why. */
export class OidcDiscoveryError extends Error {}

/**
 * A sign-in the IdP or the checks refused. `kind` tells the page to show: `refused` (the IdP said
 * no, e.g. the person cancelled), `invalid` (a check failed: state, code, token), `unreachable`.
 */
export class OidcSignInError extends Error {
  readonly kind: 'refused' | 'invalid' | 'unreachable';
  constructor(kind: 'refused' | 'invalid' | 'unreachable', message: string, options?: ErrorOptions) {
    super(message, options);
    this.kind = kind;
  }
}

const IDP_TIMEOUT_SECONDS = 10;

/**
 * The BFF as a confidential OIDC client of the hospital's IdP: discovery now (so a wrong issuer
 * stops start-up rather than the first sign-in), then authorization code + PKCE (S256) + state +
 * nonce. Plain http is accepted only for an issuer on a loopback address (a test IdP).
 */
export async function createOidcLogin(settings: OidcSettings): Promise<OidcLogin> {
  const issuerSetting = required(settings.OIDC_ISSUER, 'OIDC_ISSUER');
  const clientId = required(settings.OIDC_CLIENT_ID, 'OIDC_CLIENT_ID');
  const clientSecret = required(settings.OIDC_CLIENT_SECRET, 'OIDC_CLIENT_SECRET');
  const publicUrl = required(settings.PUBLIC_URL, 'PUBLIC_URL').replace(/\/$/, '');
  const redirectUri = `${publicUrl}/auth/callback`;
  const postLogoutRedirectUri = `${publicUrl}/`;
  const scope = withOpenid(settings.OIDC_SCOPES);
  const roleClaim = settings.OIDC_ROLE_CLAIM;

  let issuerUrl: URL;
  try {
    issuerUrl = new URL(issuerSetting);
  } catch {
    throw new OidcDiscoveryError(`OIDC_ISSUER ${issuerSetting} is not a URL`);
  }
  const insecure = issuerUrl.protocol === 'http:';
  if (insecure && !isLoopbackHost(issuerUrl.hostname)) {
    throw new OidcDiscoveryError(
      `OIDC_ISSUER ${issuerSetting} must use https:// (plain http is allowed only for a loopback test IdP)`,
    );
  }

  let config: client.Configuration;
  try {
    // The secret goes in the Authorization header: every OAuth server must accept that (RFC 6749).
    // The timeout also applies to every later call to the IdP.
    config = await client.discovery(issuerUrl, clientId, clientSecret, client.ClientSecretBasic(clientSecret), {
      timeout: IDP_TIMEOUT_SECONDS,
      ...(insecure ? { execute: [client.allowInsecureRequests] } : {}),
    });
  } catch (error) {
    throw new OidcDiscoveryError(`Cannot read the OpenID configuration of ${issuerSetting}: ${describe(error)}`, {
      cause: error,
    });
  }
  const metadata = config.serverMetadata();

  return {
    issuer: metadata.issuer,

    async begin(returnTo) {
      const pending: PendingLogin = {
        state: client.randomState(),
        nonce: client.randomNonce(),
        codeVerifier: client.randomPKCECodeVerifier(),
        returnTo,
      };
      const authorizationUrl = client.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope,
        code_challenge: await client.calculatePKCECodeChallenge(pending.codeVerifier),
        code_challenge_method: 'S256',
        state: pending.state,
        nonce: pending.nonce,
      });
      return { authorizationUrl, pending };
    },

    async complete(callbackQuery, pending) {
      // The redirect_uri of the token request is this URL without its query: built from
      // PUBLIC_URL, not from the Host header, so it matches what the IdP has registered.
      const callbackUrl = new URL(redirectUri);
      callbackUrl.search = callbackQuery;
      let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
      try {
        tokens = await client.authorizationCodeGrant(config, callbackUrl, {
          pkceCodeVerifier: pending.codeVerifier,
          expectedState: pending.state,
          expectedNonce: pending.nonce,
          idTokenExpected: true,
        });
      } catch (error) {
        throw signInError(error);
      }
      const idTokenClaims = tokens.claims();
      const idToken = tokens.id_token;
      if (!idTokenClaims || !idToken)
        throw new OidcSignInError('invalid', 'The identity provider answered without an ID token');

      // Many IdPs put email, name and groups only in userinfo (the ID token of a code flow
      // carries the bare minimum); the ID token's own values win where both have one.
      let userinfo: Record<string, unknown> = {};
      if (metadata.userinfo_endpoint) {
        try {
          userinfo = { ...(await client.fetchUserInfo(config, tokens.access_token, idTokenClaims.sub)) };
        } catch (error) {
          throw signInError(error);
        }
      }
      return { identity: identityFromClaims({ ...userinfo, ...idTokenClaims }, roleClaim), idToken };
    },

    endSessionUrl(idToken) {
      if (!metadata.end_session_endpoint) return undefined;
      return client
        .buildEndSessionUrl(config, {
          post_logout_redirect_uri: postLogoutRedirectUri,
          ...(idToken ? { id_token_hint: idToken } : {}),
        })
        .toString();
    },
  };
}

/**
 * Who signed in, from the merged claims: `sub`, an email (required; one the IdP marks unverified
 * is refused, since the email is what matches a person to their Avara user), a display name,
 * and groups from `roleClaim` (an array, or one space- or comma-separated string; a dotted name
 * such as `realm_access.roles` is followed into nested objects when no claim has that exact name).
 */
export function identityFromClaims(claims: Record<string, unknown>, roleClaim: string): Identity {
  const subject = stringClaim(claims, 'sub');
  if (!subject) throw new OidcSignInError('invalid', 'The identity provider sent no subject (sub)');
  const email = stringClaim(claims, 'email');
  if (!email) {
    throw new OidcSignInError(
      'invalid',
      'The identity provider sent no email address: ask IT to release the email claim to the worklist',
    );
  }
  if (claims['email_verified'] === false) {
    throw new OidcSignInError('invalid', `The identity provider marks ${email} as not verified`);
  }
  const name =
    stringClaim(claims, 'name') ??
    ([stringClaim(claims, 'given_name'), stringClaim(claims, 'family_name')].filter(Boolean).join(' ') || undefined) ??
    stringClaim(claims, 'preferred_username');
  return { subject, email, groups: groupsOf(claimAt(claims, roleClaim)), ...(name ? { name } : {}) };
}

function claimAt(claims: Record<string, unknown>, name: string): unknown {
  if (name in claims) return claims[name];
  let value: unknown = claims;
  for (const part of name.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    value = Object.getOwnPropertyDescriptor(value, part)?.value;
  }
  return value;
}

function groupsOf(value: unknown): string[] {
  const entries = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[\s,]+/) : [];
  return entries
    .filter((entry): entry is string => typeof entry === 'string' && entry.trim() !== '')
    .map((entry) => entry.trim());
}

function stringClaim(claims: Record<string, unknown>, name: string): string | undefined {
  const value = claims[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function signInError(error: unknown): OidcSignInError {
  if (error instanceof OidcSignInError) return error;
  if (error instanceof client.AuthorizationResponseError) {
    // The IdP redirected back with error=… (the person cancelled, or a policy refused them).
    return new OidcSignInError('refused', `The identity provider refused the sign-in: ${error.error}`, {
      cause: error,
    });
  }
  if (
    error instanceof client.ResponseBodyError ||
    error instanceof client.ClientError ||
    error instanceof client.WWWAuthenticateChallengeError
  ) {
    return new OidcSignInError('invalid', `The sign-in could not be verified: ${describe(error)}`, { cause: error });
  }
  return new OidcSignInError('unreachable', `The identity provider could not be reached: ${describe(error)}`, {
    cause: error,
  });
}

function withOpenid(scopes: string): string {
  const list = scopes.split(/\s+/).filter(Boolean);
  return (list.includes('openid') ? list : ['openid', ...list]).join(' ');
}

function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

function required(value: string | undefined, name: string): string {
  if (!value) throw new OidcDiscoveryError(`${name} is required when AUTH_MODE=oidc`);
  return value;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return `${error.message}${cause}`;
}
