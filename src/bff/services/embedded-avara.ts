import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { startAvaraServer } from '../../avara-server/create-avara-server.ts';
import { launchRoutes, type LaunchRoutesOptions } from '../../avara-server/launch/launch-routes.ts';
import { createLaunchSigner } from '../../avara-server/launch/launch-signer.ts';
import { createImageAccessProbe, type WebhookTarget } from '../../avara-server/launch/image-access.ts';
import { demoReportRoutes } from '../../avara-server/reports/demo-reports.ts';

export interface EmbeddedAvaraOptions {
  databasePath: string;
  demoStudies: number;
  /** DEMO_ARRIVALS_SECONDS: the mean seconds between demo arrivals; absent or 0 for none. */
  demoArrivalsSeconds?: number;
  /** The BFF's public address: launch links point at the BFF, which serves the launch page too. */
  launchBaseUrl: string | undefined;
  launchTtlSeconds: number;
  /** Where a valid launch goes instead of the description page (the PACS's web viewer), if anywhere. */
  viewerRedirect?: LaunchRoutesOptions['viewerRedirect'];
  /**
   * The BFF's webhook endpoint and signing secret: the launch page then asks for the study's images
   * as Avara's viewer would (study.access_requested). The URL is known once the BFF listens.
   */
  webhook?: () => WebhookTarget | undefined;
}

export interface EmbeddedAvara {
  url: string;
  apiKey: string;
  /** Mounts the bundled server's viewer launch page on the BFF's own origin. */
  launchRoutes: (app: FastifyInstance) => Promise<void>;
  /** Mounts the bundled server's report PDFs (the links of `npm run demo:report`), signed with the webhook key. */
  reportRoutes: (app: FastifyInstance, webhookKey: string) => Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts the bundled Avara-compatible server in this process on a loopback port with a key made
 * for this run. The BFF then talks to it over HTTP exactly as it would to Avara.
 */
export async function startEmbeddedAvara(options: EmbeddedAvaraOptions): Promise<EmbeddedAvara> {
  const apiKey = `bundled_${randomBytes(24).toString('hex')}`;
  const launchSecret = randomBytes(32).toString('hex');
  const server = await startAvaraServer({
    databasePath: options.databasePath,
    apiKey,
    host: '127.0.0.1',
    port: 0,
    launchSecret,
    launchTtlSeconds: options.launchTtlSeconds,
    demoStudies: options.demoStudies,
    ...(options.demoArrivalsSeconds ? { demoArrivalsSeconds: options.demoArrivalsSeconds } : {}),
    ...(options.launchBaseUrl ? { launchBaseUrl: options.launchBaseUrl } : {}),
  });
  const signer = createLaunchSigner({ secret: launchSecret, ttlSeconds: options.launchTtlSeconds });
  return {
    url: server.url,
    apiKey,
    launchRoutes: async (app) => {
      await app.register(async (launch) => {
        // A launch link carries its own credential (an expiring signature), like Avara's: anyone
        // holding it may open it, each opening is audited, and its query never reaches the log.
        launch.addHook('onRoute', (route) => {
          route.config = {
            ...route.config,
            access: 'public',
            logQuery: false,
            ...(route.url.includes(':studyId') ? { audit: 'study.launch' } : {}),
          };
        });
        await launch.register(launchRoutes, {
          signer,
          service: server.service,
          ...(options.viewerRedirect ? { viewerRedirect: options.viewerRedirect } : {}),
          ...(options.webhook ? { imageAccess: createImageAccessProbe(options.webhook) } : {}),
        });
      });
    },
    reportRoutes: async (app, webhookKey) => {
      await app.register(demoReportRoutes, { service: server.service, key: webhookKey });
    },
    close: () => server.close(),
  };
}
