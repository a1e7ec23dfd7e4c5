import { createServer, request as httpRequest } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { buildApp, type WebhookSettings } from '../../src/bff/app.ts';
import { createAuditLog } from '../../src/bff/auth/audit-log.ts';
import { createAuthContext } from '../../src/bff/auth/auth-context.ts';
import { loadConfig } from '../../src/bff/config/env.ts';
import { createPacsServices, type PacsServices } from '../../src/bff/pacs/pacs-services.ts';
import { createAvaraClient, type AvaraClient } from '../../src/bff/services/avara-client.ts';
import type { SharedState } from '../../src/bff/shared-state/shared-state.ts';
import { contract, testSharedState } from '../support/test-bff.ts';

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

/**
 * The Avara client a sync loop sees in tests: counts retrieve-by-uid calls, creates and 409s, and
 * can hold each create for `createDelayMs` (a slow Avara, so a stop lands mid-feed).
 */
export function countingAvara(
  inner: AvaraClient,
  options: { createDelayMs?: number } = {},
): { client: AvaraClient; calls: AvaraCalls } {
  const calls: AvaraCalls = { retrieveByUid: 0, created: 0, conflicts: 0 };
  const client: AvaraClient = {
    ...inner,
    async retrieveStudyByUid(uid) {
      calls.retrieveByUid++;
      return inner.retrieveStudyByUid(uid);
    },
    async createStudy(body) {
      if (options.createDelayMs) await new Promise((resolve) => setTimeout(resolve, options.createDelayMs));
      const result = await inner.createStudy(body);
      if (result.ok) calls.created++;
      if (result.status === 409) calls.conflicts++;
      return result;
    },
  };
  return { client, calls };
}
