import type { FastifyInstance } from 'fastify';
import type { AuditLog } from '../auth/audit-log.ts';
import { userOf } from '../auth/auth-plugin.ts';
import type { SharedState, SharedStateLog } from '../shared-state/shared-state.ts';
import { EventStreamHub } from './event-stream.ts';

export const DEFAULT_HEARTBEAT_SECONDS = 15;

export interface EventsRoutesOptions {
  shared: SharedState;
  audit: AuditLog;
  /** Whether a session is still live (SessionStore.isLive): a stream ends with its session. */
  sessionIsLive?: (sessionId: string) => Promise<boolean>;
  /** Comment heartbeats on idle streams (EVENTS_HEARTBEAT_SECONDS). */
  heartbeatMs?: number;
  /** A client whose unsent data passes this is dropped. */
  maxUnsentBytes?: number;
  /** Receives the hub: for the metrics (its client count) and for tests that look at its clients. */
  onHub?: (hub: EventStreamHub) => void;
}

const EVENT_ID = /^[\x21-\x7e]{1,200}$/;

/**
 * `GET /api/events`: the worklist's live events as Server-Sent Events (docs/api.md), read by the SPA
 * with fetch (so it sends X-CSRF like every API call). `Last-Event-ID` (or `?lastEventId=`, for
 * clients that cannot set headers) resumes after that event.
 */
export async function eventsRoutes(app: FastifyInstance, options: EventsRoutesOptions): Promise<void> {
  const log: SharedStateLog = app.log.child({ component: 'event-stream' });
  const hub = new EventStreamHub({
    shared: options.shared,
    heartbeatMs: options.heartbeatMs ?? DEFAULT_HEARTBEAT_SECONDS * 1_000,
    log,
    ...(options.sessionIsLive ? { sessionIsLive: options.sessionIsLive } : {}),
    ...(options.maxUnsentBytes !== undefined ? { maxUnsentBytes: options.maxUnsentBytes } : {}),
  });
  options.onHub?.(hub);
  // Before the server waits for open connections to end: the streams end first, so close() returns.
  app.addHook('preClose', async () => hub.endAll());
  app.addHook('onClose', async () => hub.close());

  app.get<{ Querystring: { lastEventId?: string } }>(
    '/api/events',
    {
      config: { access: 'api', audit: 'events.stream', longLived: true },
      schema: {
        querystring: {
          type: 'object',
          properties: { lastEventId: { type: 'string', maxLength: 200 } },
          additionalProperties: false,
        },
      },
    },
    async (request, reply) => {
      const header = request.headers['last-event-id'];
      const named = (typeof header === 'string' && header !== '' ? header : undefined) ?? request.query.lastEventId;
      // Anything may arrive here; a malformed id is simply not of this history (a resync).
      const lastEventId = named === undefined ? undefined : EVENT_ID.test(named) ? named : 'malformed';
      const user = userOf(request);
      // The answer never "goes out" as Fastify sees it (it streams until someone closes it), so the
      // audit line is written as the stream opens.
      options.audit.record({
        action: 'events.stream',
        user: { email: user.email, role: user.role, userId: user.userId },
        address: request.ip,
        outcome: 'ok',
      });
      request.auditWritten = true;
      reply.hijack();
      // Headers set for every answer (security headers, rate limit) go out with the stream's own.
      for (const [name, value] of Object.entries(reply.getHeaders()))
        if (value !== undefined) reply.raw.setHeader(name, value);
      try {
        await hub.open(reply.raw, { lastEventId, sessionId: request.sessionId });
      } catch (error) {
        // Hijacked: nothing else would answer or log it. The client reconnects.
        request.log.error({ err: error }, 'the event stream failed to open');
        reply.raw.destroy();
      }
    },
  );
}
