import type { FastifyInstance } from 'fastify';
import type { BffConfig } from '../config/env.ts';
import { proxyTrust } from '../http/trusted-proxies.ts';
import { PeopleDirectory, loadRosterFile } from '../people/people-directory.ts';
import type { AvaraClient } from '../services/avara-client.ts';
import type { SharedState } from '../shared-state/shared-state.ts';
import { createAuditLog, type AuditLog } from './audit-log.ts';
import type { ProxySettings } from './auth-plugin.ts';
import { sessionCookieSettings, type SessionCookieSettings } from './session-cookie.ts';
import { SessionStore } from './session-store.ts';

/** Who may sign in and how; see docs/security.md. */
export interface AuthContext {
  mode: 'dev' | 'proxy' | 'oidc';
  /** Where sessions and sign-ins in progress live, shared by every instance. */
  shared: SharedState;
  sessions: SessionStore;
  people: PeopleDirectory;
  cookie: SessionCookieSettings;
  audit: AuditLog;
  proxy: ProxySettings;
  portalOrigins: string[];
  /** Origins a viewer URL may point to; the SPA opens nothing else, and the BFF relays nothing else. */
  viewerOrigins: string[];
  /**
   * With the bundled server: the origin its launch links name (the BFF's own). Such a link is
   * given on the origin the person is using instead, since their session lives there.
   */
  bundledLaunchOrigin?: string;
  rateLimitPerMinute: number;
  /** Extra routes of the sign-in mode (the OIDC redirects), registered after the common ones. */
  modeRoutes?: (app: FastifyInstance) => Promise<void>;
  endSessionUrl?: (idToken: string | undefined) => string | undefined;
}

export type AuthSettings = Pick<
  BffConfig,
  | 'AUTH_MODE'
  | 'SESSION_IDLE_MINUTES'
  | 'SESSION_MAX_HOURS'
  | 'COOKIE_SAMESITE'
  | 'PORTAL_ORIGINS'
  | 'TRUSTED_PROXIES'
  | 'PROXY_EMAIL_HEADER'
  | 'PROXY_NAME_HEADER'
  | 'PROXY_GROUPS_HEADER'
  | 'COORDINATOR_GROUPS'
  | 'RADIOLOGIST_GROUPS'
  | 'ROSTER_FILE'
  | 'RATE_LIMIT_PER_MINUTE'
  | 'AUDIT_LOG'
  | 'VIEWER_ORIGINS'
>;

export interface AuthServices {
  avara: AvaraClient;
  shared: SharedState;
  /** The app's address (PUBLIC_URL). */
  publicUrl: string;
  /** Where audit lines go; by default AUDIT_LOG. */
  audit?: AuditLog;
  /**
   * Where the bundled server's launch page is served (the BFF's own origin, normally), allowed as a
   * viewer origin without configuration.
   */
  bundledViewerUrl?: string | undefined;
}

/** Sessions, people, cookie, audit log and proxy settings, from the configuration. */
export function createAuthContext(
  settings: AuthSettings,
  { avara, shared, publicUrl, audit, bundledViewerUrl }: AuthServices,
): AuthContext {
  const sessions = new SessionStore({
    records: shared.records,
    idleTimeoutMs: settings.SESSION_IDLE_MINUTES * 60_000,
    absoluteTimeoutMs: settings.SESSION_MAX_HOURS * 3_600_000,
  });
  return {
    mode: settings.AUTH_MODE,
    shared,
    sessions,
    people: new PeopleDirectory({
      avara,
      roster: loadRosterFile(settings.ROSTER_FILE),
      roleMapping: { coordinatorGroups: settings.COORDINATOR_GROUPS, radiologistGroups: settings.RADIOLOGIST_GROUPS },
    }),
    cookie: sessionCookieSettings(publicUrl, settings.COOKIE_SAMESITE),
    audit: audit ?? createAuditLog(settings.AUDIT_LOG),
    proxy: {
      trusts: proxyTrust(settings.TRUSTED_PROXIES),
      emailHeader: settings.PROXY_EMAIL_HEADER,
      nameHeader: settings.PROXY_NAME_HEADER,
      groupsHeader: settings.PROXY_GROUPS_HEADER,
    },
    portalOrigins: settings.PORTAL_ORIGINS,
    viewerOrigins: [
      ...new Set([...settings.VIEWER_ORIGINS, ...(bundledViewerUrl ? [new URL(bundledViewerUrl).origin] : [])]),
    ],
    rateLimitPerMinute: settings.RATE_LIMIT_PER_MINUTE,
    ...(bundledViewerUrl ? { bundledLaunchOrigin: new URL(bundledViewerUrl).origin } : {}),
  };
}
