import type { FastifyInstance } from 'fastify';
import { parseUpstreamJson, type AvaraClient } from '../../../services/avara-client.ts';
import { problemFromUpstream, sendProblem } from '../../../lib/problems.ts';

export interface WorklistRoutesOptions {
  avara: AvaraClient;
  /** How long counts are reused; they are the same for everyone. */
  cacheMs?: number;
  now?: () => number;
}

/** Counted exactly up to this many per severity; beyond it, "at least". */
const COUNT_CAP = 1_000;
const PAGE = 100;

export interface UnreadCount {
  count: number;
  /** True when there are at least `count` (the walk stopped at the cap). */
  capped: boolean;
}

/**
 * `GET /api/worklist/counts`: unread (incomplete, not cancelled) STAT and high studies, for the
 * portal's badge. Avara's list has no totals, so the BFF walks the pages, capped and cached.
 */
export async function worklistRoutes(app: FastifyInstance, { avara, cacheMs = 15_000, now = Date.now }: WorklistRoutesOptions): Promise<void> {
  let cached: { at: number; counts: Promise<Record<'stat' | 'high', UnreadCount>> } | undefined;

  async function countUnread(severity: 'stat' | 'high'): Promise<UnreadCount> {
    let count = 0;
    let cursor: string | undefined;
    while (count < COUNT_CAP) {
      const result = await avara.listStudies({ severity, studyViewerStatus: 'incomplete', isCancelled: false, limit: PAGE, ...(cursor ? { cursor } : {}) });
      if (!result.ok) throw new CountFailed(result);
      const page = parseUpstreamJson(result);
      const studies = typeof page === 'object' && page !== null && 'studies' in page && Array.isArray(page.studies) ? page.studies : [];
      count += studies.length;
      const hasMore = typeof page === 'object' && page !== null && 'hasMore' in page && page.hasMore === true;
      const next = typeof page === 'object' && page !== null && 'cursor' in page && typeof page.cursor === 'string' ? page.cursor : undefined;
      if (!hasMore || !next) return { count, capped: false };
      cursor = next;
    }
    return { count, capped: true };
  }

  app.get('/api/worklist/counts', { config: { access: 'api' } }, async (_request, reply) => {
    const at = now();
    if (!cached || at - cached.at > cacheMs) {
      const counts = Promise.all([countUnread('stat'), countUnread('high')]).then(([stat, high]) => ({ stat, high }));
      cached = { at, counts };
      counts.catch(() => {
        if (cached?.counts === counts) cached = undefined;
      });
    }
    try {
      return { unread: await cached.counts };
    } catch (error) {
      if (error instanceof CountFailed) return sendProblem(reply, problemFromUpstream(error.result, 'Studies'), error.result.retryAfter);
      throw error;
    }
  });
}

class CountFailed extends Error {
  readonly result: Extract<Awaited<ReturnType<AvaraClient['listStudies']>>, { ok: false }>;
  constructor(result: Extract<Awaited<ReturnType<AvaraClient['listStudies']>>, { ok: false }>) {
    super(`Avara answered ${result.status} while counting`);
    this.result = result;
  }
}
