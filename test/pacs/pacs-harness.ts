import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { startAvaraServer, type RunningAvaraServer } from '../../src/avara-server/create-avara-server.ts';
import { buildApp, type WebhookSettings } from '../../src/bff/app.ts';
import { createAuditLog } from '../../src/bff/auth/audit-log.ts';
import { createAuthContext } from '../../src/bff/auth/auth-context.ts';
import { loadConfig } from '../../src/bff/config/env.ts';
import { createOrthancClient, type OrthancClient } from '../../src/bff/pacs/orthanc-client.ts';
import { createPacsServices, type PacsServices } from '../../src/bff/pacs/pacs-services.ts';
import { createAvaraClient, UpstreamUnreachableError, type AvaraClient } from '../../src/bff/services/avara-client.ts';
import { startEmbeddedAvara, type EmbeddedAvara } from '../../src/bff/services/embedded-avara.ts';
import type { SharedState } from '../../src/bff/shared-state/shared-state.ts';
import {
  createOrthancStudy,
  demoStudySpec,
  startOrthanc,
  type CreatedStudy,
  type RunningOrthanc,
} from '../support/orthanc.ts';
import { contract, signIn, testSharedState } from '../support/test-bff.ts';

export interface PacsBffOptions {
  avaraUrl: string;
  apiKey: string;
  orthancUrl: string;
  /** Serve the web viewer on the BFF's origin (as with the bundled server). */
  viewer?: boolean;
  extraRoutes?: (app: FastifyInstance) => Promise<void>;
  env?: Record<string, string>;
  /** Receives the lookup's warnings (e.g. no DICOMweb plugin). */
  pacsWarn?: (message: string) => void;
  /** Folder of a built SPA (none by default). */
  spaRoot?: string;
  /** Receives every audit line. */
  auditLines?: string[];
  /** Avara's webhook endpoint, as server.ts configures it from AVARA_WEBHOOK_KEY. */
  webhooks?: WebhookSettings;
}

export interface PacsBff {
  app: FastifyInstance;
  avara: AvaraClient;
  pacs: PacsServices;
  /** The app's shared state (closed with it). */
  shared: SharedState;
}

/** The BFF as server.ts assembles it with ORTHANC_URL set, pointed at test upstreams. */
export async function buildPacsBff(options: PacsBffOptions): Promise<PacsBff> {
  const config = loadConfig(
    { NODE_ENV: 'test', ORTHANC_URL: options.orthancUrl, VIEWER_ORIGINS: 'http://localhost', ...options.env },
    false,
  );
  const avara = createAvaraClient({ baseUrl: options.avaraUrl, apiKey: options.apiKey, timeoutMs: 2_000, retries: 1 });
  const pacs = createPacsServices(
    { ...config, ORTHANC_URL: options.orthancUrl, ORTHANC_TIMEOUT_MS: 3_000 },
    options.pacsWarn ? { warn: options.pacsWarn } : undefined,
  );
  const lines = options.auditLines;
  const shared = await testSharedState();
  const auth = createAuthContext(config, {
    avara,
    shared,
    publicUrl: 'http://localhost',
    audit: createAuditLog('stdout', lines ? (line) => lines.push(line) : () => undefined),
  });
  const app = await buildApp({
    auth,
    config: { LOG_LEVEL: 'silent' },
    avara,
    contract,
    upstream: 'bundled',
    spaRoot: options.spaRoot ?? '/nonexistent-spa-root',
    pacs: { services: pacs, viewer: options.viewer ?? false },
    ...(options.extraRoutes ? { extraRoutes: options.extraRoutes } : {}),
    ...(options.webhooks ? { webhooks: options.webhooks } : {}),
  });
  app.addHook('onClose', async () => {
    auth.sessions.close();
    await shared.close();
    await pacs.close();
    await avara.close();
  });
  return { app, avara, pacs, shared };
}

/** A real Orthanc behind a counting proxy, the bundled server as Avara, and the BFF in front of both. */
export interface PacsStack {
  orthanc: RunningOrthanc;
  /** Between the BFF and Orthanc: what reached Orthanc. */
  proxy: CountingProxy;
  /** Between the BFF and the bundled server: what reached the upstream. */
  avaraProxy: CountingProxy;
  embedded: EmbeddedAvara;
  bff: PacsBff;
  /** Closes the BFF, the bundled server, the proxies and Orthanc. */
  close(): Promise<void>;
}

export interface PacsStackOptions {
  /** Orthanc's StableAge (startOrthanc's default when absent). */
  stableAgeSeconds?: number;
  /** The web viewer on the BFF's origin, launched through the bundled server's launch routes. */
  viewer?: boolean;
  /** The bundled server's launch address; `http://localhost` unless the key is given (undefined: none). */
  launchBaseUrl?: string | undefined;
  /** The rest of buildPacsBff's options (env, audit lines, webhooks). */
  bff?: Omit<PacsBffOptions, 'avaraUrl' | 'apiKey' | 'orthancUrl' | 'viewer' | 'extraRoutes'>;
}

export async function startPacsStack(options: PacsStackOptions = {}): Promise<PacsStack> {
  const orthanc = await startOrthanc(
    options.stableAgeSeconds === undefined ? {} : { stableAgeSeconds: options.stableAgeSeconds },
  );
  const proxy = await startCountingProxy(orthanc.url);
  // The viewer's redirect asks Orthanc itself (not through the proxy), as the bundled server does.
  const viewerPacs = options.viewer
    ? createPacsServices({ ORTHANC_URL: orthanc.url, ORTHANC_TIMEOUT_MS: 3_000 })
    : undefined;
  const embedded = await startEmbeddedAvara({
    databasePath: ':memory:',
    demoStudies: 0,
    launchBaseUrl: 'launchBaseUrl' in options ? options.launchBaseUrl : 'http://localhost',
    launchTtlSeconds: 60,
    ...(viewerPacs ? { viewerRedirect: viewerPacs.viewerRedirect } : {}),
  });
  const avaraProxy = await startCountingProxy(embedded.url);
  const bff = await buildPacsBff({
    ...options.bff,
    avaraUrl: avaraProxy.url,
    apiKey: embedded.apiKey,
    orthancUrl: proxy.url,
    ...(options.viewer ? { viewer: true, extraRoutes: embedded.launchRoutes } : {}),
  });
  if (viewerPacs) bff.app.addHook('onClose', () => viewerPacs.close());
  return {
    orthanc,
    proxy,
    avaraProxy,
    embedded,
    bff,
    async close() {
      await bff.app.close();
      await embedded.close();
      await proxy.close();
      await avaraProxy.close();
      await orthanc.dispose();
    },
  };
}

/** The e-mail address of the first person on the roster, as Avara lists it. */
export async function firstRosterEmail(source: { avara: AvaraClient }): Promise<string> {
  const users = await source.avara.listUsers({ limit: 1 });
  const page: unknown = JSON.parse(users.ok ? users.json : '{}');
  return typeof page === 'object' && page !== null && 'users' in page && Array.isArray(page.users)
    ? String(page.users[0]?.email)
    : '';
}

/** Signs in as the first person on the roster and answers the headers an API call then needs. */
export async function signInFirstUser(bff: PacsBff): Promise<Record<string, string>> {
  return signIn(bff.app, await firstRosterEmail(bff));
}

export interface CountingProxy {
  url: string;
  /** "METHOD path [Level]" of every request relayed, Level for /tools/find bodies. */
  requests: string[];
  close(): Promise<void>;
}

export interface CountingProxyOptions {
  /** Paths that answer 404 without reaching the target, as from an Orthanc without that plugin. */
  absent?: (path: string) => boolean;
  /** Milliseconds to hold a request before relaying it (a slow upstream). */
  delayMs?: (method: string, path: string) => number;
}

/** A loopback HTTP relay in front of an upstream (Orthanc, Avara) that records what reaches it. */
export async function startCountingProxy(target: string, options: CountingProxyOptions = {}): Promise<CountingProxy> {
  const requests: string[] = [];
  const targetUrl = new URL(target);
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      let level = '';
      if (incoming.url?.startsWith('/tools/find')) {
        try {
          const parsed: unknown = JSON.parse(body.toString('utf8'));
          if (typeof parsed === 'object' && parsed !== null && 'Level' in parsed) level = ` ${String(parsed.Level)}`;
        } catch {
          level = ' ?';
        }
      }
      requests.push(`${incoming.method} ${incoming.url}${level}`);
      if (options.absent?.(incoming.url ?? '')) {
        outgoing.writeHead(404, { 'content-type': 'text/plain' }).end('Unknown resource');
        return;
      }
      const wait = options.delayMs?.(incoming.method ?? '', incoming.url ?? '') ?? 0;
      setTimeout(() => relayTo(body), wait);
    });
    function relayTo(body: Buffer) {
      const relay = httpRequest(
        {
          hostname: targetUrl.hostname,
          port: targetUrl.port,
          method: incoming.method,
          path: incoming.url,
          headers: { ...incoming.headers, host: targetUrl.host },
        },
        (answer) => {
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(outgoing);
        },
      );
      relay.on('error', () => outgoing.writeHead(502).end());
      relay.end(body);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('The counting proxy has no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface AvaraCalls {
  retrieveByUid: number;
  created: number;
  conflicts: number;
}

/** Switches a test flips to make Avara misbehave for the sync loop. */
export interface AvaraFaults {
  /** Every call fails as in a network outage. */
  down: boolean;
  /** So many creates succeed but their answer is lost (a timeout): the loop must not create them again. */
  loseAnswerOfCreate: number;
}

/**
 * The Avara client a sync loop sees in tests: counts retrieve-by-uid calls, creates and 409s (into
 * `calls` when given, so counts run on across loops), can hold each create for `createDelayMs` (a
 * slow Avara, so a stop lands mid-feed), and fails as `faults` says.
 */
export function countingAvara(
  inner: AvaraClient,
  options: { createDelayMs?: number; calls?: AvaraCalls; faults?: AvaraFaults } = {},
): { client: AvaraClient; calls: AvaraCalls } {
  const calls: AvaraCalls = options.calls ?? { retrieveByUid: 0, created: 0, conflicts: 0 };
  const { faults } = options;
  const client: AvaraClient = {
    ...inner,
    async retrieveStudyByUid(uid) {
      if (faults?.down) throw new UpstreamUnreachableError('unavailable', 'Avara is down (test)');
      calls.retrieveByUid++;
      return inner.retrieveStudyByUid(uid);
    },
    async createStudy(body) {
      if (faults?.down) throw new UpstreamUnreachableError('unavailable', 'Avara is down (test)');
      if (options.createDelayMs) await new Promise((resolve) => setTimeout(resolve, options.createDelayMs));
      const result = await inner.createStudy(body);
      if (result.ok) calls.created++;
      if (result.status === 409) calls.conflicts++;
      if (result.ok && faults && faults.loseAnswerOfCreate > 0) {
        faults.loseAnswerOfCreate--;
        throw new UpstreamUnreachableError('timeout', 'answer lost (test)');
      }
      return result;
    },
  };
  return { client, calls };
}

/** What a sync-loop test runs against: a real Orthanc, the bundled server as Avara, and a folder. */
export interface SyncRig {
  orthanc: RunningOrthanc;
  orthancClient: OrthancClient;
  avaraServer: RunningAvaraServer;
  /** A client of the bundled server, no retries. */
  realAvara: AvaraClient;
  folder: string;
  /** Creates `count` demo studies in Orthanc (numbered from `offset`), `batch` at a time. */
  createStudies(count: number, offset: number, batch: number): Promise<CreatedStudy[]>;
  /** True once the study is on the worklist (the bundled server holds it). */
  onWorklist(study: CreatedStudy): boolean;
  close(): Promise<void>;
}

export async function startSyncRig(options: {
  apiKey: string;
  stableAgeSeconds: number;
  folderPrefix: string;
}): Promise<SyncRig> {
  const folder = mkdtempSync(join(tmpdir(), options.folderPrefix));
  const orthanc = await startOrthanc({ stableAgeSeconds: options.stableAgeSeconds });
  const orthancClient = createOrthancClient({ baseUrl: orthanc.url, timeoutMs: 2_000 });
  const avaraServer = await startAvaraServer({ databasePath: ':memory:', apiKey: options.apiKey, demoStudies: 0 });
  const realAvara = createAvaraClient({
    baseUrl: avaraServer.url,
    apiKey: options.apiKey,
    timeoutMs: 2_000,
    retries: 0,
  });
  return {
    orthanc,
    orthancClient,
    avaraServer,
    realAvara,
    folder,
    async createStudies(count, offset, batch) {
      const created: CreatedStudy[] = [];
      for (let start = 0; start < count; start += batch) {
        const studies = Array.from({ length: Math.min(batch, count - start) }, (_, index) =>
          createOrthancStudy(orthanc, { ...demoStudySpec(offset + start + index), imageSize: 32 }),
        );
        created.push(...(await Promise.all(studies)));
      }
      return created;
    },
    onWorklist(study) {
      try {
        avaraServer.service.retrieveStudyByUid(study.studyInstanceUid);
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      await realAvara.close();
      await orthancClient.close();
      await avaraServer.close();
      await orthanc.dispose();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
