import underPressure from '@fastify/under-pressure';
import type { FastifyInstance } from 'fastify';
import { PROBLEM_TYPES } from '../../contract/problem.ts';
import { sendProblem } from '../lib/problems.ts';

/** Seconds a refused client is asked to wait: long enough for a burst to pass, short for a person. */
export const OVERLOAD_RETRY_AFTER_SECONDS = 5;

export interface OverloadOptions {
  /** Event-loop delay (mean over a sample) above which requests are refused (MAX_EVENT_LOOP_DELAY_MS); 0 turns the guard off. */
  maxEventLoopDelayMs: number;
  /** How often the delay is sampled; 1 s unless a test needs it faster. */
  sampleIntervalMs?: number;
}

/**
 * When the event loop falls behind (a burst this process cannot keep up with), new requests are
 * answered at once with 503, Retry-After and a problem document, rather than queueing until every
 * one of them times out. `/api/health` still answers: the process is alive, and a container
 * runtime must not restart a busy instance (docs/deploy.md). Registered first, so a refused request
 * costs no session lookup.
 */
export async function registerOverloadGuard(app: FastifyInstance, options: OverloadOptions): Promise<void> {
  if (options.maxEventLoopDelayMs <= 0) return;
  await app.register(underPressure, {
    maxEventLoopDelay: options.maxEventLoopDelayMs,
    ...(options.sampleIntervalMs ? { sampleInterval: options.sampleIntervalMs } : {}),
    pressureHandler: async (request, reply) => {
      if (request.routeOptions.url === '/api/health') return;
      request.log.warn(
        { eventLoopDelayMs: Math.round(app.memoryUsage().eventLoopDelay) },
        'overloaded: request refused',
      );
      await sendProblem(
        reply,
        {
          type: PROBLEM_TYPES.overloaded,
          title: 'The worklist is busy',
          status: 503,
          detail:
            'This server has more requests than it can answer right now. Nothing was changed; try again in a few seconds.',
          retryable: true,
        },
        String(OVERLOAD_RETRY_AFTER_SECONDS),
      );
    },
  });
}
