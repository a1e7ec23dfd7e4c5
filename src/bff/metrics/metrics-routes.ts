import { createHash, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { PROBLEM_TYPES } from '../../contract/problem.ts';
import { sendProblem } from '../lib/problems.ts';
import type { BffMetrics } from './bff-metrics.ts';

/** Where Prometheus scrapes. */
export const METRICS_PATH = '/metrics';

/** Times every answered request by its route's pattern (`/api/studies/:studyId`), never its URL. */
export function registerRequestMetrics(app: FastifyInstance, metrics: BffMetrics): void {
  app.addHook('onResponse', (request, reply, done) => {
    metrics.requestDone(request.method, request.routeOptions.url, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
}

/**
 * Whether `authorization` is `Bearer <token>`. Both sides are hashed first, so the comparison takes
 * the same time whatever the length or the first wrong character of what was sent.
 */
export function bearerMatches(authorization: string | undefined, token: string): boolean {
  const sent = /^Bearer +(\S+) *$/i.exec(authorization ?? '')?.[1] ?? '';
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(sent), digest(token)) && sent !== '';
}

function scrapeHandler(metrics: BffMetrics, token: string | undefined) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (token !== undefined && !bearerMatches(request.headers.authorization, token)) {
      reply.header('www-authenticate', 'Bearer realm="metrics"');
      return sendProblem(reply, {
        type: PROBLEM_TYPES.unauthorized,
        title: 'Metrics need a token',
        status: 401,
        detail: 'Send the metrics token (METRICS_TOKEN) as Authorization: Bearer <token>.',
      });
    }
    const { contentType, body } = await metrics.scrape();
    return reply.header('cache-control', 'no-store').type(contentType).send(body);
  };
}

/** `GET /metrics` on the public port, for a token holder only (METRICS_TOKEN without METRICS_PORT). */
export async function publicMetricsRoute(
  app: FastifyInstance,
  options: { metrics: BffMetrics; token: string },
): Promise<void> {
  // Public as route access goes: the bearer token, not a session, is what lets a scraper in.
  app.get(
    METRICS_PATH,
    { config: { access: 'public', logQuery: false } },
    scrapeHandler(options.metrics, options.token),
  );
}

export interface MetricsServerOptions {
  metrics: BffMetrics;
  host: string;
  port: number;
  /** Required on this port too when set. */
  token?: string | undefined;
  log: FastifyBaseLogger;
}

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/** `GET /metrics` on a port of its own (METRICS_PORT, on METRICS_HOST), and nothing else there. */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const server = Fastify({ loggerInstance: options.log, disableRequestLogging: true });
  server.setNotFoundHandler((request, reply) =>
    sendProblem(reply, {
      type: PROBLEM_TYPES.notFound,
      title: 'Not found',
      status: 404,
      detail: `This port serves only GET ${METRICS_PATH}.`,
    }),
  );
  server.setErrorHandler((error, request, reply) => {
    request.log.error({ err: error }, 'metrics scrape failed');
    return sendProblem(reply, {
      type: PROBLEM_TYPES.internal,
      title: 'Something went wrong',
      status: 500,
      detail: 'The metrics could not be collected.',
    });
  });
  server.get(METRICS_PATH, scrapeHandler(options.metrics, options.token));
  const address = await server.listen({ host: options.host, port: options.port });
  return { url: address, close: () => server.close() };
}
