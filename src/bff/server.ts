/**
 * Runs the BFF process: reads the configuration, picks the upstream (the real Avara API when
 * AVARA_API_KEY is set, otherwise the bundled Avara-compatible server started in this process),
 * listens, and shuts down cleanly on SIGINT/SIGTERM: event streams end with a reconnect hint,
 * requests in progress finish, and the process exits within SHUTDOWN_TIMEOUT_SECONDS whatever happens.
 */
import type { FastifyInstance } from 'fastify';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import closeWithGrace from 'close-with-grace';
import { createContractValidator } from '../contract/contract-validator.ts';
import { loadAvaraContract } from '../contract/load-contract.ts';
import { buildApp } from './app.ts';
import { createAuthContext } from './auth/auth-context.ts';
import { enableOidcSignIn } from './auth/oidc-routes.ts';
import { exitOnStartupError, openStorage, prepareDataDir, storageFailure } from './config/data-dir.ts';
import { ConfigError, loadConfig, publicUrlOf, slaTargetsOf, type BffConfig } from './config/env.ts';
import { openQueueHistory } from './history/create-queue-history.ts';
import { QUEUE_HISTORY_FILE } from './history/sqlite-queue-history.ts';
import { startQueueWatcher } from './events/queue-watcher.ts';
import { isSpaBuilt } from './plugins/static-spa.ts';
import { loadFirstScreenRenderer } from './plugins/first-screen.ts';
import { createAuditLog } from './auth/audit-log.ts';
import { createBffMetrics } from './metrics/bff-metrics.ts';
import { startMetricsServer, type MetricsServer } from './metrics/metrics-routes.ts';
import { createPacsServices } from './pacs/pacs-services.ts';
import { startPacsSync } from './pacs/pacs-sync.ts';
import { parsePriorityMap } from './pacs/priority.ts';
import { openSyncState } from './pacs/sync-state.ts';
import { createAvaraClient } from './services/avara-client.ts';
import { SHARED_STATE_FILE, createSharedState, sharedStateOptionsFrom } from './shared-state/create-shared-state.ts';
import type { SharedStateLog } from './shared-state/shared-state.ts';
import { startEmbeddedAvara, type EmbeddedAvara } from './services/embedded-avara.ts';
import { GENERATED_WEBHOOK_KEY_FILE, generatedWebhookKey, webhookKeysOf } from './webhooks/webhook-keys.ts';
import { AVARA_WEBHOOK_PATH } from './webhooks/webhook-routes.ts';

const SPA_ROOT = fileURLToPath(new URL('../../dist', import.meta.url));
/** The worklist's first-screen renderer `npm run build` writes beside the SPA (decision record 041). */
const FIRST_SCREEN_FILE = fileURLToPath(new URL('../../dist-server/first-screen.js', import.meta.url));

async function main(): Promise<void> {
  let config: BffConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
  if (config.NODE_ENV === 'production' && !isSpaBuilt(SPA_ROOT)) {
    // A production start only runs the server (npm run start:prod): the SPA must have been built.
    console.error(`The web app is not built (no ${SPA_ROOT}/index.html): run \`npm run build\` first.`);
    process.exit(1);
  }
  prepareDataDir(config);
  const metrics = createBffMetrics();

  // With PORT=0 the address is known only after listening: launch links then use the bundled server's own.
  const launchBaseUrl = config.PORT === 0 && !config.PUBLIC_URL ? undefined : publicUrlOf(config, config.PORT);
  // The app's logger exists only once the app is built; a PACS warning before that is not expected.
  let pacsLog: { warn(message: string): void } | undefined;
  const pacs = config.ORTHANC_URL
    ? createPacsServices(
        { ...config, ORTHANC_URL: config.ORTHANC_URL },
        { warn: (message) => pacsLog?.warn(message) },
        metrics.upstreamObserver('orthanc'),
      )
    : undefined;
  // Avara's webhooks: with AVARA_WEBHOOK_KEY, or, with the bundled server, a key generated into
  // DATA_DIR (the bundled server signs with it); with a real Avara and no key, no endpoint.
  const webhookKeys = config.AVARA_WEBHOOK_KEY
    ? webhookKeysOf(config.AVARA_WEBHOOK_KEY)
    : config.AVARA_API_KEY
      ? []
      : [
          openStorage("the bundled server's webhook key", resolve(config.DATA_DIR, GENERATED_WEBHOOK_KEY_FILE), () =>
            generatedWebhookKey(config.DATA_DIR),
          ),
        ];
  // With PORT=0 the address is known only once listening (below); so is the loopback address the
  // bundled server sends its webhooks to.
  let listeningUrl = publicUrlOf(config, config.PORT);
  let webhookUrl: string | undefined;
  const [signingKey] = webhookKeys;
  const embedded: EmbeddedAvara | undefined = config.AVARA_API_KEY
    ? undefined
    : await startEmbeddedAvara({
        databasePath: resolve(config.DATA_DIR, 'avara.sqlite'),
        demoStudies: config.DEMO_STUDIES,
        demoArrivalsSeconds: config.DEMO_ARRIVALS_SECONDS,
        launchBaseUrl,
        launchTtlSeconds: config.VIEWER_LINK_TTL_SECONDS,
        ...(pacs ? { viewerRedirect: pacs.viewerRedirect } : {}),
        // With a PACS, its launch page asks for the study's images as Avara's viewer would.
        ...(signingKey && pacs
          ? { webhook: () => (webhookUrl ? { url: webhookUrl, key: signingKey } : undefined) }
          : {}),
      }).catch(storageFailure("the bundled server's database", resolve(config.DATA_DIR, 'avara.sqlite')));

  const avara = createAvaraClient({
    baseUrl: embedded?.url ?? config.AVARA_BASE_URL,
    apiKey: embedded?.apiKey ?? config.AVARA_API_KEY ?? '',
    timeoutMs: config.UPSTREAM_TIMEOUT_MS,
    retries: config.UPSTREAM_RETRIES,
    maxBodyBytes: config.UPSTREAM_MAX_BYTES,
    observe: metrics.upstreamObserver('avara'),
  });

  // The app's logger exists only once the app is built; until then shared-state lines go to stderr.
  let sharedLog: SharedStateLog | undefined;
  const shared = await createSharedState(
    sharedStateOptionsFrom(config, {
      info: (...args: Parameters<SharedStateLog['info']>) => sharedLog?.info(...args),
      warn: (...args: Parameters<SharedStateLog['warn']>) =>
        sharedLog ? sharedLog.warn(...args) : console.error(String(args.at(-1))),
      error: (...args: Parameters<SharedStateLog['error']>) =>
        sharedLog ? sharedLog.error(...args) : console.error(String(args.at(-1))),
    }),
  ).catch(storageFailure('the shared state', resolve(config.DATA_DIR, SHARED_STATE_FILE)));
  // An audit file that cannot be written stops start-up with one line (StartupError, below).
  const auth = createAuthContext(config, {
    avara,
    shared,
    publicUrl: publicUrlOf(config, config.PORT),
    bundledViewerUrl: embedded ? (launchBaseUrl ?? embedded.url) : undefined,
    audit: metrics.countingAudit(createAuditLog(config.AUDIT_LOG)),
  });
  if (config.AUTH_MODE === 'oidc') {
    try {
      await enableOidcSignIn(auth, config);
    } catch (error) {
      // A wrong issuer or an unreachable IdP would otherwise only show at the first sign-in.
      console.error(`Cannot start OIDC sign-in: ${error instanceof Error ? error.message : String(error)}`);
      await embedded?.close();
      process.exit(1);
    }
  }
  const history = openStorage('the queue history', resolve(config.DATA_DIR, QUEUE_HISTORY_FILE), () =>
    openQueueHistory({
      redisUrl: config.REDIS_URL,
      keyPrefix: config.SHARED_STATE_KEY_PREFIX,
      dataDir: config.DATA_DIR,
      log: {
        info: (...args: Parameters<SharedStateLog['info']>) => sharedLog?.info(...args),
        warn: (...args: Parameters<SharedStateLog['warn']>) => sharedLog?.warn(...args),
        error: (...args: Parameters<SharedStateLog['error']>) => sharedLog?.error(...args),
      },
    }),
  );
  // Before the app's logger exists: a renderer that does not load is said on stderr, and the pages go out without it.
  const firstScreen = await loadFirstScreenRenderer(FIRST_SCREEN_FILE, { warn: (message) => console.warn(message) });
  const app = await buildApp({
    auth,
    config,
    history,
    avara,
    contract: createContractValidator(loadAvaraContract()),
    upstream: embedded ? 'bundled' : 'avara',
    spaRoot: SPA_ROOT,
    firstScreen,
    ...(embedded
      ? {
          extraRoutes: async (extra: FastifyInstance) => {
            await embedded.launchRoutes(extra);
            // The demo reports' PDFs (npm run demo:report), on the BFF's origin like the launch page.
            const [webhookKey] = webhookKeys;
            if (webhookKey) await embedded.reportRoutes(extra, webhookKey);
          },
        }
      : {}),
    ...(pacs ? { pacs: { services: pacs, viewer: embedded !== undefined } } : {}),
    ...(webhookKeys.length > 0
      ? {
          webhooks: {
            keys: webhookKeys,
            events: config.AVARA_WEBHOOK_EVENTS,
            dicomUrlTtlSeconds: config.DICOM_URL_TTL_SECONDS,
            publicUrl: () => listeningUrl,
          },
        }
      : {}),
    // With METRICS_PORT, /metrics is served there only; with neither setting, nowhere.
    metrics: { registry: metrics, publicToken: config.METRICS_PORT === undefined ? config.METRICS_TOKEN : undefined },
  });
  pacsLog = app.log.child({ component: 'pacs' });
  sharedLog = app.log.child({ component: 'shared-state' });
  const pacsSync =
    pacs && config.ORTHANC_SYNC
      ? startPacsSync({
          orthanc: pacs.orthanc,
          avara,
          state: openStorage('the PACS sync state', resolve(config.DATA_DIR, 'pacs-sync.sqlite'), openSyncState),
          priorityMap: parsePriorityMap(config.ORTHANC_PRIORITY_MAP),
          log: app.log.child({ component: 'pacs-sync' }),
          pollIntervalMs: config.ORTHANC_SYNC_INTERVAL_MS,
          reconcileIntervalMs: config.ORTHANC_RECONCILE_INTERVAL_MS,
          onCreated: (study) => app.studyEvents.created(study, 'pacs'),
          onArrival: (outcome) => metrics.pacsArrival(outcome),
        })
      : undefined;
  if (pacsSync) metrics.watchPacsSync(() => pacsSync.progress());
  const queueWatcher = startQueueWatcher({
    avara,
    shared,
    intervalMs: config.QUEUE_WATCH_INTERVAL_MS,
    whenQuiet: (maxWaitMs) => app.requestActivity.whenQuiet(maxWaitMs),
    log: app.log.child({ component: 'queue-watcher' }),
    slaTargets: slaTargetsOf(config),
  });
  let metricsServer: MetricsServer | undefined;
  app.addHook('onClose', async () => {
    await metricsServer?.close();
    await queueWatcher.close();
    await pacsSync?.close();
    await pacs?.close();
    auth.sessions.close();
    await auth.audit.close();
    await shared.close();
    await avara.close();
    await embedded?.close();
  });

  // SIGTERM (docker stop, a rolling restart), SIGINT, or an error nothing caught: close the app (the
  // event streams end first, then the requests in progress finish) and exit 0; a close that outlasts
  // the bound, a second signal or a failure exits 1.
  closeWithGrace(
    {
      delay: config.SHUTDOWN_TIMEOUT_SECONDS * 1_000,
      // SIGHUP reopens the audit file (below); it does not stop the server.
      skip: ['SIGHUP'],
      logger: { error: (message: unknown) => app.log.error(String(message)) },
    },
    async ({ signal, err }) => {
      if (err) app.log.error({ err }, 'shutting down after an uncaught error');
      else app.log.info({ signal, timeoutSeconds: config.SHUTDOWN_TIMEOUT_SECONDS }, 'shutting down');
      await app.close();
    },
  );
  // logrotate's postrotate (or `kill -HUP`): the audit file is opened again under its name.
  process.on('SIGHUP', () => {
    auth.audit.reopen();
    app.log.info('audit log reopened');
  });

  try {
    await app.listen({ host: config.HOST, port: config.PORT });
    const address = app.server.address();
    if (typeof address === 'object' && address) {
      if (config.PORT === 0 && !config.PUBLIC_URL) listeningUrl = publicUrlOf(config, address.port);
      // The bundled server reaches the endpoint over loopback, whatever address people use.
      const host =
        address.address === '0.0.0.0' || address.address === '::'
          ? '127.0.0.1'
          : address.family === 'IPv6'
            ? `[${address.address}]`
            : address.address;
      webhookUrl = `http://${host}:${address.port}${AVARA_WEBHOOK_PATH}`;
    }
  } catch (error) {
    app.log.error({ err: error }, `cannot listen on ${config.HOST}:${config.PORT}`);
    await app.close();
    process.exit(1);
  }
  if (config.METRICS_PORT !== undefined) {
    try {
      metricsServer = await startMetricsServer({
        metrics,
        host: config.METRICS_HOST,
        port: config.METRICS_PORT,
        token: config.METRICS_TOKEN,
        log: app.log.child({ component: 'metrics' }),
      });
      app.log.info(`Metrics on ${metricsServer.url}/metrics`);
    } catch (error) {
      app.log.error({ err: error }, `cannot listen for metrics on ${config.METRICS_HOST}:${config.METRICS_PORT}`);
      await app.close();
      process.exit(1);
    }
  }
  app.log.info(
    embedded
      ? `Radiology Worklist on ${publicUrlOf(config, config.PORT)} with the bundled demo server (data in ${resolve(config.DATA_DIR)})`
      : `Radiology Worklist on ${publicUrlOf(config, config.PORT)} with Avara at ${config.AVARA_BASE_URL}`,
  );
}

// A StartupError (DATA_DIR or a database file cannot be used) is one line and exit 1, not a stack.
await main().catch(exitOnStartupError);
