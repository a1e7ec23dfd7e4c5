import type { FastifyRateLimitStore } from '@fastify/rate-limit';
import type { RateLimitCount, RateLimitCounters } from '../shared-state/shared-state.ts';

/**
 * The requests whose rate-limit count was already taken with their session's read (one round trip
 * for both, SessionStore.touchCounting), by request ID, until @fastify/rate-limit asks for it.
 * The plugin hands its store only the key, so the key it is given for such a request names the
 * request too (`keyFor`), and the store answers it with the count already taken.
 */
export interface PrecountedRequests {
  /** Keeps `count`, taken against `key`, for the request `requestId`. */
  keep(requestId: string, key: string, count: RateLimitCount): void;
  /** The plugin's key for the request: its precounted one when the count was taken against `key`, else `key` (counted as usual). */
  keyFor(requestId: string, key: string): string;
  /** Forgets whatever is kept for the request (once it is answered). */
  forget(requestId: string): void;
}

const PRECOUNTED = 'precounted\u0000';

/**
 * @fastify/rate-limit's store (its documented `store` option) over the shared counters: every
 * instance counts against the same budgets, a fixed window per key, as the plugin's own Redis store
 * counts them. A request precounted with its session's read costs no further round trip.
 */
export function sharedRateLimitStore(counters: RateLimitCounters): {
  Store: new () => FastifyRateLimitStore;
  precounted: PrecountedRequests;
} {
  const kept = new Map<string, { key: string; count: RateLimitCount }>();
  const precounted: PrecountedRequests = {
    keep(requestId, key, count) {
      kept.set(requestId, { key, count });
    },
    keyFor(requestId, key) {
      const entry = kept.get(requestId);
      if (!entry) return key;
      // Counted against another budget (a session that turned out to have ended): counted as usual.
      if (entry.key !== key) {
        kept.delete(requestId);
        return key;
      }
      return `${PRECOUNTED}${requestId}\u0000${key}`;
    },
    forget(requestId) {
      kept.delete(requestId);
    },
  };

  class SharedRateLimitStore implements FastifyRateLimitStore {
    incr(
      key: string,
      callback: (error: Error | null, result?: { current: number; ttl: number }) => void,
      timeWindow: number,
    ) {
      let budget = key;
      if (key.startsWith(PRECOUNTED)) {
        const end = key.indexOf('\u0000', PRECOUNTED.length);
        const requestId = key.slice(PRECOUNTED.length, end);
        budget = key.slice(end + 1);
        const entry = kept.get(requestId);
        kept.delete(requestId);
        if (entry) {
          callback(null, { current: entry.count.current, ttl: entry.count.ttlMs });
          return;
        }
      }
      counters.hit(budget, timeWindow).then(
        (count) => callback(null, { current: count.current, ttl: count.ttlMs }),
        (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
      );
    }

    // No route has limits of its own: every route counts against the same budgets.
    child(): FastifyRateLimitStore {
      return this;
    }
  }

  return { Store: SharedRateLimitStore, precounted };
}
