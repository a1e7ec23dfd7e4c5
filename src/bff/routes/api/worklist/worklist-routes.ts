import type { FastifyInstance } from 'fastify';
import { isStudyListPage } from '../../../../contract/answer-shapes.ts';
import { SEVERITIES, type Severity } from '../../../../contract/avara-types.ts';
import type { WorklistCounts } from '../../../../contract/worklist-api.ts';
import type { SlaTargets } from '../../../../contract/sla.ts';
import { countQueue, isActive, summarize, worklistCounts, type StudySummary } from '../../../events/queue-snapshot.ts';
import { readQueueCounts } from '../../../events/queue-watcher.ts';
import { type AvaraClient } from '../../../services/avara-client.ts';
import { userOf } from '../../../auth/auth-plugin.ts';
import type { SessionUser } from '../../../auth/session-user.ts';
import { actorOf, mayChange } from '../../../../contract/permissions.ts';
import { SharedStateUnavailableError, type SharedState } from '../../../shared-state/shared-state.ts';
import { problemFromUpstream, sendProblem } from '../../../lib/problems.ts';
import { PROBLEM_TYPES, invalidRequestProblem } from '../../../../contract/problem.ts';
import type { CustomerAnswer } from '../../../../contract/worklist-api.ts';

const CUSTOMER_ID = /^cus_[0-9a-f]{32}$/;

export interface WorklistRoutesOptions {
  avara: AvaraClient;
  /** Where the queue watcher keeps the counts of its last walk. */
  shared: Pick<SharedState, 'records'>;
  /** How long the counts of a capped walk (before the watcher's first) are reused; they are the same for everyone. */
  cacheMs?: number;
  now?: () => number;
  /** The SLA targets of the settings, for the overdue counts of a walk of its own. */
  slaTargets?: Readonly<SlaTargets>;
}

/** Counted exactly up to this many per severity by the capped walk; beyond it, "at least". */
const COUNT_CAP = 1_000;
const PAGE = 100;

/**
 * `GET /api/worklist/counts`: the active queue (unread, not cancelled) by severity, overdue,
 * unassigned and per assignee, for the portal's badge and the dashboard. Exact, from the queue
 * watcher's last walk (src/bff/events/queue-watcher.ts) whichever instance made it. Before its first
 * walk (a new deployment, the first seconds), or while the shared state cannot be read, the route
 * walks the queue itself as it always did: capped at 1,000 per severity and cached, `capped` saying
 * when a number is "at least".
 */
export async function worklistRoutes(
  app: FastifyInstance,
  { avara, shared, cacheMs = 15_000, now = Date.now, slaTargets }: WorklistRoutesOptions,
): Promise<void> {
  let cached: { at: number; counts: Promise<WorklistCounts> } | undefined;

  async function walkSeverity(severity: Severity, into: StudySummary[]): Promise<boolean> {
    let seen = 0;
    let cursor: string | undefined;
    while (seen < COUNT_CAP) {
      const result = await avara.listStudies({
        severity,
        studyViewerStatus: 'incomplete',
        isCancelled: false,
        limit: PAGE,
        ...(cursor ? { cursor } : {}),
      });
      if (!result.ok) throw new CountFailed(result);
      const page = result.body;
      if (!isStudyListPage(page)) return false;
      for (const study of page.studies) if (isActive(study)) into.push(summarize(study));
      seen += page.studies.length;
      if (!page.hasMore || !page.cursor) return false;
      cursor = page.cursor;
    }
    return true;
  }

  async function walkCapped(): Promise<WorklistCounts> {
    const summaries: StudySummary[] = [];
    const cut = new Set<Severity>();
    await Promise.all(
      SEVERITIES.map(async (severity) => {
        if (await walkSeverity(severity, summaries)) cut.add(severity);
      }),
    );
    return worklistCounts(countQueue(summaries, now(), slaTargets), cut);
  }

  async function watcherCounts(): Promise<WorklistCounts | undefined> {
    try {
      const counts = await readQueueCounts(shared.records);
      return counts ? worklistCounts(counts) : undefined;
    } catch (error) {
      // Reads go on while the shared state is down: the walk answers instead.
      if (error instanceof SharedStateUnavailableError) return undefined;
      throw error;
    }
  }

  /**
   * `GET /api/customers/{customerId}`: a customer's name, for a shared link that names one the
   * person has not seen in their list yet. Avara has no customers API: the name comes with any study
   * of that customer (one list call, `limit=1`).
   */
  app.get<{ Params: { customerId: string } }>(
    '/api/customers/:customerId',
    { config: { access: 'api' } },
    async (request, reply) => {
      const { customerId } = request.params;
      if (!CUSTOMER_ID.test(customerId)) {
        return sendProblem(
          reply,
          invalidRequestProblem([
            { in: 'path', name: 'customerId', message: 'must be a customer ID (cus_ and 32 hex digits)' },
          ]),
        );
      }
      const result = await avara.listStudies({ expressCustomerId: customerId, limit: 1 });
      if (!result.ok) return sendProblem(reply, problemFromUpstream(result, 'Customer'));
      const customer = isStudyListPage(result.body) ? result.body.studies[0]?.expressCustomer : undefined;
      if (!customer || customer.expressCustomerId !== customerId) {
        return sendProblem(reply, {
          type: PROBLEM_TYPES.notFound,
          title: 'Customer not found',
          status: 404,
          detail: 'No study names this customer.',
        });
      }
      const answer: CustomerAnswer = { customerId, name: customer.expressCustomerName };
      return answer;
    },
  );

  app.get('/api/worklist/counts', { config: { access: 'api' } }, async (request, reply) => {
    const exact = await watcherCounts();
    if (exact) return forCaller(exact, userOf(request));
    const at = now();
    if (!cached || at - cached.at > cacheMs) {
      const counts = walkCapped();
      cached = { at, counts };
      counts.catch(() => {
        if (cached?.counts === counts) cached = undefined;
      });
    }
    try {
      return forCaller(await cached.counts, userOf(request));
    } catch (error) {
      if (error instanceof CountFailed)
        return sendProblem(reply, problemFromUpstream(error.result, 'Studies'), error.result.retryAfter);
      throw error;
    }
  });
}

/**
 * The counts with the caller's "mine and unassigned" view (GET /api/studies?assignedTo=mine-or-unassigned)
 * added: their studies plus the unassigned ones, when the permissions rule lets them claim those.
 */
export function forCaller(counts: WorklistCounts, user: Pick<SessionUser, 'role' | 'userId'>): WorklistCounts {
  const me = user.userId;
  if (me === null || !mayChange(actorOf(user), { assignedTo: null }, { assignedTo: me }).allowed) return counts;
  const mine = counts.byAssignee[me];
  const sum = (severity: Severity) => (mine?.[severity] ?? 0) + counts.unassigned[severity];
  return { ...counts, mineAndUnassigned: { stat: sum('stat'), high: sum('high'), normal: sum('normal') } };
}

class CountFailed extends Error {
  readonly result: Extract<Awaited<ReturnType<AvaraClient['listStudies']>>, { ok: false }>;
  constructor(result: Extract<Awaited<ReturnType<AvaraClient['listStudies']>>, { ok: false }>) {
    super(`Avara answered ${result.status} while counting`);
    this.result = result;
  }
}
