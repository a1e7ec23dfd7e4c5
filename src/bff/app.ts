import { randomUUID } from 'node:crypto';
import type { Writable } from 'node:stream';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { ContractValidator } from '../contract/contract-validator.ts';
import type { FirstScreenRenderer } from '../contract/first-screen.ts';
import { PROBLEM_TYPES, boundedText, type Problem } from '../contract/problem.ts';
import type { AuthContext } from './auth/auth-context.ts';
import { registerAuth } from './auth/auth-plugin.ts';
import { canonicalUrl } from './http/canonical-path.ts';
import { registerAuditTrail } from './plugins/audit-trail.ts';
import { authRoutes } from './auth/auth-routes.ts';
import type { BffConfig } from './config/env.ts';
import type { EventStreamHub } from './events/event-stream.ts';
import { DEFAULT_HEARTBEAT_SECONDS, eventsRoutes } from './events/events-routes.ts';
import { sendProblem, problemFromUnreachable } from './lib/problems.ts';
import { registerConnectionDrain } from './plugins/connection-drain.ts';
import { registerRequestActivity } from './plugins/request-activity.ts';
import { OneLineRequestLog } from './plugins/request-log.ts';
import { registerOverloadGuard } from './plugins/overload.ts';
import type { BffMetrics } from './metrics/bff-metrics.ts';
import { publicMetricsRoute, registerRequestMetrics } from './metrics/metrics-routes.ts';
import { registerSecurityHeaders } from './plugins/security-headers.ts';
import {
  createSpaPage,
  isSpaBuilt,
  registerStaticSpa,
  type FirstPageLoader,
  type PacsContextLoader,
} from './plugins/static-spa.ts';
import type { PacsServices } from './pacs/pacs-services.ts';
import { viewerProxyRoutes } from './pacs/viewer-proxy.ts';
import { createDicomFileUrls } from './pacs/dicom-file-urls.ts';
import { dicomFileRoutes } from './pacs/dicom-file-routes.ts';
import { avaraWebhookRoutes, type AvaraWebhookOptions } from './webhooks/webhook-routes.ts';
import { createKnownVersions } from './events/known-versions.ts';
import { createStudyEvents, type StudyEvents } from './events/study-events.ts';
import { healthRoutes } from './routes/api/health/health-routes.ts';
import { openApiRoutes } from './routes/api/openapi/openapi-routes.ts';
import { pacsRoutes } from './routes/api/pacs/pacs-routes.ts';
import { reportsRoutes } from './routes/api/reports/reports-routes.ts';
import { readingRoutes } from './routes/api/reading/reading-routes.ts';
import { DEFAULT_READING_MAX_LEASES, nextStudyRoutes } from './routes/api/reading/next-study-routes.ts';
import { DEFAULT_READING_LEASE_SECONDS } from './reading/reading-rules.ts';
import { studiesRoutes } from './routes/api/studies/studies-routes.ts';
import { worklistRoutes } from './routes/api/worklist/worklist-routes.ts';
import { viewsRoutes } from './routes/api/views/views-routes.ts';
import { createSavedViews, defaultViewAddress } from './views/saved-views.ts';
import { dashboardRoutes } from './routes/api/dashboard/dashboard-routes.ts';
import { DEFAULT_HISTORY_RETENTION_DAYS, type QueueHistory } from './history/queue-history.ts';
import { startQueueHistoryRecorder, type QueueHistoryRecorder } from './history/queue-history-recorder.ts';
import { openSqliteQueueHistory } from './history/sqlite-queue-history.ts';
import { DEFAULT_SLA_TARGETS, type SlaTargets } from '../contract/sla.ts';
import { slaTargetsOf } from './config/env.ts';
import { UpstreamUnreachableError, type AvaraClient } from './services/avara-client.ts';
import { SharedStateUnavailableError } from './shared-state/shared-state.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Publishes what happens to studies to every instance's event stream. */
    readonly studyEvents: StudyEvents;
    /** The queue history and what records into it (tests wait for it to settle). */
    readonly queueHistory: { history: QueueHistory; recorder: QueueHistoryRecorder };
  }
}

/** The SLA targets of the settings, the defaults for those a test leaves out. */
function slaTargetsFromOptions(config: AppOptions['config']): Readonly<SlaTargets> {
  return slaTargetsOf({
    SLA_STAT_MINUTES: config.SLA_STAT_MINUTES ?? DEFAULT_SLA_TARGETS.stat,
    SLA_HIGH_MINUTES: config.SLA_HIGH_MINUTES ?? DEFAULT_SLA_TARGETS.high,
    SLA_NORMAL_MINUTES: config.SLA_NORMAL_MINUTES ?? DEFAULT_SLA_TARGETS.normal,
  });
}

export interface AppOptions {
  auth: AuthContext;
  config: Pick<BffConfig, 'LOG_LEVEL' | 'PUBLIC_URL'> &
    Partial<
      Pick<
        BffConfig,
        | 'MAX_EVENT_LOOP_DELAY_MS'
        | 'READING_LEASE_SECONDS'
        | 'READING_MAX_LEASES'
        | 'EVENTS_HEARTBEAT_SECONDS'
        | 'SLA_STAT_MINUTES'
        | 'SLA_HIGH_MINUTES'
        | 'SLA_NORMAL_MINUTES'
        | 'HISTORY_RETENTION_DAYS'
        | 'REPORT_PDF_MAX_BYTES'
      >
    >;
  /** The queue history's store (closed with the app); by default one in memory, for tests. */
  history?: QueueHistory;
  avara: AvaraClient;
  contract: ContractValidator;
  upstream: 'avara' | 'bundled';
  /** Folder of the built SPA. */
  spaRoot: string;
  /**
   * Renders the worklist's first screen into its page (the SPA's server entry as `npm run build`
   * makes it, src/bff/plugins/first-screen.ts); without it the page carries only the data.
   */
  firstScreen?: FirstScreenRenderer | undefined;
  /** Extra routes mounted on the BFF's origin, e.g. the bundled server's viewer launch page. */
  extraRoutes?: (app: FastifyInstance) => Promise<void>;
  /** The PACS (ORTHANC_URL); `viewer`: serve Orthanc's web viewer on this origin (with the bundled server). */
  pacs?: { services: PacsServices; viewer: boolean };
  /**
   * The process's metrics (src/bff/metrics); with `publicToken` (METRICS_TOKEN, no METRICS_PORT)
   * GET /metrics is served on this port too, to holders of the token only.
   */
  metrics?: { registry: BffMetrics; publicToken?: string | undefined };
  /** Where log lines go (stdout by default); tests read them from here. */
  logStream?: Writable;
  /**
   * Avara's webhooks (AVARA_WEBHOOK_KEY, or the bundled server's generated key): POST /webhooks/avara
   * and, with a PACS, the DICOM file URLs its answers give. Absent: neither route exists.
   */
  webhooks?: WebhookSettings;
}

export interface WebhookSettings {
  keys: readonly string[];
  /** AVARA_WEBHOOK_EVENTS. */
  events: readonly string[];
  /** DICOM_URL_TTL_SECONDS. */
  dicomUrlTtlSeconds: number;
  /** The address Avara reaches the BFF at: the DICOM file URLs start with it (known once listening, with PORT=0). */
  publicUrl: () => string;
  /** The handlers by event type (WEBHOOK_HANDLERS unless a test gives others). */
  handlers?: AvaraWebhookOptions['handlers'];
}

/** What the log serializer reads of a Fastify request. */
export interface LoggableRequest {
  method: string;
  url: string;
  originalUrl: string;
  ip: string;
  routeOptions: { url?: string | undefined; config: { logQuery?: boolean | undefined } };
}

/**
 * What the request log says of a request: its path, and its query unless the matched route says the
 * query is a credential (a viewer launch link, an OIDC callback's code) or no route matched (nothing
 * is known of it). The path as it arrived is kept too when it was spelled differently.
 */
export function loggableRequest(request: LoggableRequest) {
  const matched = request.routeOptions.url !== undefined;
  const keepQuery = matched && request.routeOptions.config.logQuery !== false;
  const path = (url: string) => url.split('?')[0] ?? url;
  return {
    method: request.method,
    url: keepQuery ? request.url : path(request.url),
    ...(request.originalUrl !== request.url && path(request.originalUrl) !== path(request.url)
      ? { rawPath: path(request.originalUrl) }
      : {}),
    remoteAddress: request.ip,
  };
}

/** Assembles the BFF: plugins, routes, and one error handler that never shows a 5xx's internals. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: {
      level: options.config.LOG_LEVEL,
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
        censor: '[redacted]',
      },
      serializers: { req: loggableRequest },
      ...(options.logStream ? { stream: options.logStream } : {}),
    },
    genReqId: () => randomUUID(),
    // One line a request, once it is answered, not Fastify's two (plugins/request-log.ts).
    logController: new OneLineRequestLog(),
    bodyLimit: 256 * 1024,
    // Every spelling of a path is routed, checked and logged as one (http/canonical-path.ts); fixed
    // segments match in any letter case, parameters keep theirs.
    rewriteUrl: (request) => canonicalUrl(request.url ?? '/'),
    routerOptions: { maxParamLength: 200, caseSensitive: false },
    requestTimeout: 30_000,
    connectionTimeout: 60_000,
    keepAliveTimeout: 10_000,
    // Behind a load balancer every connection comes from it: the client's address (the rate limit of
    // people not signed in, audit lines, logs) and scheme are read from X-Forwarded-For and
    // X-Forwarded-Proto, but only on connections from TRUSTED_PROXIES; anyone else's are ignored.
    // The same decision as proxy sign-in's (auth.proxy.trusts): one list, one place.
    trustProxy: (address: string) => options.auth.proxy.trusts(address),
  });

  await registerOverloadGuard(app, { maxEventLoopDelayMs: options.config.MAX_EVENT_LOOP_DELAY_MS ?? 0 });
  registerConnectionDrain(app);
  registerRequestActivity(app);
  const metrics = options.metrics?.registry;
  if (metrics) registerRequestMetrics(app, metrics);

  // Decided once: a build made while the server runs is picked up at the next start.
  const spaBuilt = isSpaBuilt(options.spaRoot);

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof UpstreamUnreachableError) {
      request.log.warn(
        {
          reason: error.kind,
          cause: error.cause instanceof Error || typeof error.cause === 'string' ? String(error.cause) : '',
        },
        'upstream unreachable',
      );
      return sendProblem(reply, problemFromUnreachable(error));
    }
    if (error instanceof SharedStateUnavailableError) {
      request.log.warn('shared state unreachable');
      return sendProblem(
        reply,
        {
          type: PROBLEM_TYPES.upstreamUnavailable,
          title: 'The worklist is briefly unavailable',
          status: 503,
          detail: 'The worklist cannot reach its shared store right now. Nothing was changed; try again in a moment.',
          retryable: true,
        },
        String(error.retryAfterSeconds),
      );
    }
    const status = typeof error.statusCode === 'number' ? error.statusCode : 500;
    if (status === 429) {
      metrics?.rateLimited(request.routeOptions.url);
      return sendProblem(reply, {
        type: PROBLEM_TYPES.rateLimited,
        title: 'Too many requests',
        status: 429,
        detail: error.message,
        retryable: true,
      });
    }
    if (status >= 400 && status < 500) {
      // Fastify's own 4xx (malformed JSON, body too large, wrong content type) describe the request.
      return sendProblem(reply, {
        type: status === 400 ? PROBLEM_TYPES.invalidRequest : `/problems/http-${status}`,
        title: status === 400 ? 'The request is not valid' : 'The request cannot be handled',
        status,
        // Fastify's wording may quote the request (a content type): bounded like every echo.
        detail: boundedText(error.message),
      });
    }
    request.log.error({ err: error }, 'request failed');
    const problem: Problem = {
      type: PROBLEM_TYPES.internal,
      title: 'Something went wrong',
      status: 500,
      detail: `The server could not complete the request. Reference: ${request.id}`,
      retryable: true,
    };
    return sendProblem(reply, problem);
  });

  const sendSpaPage = createSpaPage(options.spaRoot, options.auth);
  // No route, no handler: an API path or any other method is a problem document; a page address
  // the app does not have gets the app's page with 404, so the browser shows the app's "not found".
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const isPage = (request.method === 'GET' || request.method === 'HEAD') && !/^\/api(\/|$)/i.test(path) && spaBuilt;
    if (!isPage) {
      return sendProblem(reply, {
        type: PROBLEM_TYPES.notFound,
        title: 'Not found',
        status: 404,
        detail: boundedText(`No route ${request.method} ${path}`),
      });
    }
    reply.code(404);
    return sendSpaPage(request, reply);
  });

  const publicUrl = options.config.PUBLIC_URL;
  const { auth } = options;
  await registerSecurityHeaders(app, {
    frameAncestors: auth.portalOrigins,
    hsts: publicUrl?.startsWith('https://') ?? false,
  });
  await registerAuth(app, auth);
  registerAuditTrail(app, auth.audit);
  await app.register(healthRoutes, { avara: options.avara, shared: auth.shared, upstream: options.upstream });
  await app.register(openApiRoutes);
  const slaTargets = slaTargetsFromOptions(options.config);
  await app.register(authRoutes, { ...auth, slaTargets });
  if (auth.modeRoutes) await app.register(auth.modeRoutes);
  const studyEvents = createStudyEvents(auth.shared.events, app.log.child({ component: 'events' }));
  app.decorate('studyEvents', studyEvents);
  const knownVersions = createKnownVersions({ bus: auth.shared.events, log: app.log.child({ component: 'events' }) });
  app.addHook('onClose', async () => knownVersions.close());
  await app.register(studiesRoutes, {
    avara: options.avara,
    contract: options.contract,
    viewerOrigins: auth.viewerOrigins,
    bundledLaunchOrigin: auth.bundledLaunchOrigin,
    shared: auth.shared,
    studyEvents,
    knownVersions,
    pacsLookup: options.pacs?.services.lookup,
    slaTargets,
  });
  await app.register(worklistRoutes, { avara: options.avara, shared: auth.shared, slaTargets });
  const savedViews = createSavedViews(auth.shared.records);
  await app.register(viewsRoutes, { views: savedViews });
  const history = options.history ?? openSqliteQueueHistory(':memory:');
  const retentionDays = options.config.HISTORY_RETENTION_DAYS ?? DEFAULT_HISTORY_RETENTION_DAYS;
  const recorder = startQueueHistoryRecorder({
    history,
    bus: auth.shared.events,
    retentionDays,
    log: app.log.child({ component: 'queue-history' }),
  });
  app.decorate('queueHistory', { history, recorder });
  app.addHook('onClose', async () => {
    await recorder.close();
    await history.close();
  });
  await app.register(dashboardRoutes, { history, shared: auth.shared, people: auth.people, slaTargets, retentionDays });
  const leaseMs = (options.config.READING_LEASE_SECONDS ?? DEFAULT_READING_LEASE_SECONDS) * 1000;
  await app.register(readingRoutes, { avara: options.avara, contract: options.contract, shared: auth.shared, leaseMs });
  const maxLeases = options.config.READING_MAX_LEASES ?? DEFAULT_READING_MAX_LEASES;
  await app.register(nextStudyRoutes, {
    avara: options.avara,
    shared: auth.shared,
    studyEvents,
    leaseMs,
    maxLeases,
    knownVersions,
  });
  const heartbeatMs = (options.config.EVENTS_HEARTBEAT_SECONDS ?? DEFAULT_HEARTBEAT_SECONDS) * 1_000;
  await app.register(eventsRoutes, {
    shared: auth.shared,
    audit: auth.audit,
    sessionIsLive: (id) => auth.sessions.isLive(id),
    heartbeatMs,
    ...(metrics ? { onHub: (hub: EventStreamHub) => metrics.watchEventStreams(() => hub.stats()) } : {}),
  });
  if (metrics) metrics.watchSharedState(auth.shared);
  if (metrics && options.metrics?.publicToken)
    await app.register(publicMetricsRoute, { metrics, token: options.metrics.publicToken });
  await app.register(pacsRoutes, { pacs: options.pacs?.services });
  await app.register(reportsRoutes, {
    avara: options.avara,
    shared: auth.shared,
    ...(options.config.REPORT_PDF_MAX_BYTES ? { pdfMaxBytes: options.config.REPORT_PDF_MAX_BYTES } : {}),
  });
  if (options.pacs?.viewer) await app.register(viewerProxyRoutes, { orthanc: options.pacs.services.orthanc });
  if (options.webhooks) {
    const pacs = options.pacs?.services;
    const dicomUrls = pacs
      ? createDicomFileUrls({
          shared: auth.shared,
          baseUrl: options.webhooks.publicUrl,
          ttlSeconds: options.webhooks.dicomUrlTtlSeconds,
        })
      : undefined;
    await app.register(avaraWebhookRoutes, {
      keys: options.webhooks.keys,
      events: options.webhooks.events,
      context: { avara: options.avara, shared: auth.shared, pacs, dicomUrls },
      ...(options.webhooks.handlers ? { handlers: options.webhooks.handlers } : {}),
    });
    if (pacs && dicomUrls) await app.register(dicomFileRoutes, { orthanc: pacs.orthanc, urls: dicomUrls });
  }
  if (options.extraRoutes) await app.register(options.extraRoutes);
  // The worklist opened with no filters in its address shows the person's default view, if they have one.
  const withDefaultView =
    (send: (request: FastifyRequest, reply: FastifyReply) => unknown) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      const target = request.routeOptions.url === '/' ? await defaultViewAddress(savedViews, request) : undefined;
      return target ? reply.redirect(target, 302) : send(request, reply);
    };
  if (spaBuilt) {
    await registerStaticSpa(app, { root: options.spaRoot });
    // The worklist's addresses carry its first studies; the page asks the list route for them as the
    // app would, with the person's own cookie, so access, rate limit and audit line are the route's.
    const loadFirstPage: FirstPageLoader = async (request, query) => {
      const cookie = request.headers.cookie;
      if (!cookie) return undefined;
      const answer = await app.inject({
        method: 'GET',
        url: `/api/studies?${query.toString()}`,
        headers: {
          cookie,
          accept: 'application/json',
          'x-csrf': '1',
          ...(request.headers['user-agent'] ? { 'user-agent': request.headers['user-agent'] } : {}),
        },
        remoteAddress: request.ip,
      });
      return answer.statusCode === 200 ? answer.body : undefined;
    };
    // With a PACS, the rows' context likewise: the route the app's rows provider asks (its cache, its audit line).
    const loadPacsContext: PacsContextLoader = async (request, studyInstanceUids) => {
      const cookie = request.headers.cookie;
      if (!cookie) return undefined;
      const answer = await app.inject({
        method: 'POST',
        url: '/api/pacs/context',
        headers: {
          cookie,
          accept: 'application/json',
          'content-type': 'application/json',
          'x-csrf': '1',
          ...(request.headers['user-agent'] ? { 'user-agent': request.headers['user-agent'] } : {}),
        },
        payload: JSON.stringify({ studyInstanceUids }),
        remoteAddress: request.ip,
      });
      return answer.statusCode === 200 ? answer.body : undefined;
    };
    const sendWorklistPage = createSpaPage(options.spaRoot, options.auth, {
      firstPage: loadFirstPage,
      pacsContext: options.pacs?.services ? loadPacsContext : undefined,
      renderer: options.firstScreen,
    });
    // The SPA's own addresses (src/spa/app/router.tsx): its page, for anyone; the app signs in.
    for (const url of SPA_PAGES) {
      app.get(
        url,
        { config: { access: 'public' } },
        url === '/' ? withDefaultView(sendWorklistPage) : WORKLIST_PAGES.includes(url) ? sendWorklistPage : sendSpaPage,
      );
    }
  } else {
    for (const url of SPA_PAGES)
      app.get(
        url,
        { config: { access: 'public' } },
        withDefaultView((_request, reply) => notBuilt(reply)),
      );
  }
  return app;
}

/** The client-side routes of the SPA, answered with its page. */
export const SPA_PAGES = ['/', '/sign-in', '/dashboard', '/studies/:studyId', '/studies/by-uid/:studyInstanceUid'];
/** Those that show the worklist (the list, or the list beside a study's drawer). */
const WORKLIST_PAGES = ['/', '/studies/:studyId', '/studies/by-uid/:studyInstanceUid'];

function notBuilt(reply: FastifyReply): FastifyReply {
  return reply
    .code(503)
    .type('text/plain; charset=utf-8')
    .send('The web app has not been built. Run `npm run build` (or `npm start`, which builds it).');
}
