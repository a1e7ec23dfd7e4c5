import type { FastifyInstance } from 'fastify';
import { PROBLEM_TYPES } from '../../../../contract/problem.ts';
import { UpstreamUnreachableError, type AvaraClient } from '../../../services/avara-client.ts';
import type { SharedState } from '../../../shared-state/shared-state.ts';
import { sendProblem } from '../../../lib/problems.ts';

export interface HealthRoutesOptions {
  avara: AvaraClient;
  shared: SharedState;
  /** Which upstream the BFF talks to, shown by /api/ready so an operator can tell at a glance. */
  upstream: 'avara' | 'bundled';
}

/**
 * `/api/health`: the process is up. `/api/ready`: the upstream answers an authenticated request
 * (503 otherwise), and whether the shared store (sessions, locks, events) can be reached.
 */
export async function healthRoutes(
  app: FastifyInstance,
  { avara, shared, upstream }: HealthRoutesOptions,
): Promise<void> {
  app.get('/api/health', { config: { access: 'public' } }, async () => ({ status: 'ok' }));

  app.get('/api/ready', { config: { access: 'public' } }, async (request, reply) => {
    let status: number;
    try {
      const result = await avara.listStudies({ limit: 1 });
      // Without the shared store reads go on and changes wait (503): degraded, not out of service,
      // so a load balancer keeps sending readers here.
      const sharedState = { kind: shared.kind, status: shared.status() };
      if (result.ok) return { status: sharedState.status === 'ok' ? 'ready' : 'degraded', upstream, sharedState };
      status = result.status;
    } catch (error) {
      if (!(error instanceof UpstreamUnreachableError)) throw error;
      request.log.warn({ reason: error.kind }, 'readiness check: upstream unreachable');
      status = 0;
    }
    return sendProblem(reply, {
      type: PROBLEM_TYPES.upstreamUnavailable,
      title: 'Not ready',
      status: 503,
      detail:
        status === 401 || status === 403
          ? 'Avara refuses the configured API key.'
          : status === 0
            ? 'Avara cannot be reached.'
            : `Avara answered ${status}.`,
      retryable: true,
    });
  });
}
