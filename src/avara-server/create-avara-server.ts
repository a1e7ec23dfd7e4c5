import { createHash } from 'node:crypto';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import type { ApiKeyReference } from '../contract/avara-types.ts';
import { createContractValidator } from '../contract/contract-validator.ts';
import { loadAvaraContract } from '../contract/load-contract.ts';
import { installErrorHandler, notFoundHandler, viewerRoutes } from './http/viewer-routes.ts';
import { launchRoutes } from './launch/launch-routes.ts';
import { createLaunchSigner } from './launch/launch-signer.ts';
import { startDemoArrivals } from './seed/demo-arrivals.ts';
import { DEFAULT_DEMO_STUDIES, seedDemoData } from './seed/demo-data.ts';
import { formatUuidV4 } from './store/random-ids.ts';
import { openSqliteRepository } from './store/sqlite-repository.ts';
import { StudyService } from './store/study-service.ts';

export interface AvaraServerOptions {
  /** SQLite file (its folder is created) or ':memory:'. */
  databasePath: string;
  /** The key every request must present as `Authorization: Bearer <apiKey>`. */
  apiKey: string;
  /** Default 0: an ephemeral port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Origin of the launch links reroute-url answers; defaults to this server's own URL. */
  launchBaseUrl?: string;
  /** HMAC key of the launch links; random by default (links then die with the process). */
  launchSecret?: string;
  launchTtlSeconds?: number;
  /** Demo studies to seed into an empty database (default 2,500); false or 0 seeds none. The roster is seeded either way. */
  demoStudies?: number | false;
  /**
   * The demo's slow stream of arrivals (src/avara-server/seed/demo-arrivals.ts): the mean seconds
   * between two new studies, with the demo's waiting studies read at a similar pace. Off (the default)
   * when absent or 0.
   */
  demoArrivalsSeconds?: number;
  logger?: boolean;
}

export interface RunningAvaraServer {
  /** Base URL, e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  apiKey: string;
  service: StudyService;
  close(): Promise<void>;
}

const BODY_LIMIT_BYTES = 1024 * 1024;
export const BUNDLED_KEY_DESCRIPTION = 'Radiology Worklist (bundled)';

/** The bundled Avara-compatible server, ready for `app.inject` (not listening). */
export async function buildAvaraServer(options: AvaraServerOptions): Promise<FastifyInstance> {
  return (await assemble(options)).app;
}

/** Builds the server and listens on `host:port` (default 127.0.0.1, ephemeral port). */
export async function startAvaraServer(options: AvaraServerOptions): Promise<RunningAvaraServer> {
  const { app, service } = await assemble(options);
  try {
    await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
  } catch (error) {
    await app.close();
    throw error;
  }
  const url = listeningUrl(app);
  if (url === undefined) throw new Error('The Avara-compatible server is not listening on a TCP port');
  return { url, apiKey: options.apiKey, service, close: () => app.close() };
}

async function assemble(options: AvaraServerOptions): Promise<{ app: FastifyInstance; service: StudyService }> {
  if (options.apiKey.length === 0) throw new Error('The Avara-compatible server needs a non-empty apiKey');
  const repository = openSqliteRepository(options.databasePath);
  const app = Fastify({
    // Query strings stay out of the log: launch links carry their signature there.
    logger: options.logger
      ? { serializers: { req: (request) => ({ method: request.method, url: request.url.split('?')[0] }) } }
      : false,
    bodyLimit: BODY_LIMIT_BYTES,
  });
  app.addHook('onClose', async () => repository.close());

  const signer = createLaunchSigner({ secret: options.launchSecret, ttlSeconds: options.launchTtlSeconds });
  // Before listen (inject tests) there is no address yet; links then point at the default port.
  const launchBaseUrl = (): string =>
    options.launchBaseUrl ??
    listeningUrl(app) ??
    `http://${hostForUrl(options.host ?? '127.0.0.1')}:${options.port ?? 4010}`;
  const apiKeyReference = apiKeyReferenceFor(options.apiKey);
  const service = new StudyService(repository, {
    apiKey: apiKeyReference,
    viewerUrl: (studyId) => signer.launchUrl(launchBaseUrl(), studyId),
  });

  try {
    const summary = seedDemoData(repository, {
      studies: options.demoStudies === false ? 0 : (options.demoStudies ?? DEFAULT_DEMO_STUDIES),
      apiKey: apiKeyReference,
    });
    if (summary.studiesInserted > 0) repository.analyze();
    if (summary.studiesInserted > 0 || summary.usersInserted > 0) app.log.info(summary, 'seeded demo data');
  } catch (error) {
    repository.close();
    throw error;
  }

  if (options.demoArrivalsSeconds !== undefined && options.demoArrivalsSeconds > 0) {
    const arrivals = startDemoArrivals({
      service,
      repository,
      meanIntervalMs: options.demoArrivalsSeconds * 1000,
      onError: (error) => app.log.warn({ err: error }, 'a demo arrival failed'),
    });
    // Before the store closes (its onClose hook): no beat runs on a closed database.
    app.addHook('preClose', async () => arrivals.close());
  }

  installErrorHandler(app);
  app.setNotFoundHandler(notFoundHandler);
  await app.register(viewerRoutes, {
    prefix: '/v1/viewer',
    service,
    validator: createContractValidator(loadAvaraContract()),
    apiKey: options.apiKey,
  });
  await app.register(launchRoutes, { signer, service });
  await app.ready();
  return { app, service };
}

/**
 * The key's reference as studies show it (`createdByApiKey`). The ID is derived from the key, so
 * it stays the same across restarts, and is one-way, so it reveals nothing about the key.
 */
function apiKeyReferenceFor(apiKey: string): ApiKeyReference {
  const bytes = createHash('sha256').update(`avara-api-key-id:${apiKey}`).digest().subarray(0, 16);
  return { apiKeyId: formatUuidV4(bytes), description: BUNDLED_KEY_DESCRIPTION, isViewerEnabled: true };
}

function listeningUrl(app: FastifyInstance): string | undefined {
  const address = app.server.address();
  if (address === null || typeof address === 'string') return undefined;
  return `http://${hostForUrl(address.address)}:${address.port}`;
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
