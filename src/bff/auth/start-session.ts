import type { FastifyReply } from 'fastify';
import type { AuditLog } from './audit-log.ts';
import type { SessionCookieSettings } from './session-cookie.ts';
import type { SessionStore } from './session-store.ts';
import type { SessionUser } from './session-user.ts';

export interface SessionDeps {
  sessions: SessionStore;
  cookie: SessionCookieSettings;
  audit: AuditLog;
}

/**
 * Signs someone in: a fresh session with a new ID (never the one the browser came with, so a
 * planted cookie cannot ride along), its cookie, and an audit line.
 */
export async function startSession(
  deps: SessionDeps,
  reply: FastifyReply,
  user: SessionUser,
  idToken?: string,
): Promise<{ user: SessionUser }> {
  await deps.sessions.destroy(reply.request.cookies[deps.cookie.name]);
  const session = await deps.sessions.create(user, idToken);
  reply.setCookie(deps.cookie.name, session.id, deps.cookie.options);
  deps.audit.record({ action: 'session.sign-in', user, address: reply.request.ip, outcome: 'ok' });
  return { user };
}
