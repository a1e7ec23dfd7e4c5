import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/**
 * The request log: one line for each request once it is answered (`request completed`, with the
 * request as loggableRequest has it, the status and the time taken; `request errored` with the error
 * when the response failed). Fastify's own writes two lines a request (`incoming request`, then
 * `request completed`), each serialized on its own: in a rush of claims a share of the BFF's CPU for
 * nothing the one line does not say (docs/performance.md, figure 8). Errors, rate limits and the
 * audit trail keep their own lines.
 */
export class OneLineRequestLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    if (error) {
      reply.log.error({ req: request, res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored');
    } else {
      reply.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
    }
  }
}
