import type { FastifyInstance } from 'fastify';

/** How often, while closing, connections that have become idle are closed. */
const DRAIN_SWEEP_MS = 100;

/**
 * Lets a closing server finish soon after its last answer. Fastify closes the connections that are
 * idle when closing starts; one whose request was still running (or an event stream, ended in
 * preClose) goes idle later and would hold the close open until its keep-alive timeout. While
 * closing, every answer says `Connection: close`, and idle connections are closed as they appear.
 */
export function registerConnectionDrain(app: FastifyInstance): void {
  let sweep: NodeJS.Timeout | undefined;
  // A callback hook, not an async one: it runs on every answer, and costs no promise there.
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (sweep) reply.header('connection', 'close');
    done(null, payload);
  });
  app.addHook('preClose', async () => {
    sweep = setInterval(() => app.server.closeIdleConnections(), DRAIN_SWEEP_MS);
    sweep.unref();
  });
  app.addHook('onClose', async () => clearInterval(sweep));
}
