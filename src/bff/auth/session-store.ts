import { randomBytes } from 'node:crypto';
import {
  SharedStateUnavailableError,
  type JsonObject,
  type RateLimitCount,
  type RateLimitCounters,
  type RecordStore,
  type StoredRecord,
} from '../shared-state/shared-state.ts';
import { isRole, type SessionUser } from './session-user.ts';

export interface Session {
  id: string;
  user: SessionUser;
  createdAt: number;
  lastSeenAt: number;
  /** The IdP's ID token, kept server-side only for RP-initiated logout. */
  idToken?: string;
}

export interface SessionStoreOptions {
  /** Where sessions live: the shared state, so every instance knows them and a restart forgets none. */
  records: RecordStore;
  idleTimeoutMs: number;
  absoluteTimeoutMs: number;
  now?: () => number;
}

/** Where sessions live in the shared state's records. */
export const SESSION_NAMESPACE = 'session';
const NAMESPACE = SESSION_NAMESPACE;
/** A session's idle clock is written again at most this often: reads stay cheap under load. */
const TOUCH_EVERY_MS = 15_000;
/** Where a stored session names its person (the rate limit's budget is theirs). */
const SUBJECT_PATH = ['user', 'subject'];
/** Sessions this instance has seen recently, kept to carry on while the shared state is unreachable. */
const RECENT_LIMIT = 10_000;

/**
 * Server-side sessions, keyed by 256-bit random IDs, in the shared state (SQLite in-process, or
 * Redis): a restart or another instance signs nobody out. The cookie carries only the ID, so
 * nothing about the user can be read or forged on the client, and sign-out ends the session for
 * every instance. A record expires with the idle timeout; the absolute timeout is checked on read.
 *
 * While the shared state cannot be reached, sessions this instance saw recently still work (so
 * reading goes on); anyone else is told to retry, never signed out.
 */
export class SessionStore {
  readonly #records: RecordStore;
  readonly #idleMs: number;
  readonly #absoluteMs: number;
  readonly #now: () => number;
  readonly #recent = new Map<string, Session>();

  constructor(options: SessionStoreOptions) {
    this.#records = options.records;
    this.#idleMs = options.idleTimeoutMs;
    this.#absoluteMs = options.absoluteTimeoutMs;
    this.#now = options.now ?? Date.now;
  }

  /** Starts a new session (never reuses an ID, so a planted cookie cannot be signed in). */
  async create(user: SessionUser, idToken?: string): Promise<Session> {
    const now = this.#now();
    const session: Session = {
      id: randomBytes(32).toString('base64url'),
      user,
      createdAt: now,
      lastSeenAt: now,
      ...(idToken ? { idToken } : {}),
    };
    await this.#records.set(NAMESPACE, session.id, toRecord(session), { ttlMs: this.#ttl(session, now) });
    this.#remember(session);
    return session;
  }

  /** The live session for an ID, refreshed; undefined when unknown, idle too long, or too old. */
  async touch(id: string | undefined): Promise<Session | undefined> {
    if (!id || id.length > 100) return undefined;
    return this.#touchRead(id, () => this.#records.get(NAMESPACE, id));
  }

  /**
   * `touch`, counting the request against a rate-limit budget in the same round trip as the
   * session's read (RateLimitCounters.readAndHit): the person's (`subjectKey` and the session's
   * subject) when the session is live in the store, else `otherwiseKey`. `count` is absent when
   * nothing was read (no ID, or one no session can have): the request is then counted as usual.
   */
  async touchCounting(
    id: string | undefined,
    counters: RateLimitCounters,
    budget: { subjectKey: string; otherwiseKey: string; windowMs: number },
  ): Promise<{ session: Session | undefined; count?: RateLimitCount & { key: string } }> {
    if (!id || id.length > 100) return { session: undefined };
    let count: (RateLimitCount & { key: string }) | undefined;
    const session = await this.#touchRead(id, async () => {
      const read = await counters.readAndHit(NAMESPACE, id, { ...budget, subjectPath: SUBJECT_PATH });
      const subject = read.count.bySubject && read.record ? fromRecord(id, read.record.value)?.user.subject : undefined;
      count = {
        current: read.count.current,
        ttlMs: read.count.ttlMs,
        key: read.count.bySubject ? `${budget.subjectKey}${subject ?? ''}` : budget.otherwiseKey,
      };
      return read.record;
    });
    return count ? { session, count } : { session };
  }

  async #touchRead(id: string, read: () => Promise<StoredRecord | undefined>): Promise<Session | undefined> {
    const now = this.#now();
    let session: Session | undefined;
    try {
      const stored = await read();
      session = stored ? fromRecord(id, stored.value) : undefined;
    } catch (error) {
      if (!(error instanceof SharedStateUnavailableError)) throw error;
      const recent = this.#recent.get(id);
      if (recent && !this.#expired(recent, now)) return recent;
      throw error;
    }
    if (!session || this.#expired(session, now)) {
      this.#recent.delete(id);
      return undefined;
    }
    if (now - session.lastSeenAt >= TOUCH_EVERY_MS) {
      session = { ...session, lastSeenAt: now };
      try {
        await this.#records.set(NAMESPACE, id, toRecord(session), { ttlMs: this.#ttl(session, now) });
      } catch (error) {
        // The read worked; a missed refresh only shortens the idle window.
        if (!(error instanceof SharedStateUnavailableError)) throw error;
      }
    }
    this.#remember(session);
    return session;
  }

  /**
   * Whether the session is still live, read without refreshing its idle clock: an open event stream
   * is not activity, so it must not keep a session alive. Throws SharedStateUnavailableError when
   * that cannot be told now.
   */
  async isLive(id: string): Promise<boolean> {
    if (!id || id.length > 100) return false;
    const stored = await this.#records.get(NAMESPACE, id);
    const session = stored ? fromRecord(id, stored.value) : undefined;
    return session !== undefined && !this.#expired(session, this.#now());
  }

  /** Ends a session everywhere; answers what it was, if it was live. */
  async destroy(id: string | undefined): Promise<Session | undefined> {
    if (!id || id.length > 100) return undefined;
    this.#recent.delete(id);
    const stored = await this.#records.get(NAMESPACE, id);
    if (!stored) return undefined;
    await this.#records.delete(NAMESPACE, id);
    const session = fromRecord(id, stored.value);
    return session && !this.#expired(session, this.#now()) ? session : undefined;
  }

  close(): void {
    this.#recent.clear();
  }

  #remember(session: Session): void {
    this.#recent.delete(session.id);
    this.#recent.set(session.id, session);
    if (this.#recent.size > RECENT_LIMIT) {
      const oldest = this.#recent.keys().next();
      if (!oldest.done) this.#recent.delete(oldest.value);
    }
  }

  #ttl(session: Session, now: number): number {
    return Math.max(1, Math.min(this.#idleMs, session.createdAt + this.#absoluteMs - now));
  }

  #expired(session: Session, now: number): boolean {
    return now - session.lastSeenAt > this.#idleMs || now - session.createdAt > this.#absoluteMs;
  }
}

function toRecord(session: Session): JsonObject {
  const { user } = session;
  return {
    user: { subject: user.subject, email: user.email, name: user.name, role: user.role, userId: user.userId },
    createdAt: session.createdAt,
    lastSeenAt: session.lastSeenAt,
    ...(session.idToken ? { idToken: session.idToken } : {}),
  };
}

/** A stored session read back; undefined when its shape is not one this code wrote. */
function fromRecord(id: string, value: JsonObject): Session | undefined {
  const user = value.user;
  if (typeof user !== 'object' || user === null || Array.isArray(user)) return undefined;
  const { subject, email, name, role, userId } = user;
  const { createdAt, lastSeenAt, idToken } = value;
  if (typeof subject !== 'string' || typeof email !== 'string' || typeof name !== 'string' || !isRole(role))
    return undefined;
  if (userId !== null && typeof userId !== 'string') return undefined;
  if (typeof createdAt !== 'number' || typeof lastSeenAt !== 'number') return undefined;
  return {
    id,
    user: { subject, email, name, role, userId },
    createdAt,
    lastSeenAt,
    ...(typeof idToken === 'string' ? { idToken } : {}),
  };
}
