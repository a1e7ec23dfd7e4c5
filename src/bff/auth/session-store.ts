import { randomBytes } from 'node:crypto';
import type { SessionUser } from './session-user.ts';

export interface Session {
  id: string;
  user: SessionUser;
  createdAt: number;
  lastSeenAt: number;
  /** The IdP's ID token, kept server-side only for RP-initiated logout. */
  idToken?: string;
}

export interface SessionStoreOptions {
  idleTimeoutMs: number;
  absoluteTimeoutMs: number;
  now?: () => number;
}

/**
 * Server-side sessions in memory, keyed by 256-bit random IDs. The cookie carries only the ID, so
 * nothing about the user can be read or forged on the client, and sign-out ends the session here.
 * Sessions do not survive a restart (people sign in again), which a single BFF process can afford.
 */
export class SessionStore {
  readonly #sessions = new Map<string, Session>();
  readonly #idleMs: number;
  readonly #absoluteMs: number;
  readonly #now: () => number;
  readonly #sweeper: NodeJS.Timeout;

  constructor(options: SessionStoreOptions) {
    this.#idleMs = options.idleTimeoutMs;
    this.#absoluteMs = options.absoluteTimeoutMs;
    this.#now = options.now ?? Date.now;
    this.#sweeper = setInterval(() => this.sweep(), 60_000);
    this.#sweeper.unref();
  }

  /** Starts a new session (never reuses an ID, so a planted cookie cannot be signed in). */
  create(user: SessionUser, idToken?: string): Session {
    const now = this.#now();
    const session: Session = { id: randomBytes(32).toString('base64url'), user, createdAt: now, lastSeenAt: now, ...(idToken ? { idToken } : {}) };
    this.#sessions.set(session.id, session);
    return session;
  }

  /** The live session for an ID, refreshed; undefined when unknown, idle too long, or too old. */
  touch(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const session = this.#sessions.get(id);
    if (!session) return undefined;
    const now = this.#now();
    if (this.#expired(session, now)) {
      this.#sessions.delete(id);
      return undefined;
    }
    session.lastSeenAt = now;
    return session;
  }

  destroy(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const session = this.#sessions.get(id);
    this.#sessions.delete(id);
    return session;
  }

  /** Drops expired sessions; runs every minute. */
  sweep(): void {
    const now = this.#now();
    for (const [id, session] of this.#sessions) if (this.#expired(session, now)) this.#sessions.delete(id);
  }

  close(): void {
    clearInterval(this.#sweeper);
    this.#sessions.clear();
  }

  get size(): number {
    return this.#sessions.size;
  }

  #expired(session: Session, now: number): boolean {
    return now - session.lastSeenAt > this.#idleMs || now - session.createdAt > this.#absoluteMs;
  }
}
