import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import type { FirstScreenRenderer } from '../../src/contract/first-screen.ts';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { buildApp, type WebhookSettings } from '../../src/bff/app.ts';
import { createAuditLog } from '../../src/bff/auth/audit-log.ts';
import { createAuthContext } from '../../src/bff/auth/auth-context.ts';
import { loadConfig, type BffConfig } from '../../src/bff/config/env.ts';
import { createAvaraClient } from '../../src/bff/services/avara-client.ts';
import { createSharedState } from '../../src/bff/shared-state/create-shared-state.ts';
import type { SharedState } from '../../src/bff/shared-state/shared-state.ts';
import { createContractValidator } from '../../src/contract/contract-validator.ts';
import type { Study, StudyListPage } from '../../src/contract/avara-types.ts';
import { loadAvaraContract } from '../../src/contract/load-contract.ts';
import { json, startRecordingUpstream, type RecordingUpstream, type UpstreamResponder } from './recording-upstream.ts';
import { DEMO_COORDINATOR, DEMO_RADIOLOGIST, usersPageFixture } from './study-fixture.ts';

export const contract = createContractValidator(loadAvaraContract());

export interface TestBffOptions {
  upstreamUrl: string;
  apiKey: string;
  timeoutMs?: number;
  retries?: number;
  /** UPSTREAM_MAX_BYTES for the Avara client (its default otherwise). */
  maxBodyBytes?: number;
  spaRoot?: string;
  logStream?: Writable;
  extraRoutes?: (app: FastifyInstance) => Promise<void>;
  /** Settings as environment variables would give them (AUTH_MODE, PORTAL_ORIGINS, ...); dev mode by default. */
  env?: Record<string, string>;
  /** Receives every audit line. */
  auditLines?: string[];
  publicUrl?: string;
  /** The bundled server's launch address, as server.ts passes it when it runs the bundled server. */
  bundledViewerUrl?: string;
  /** The shared state (another instance's, to test several); by default an in-process one in a new folder, closed with the app. */
  shared?: SharedState;
  /** Avara's webhook endpoint, as server.ts configures it from AVARA_WEBHOOK_KEY. */
  webhooks?: WebhookSettings;
  /** The worklist's first-screen renderer, as server.ts loads it from dist-server/. */
  firstScreen?: FirstScreenRenderer;
}

export interface TestBff {
  app: FastifyInstance;
  config: BffConfig;
}

/** The BFF as production assembles it, pointed at a test upstream. */
export async function buildTestBff(options: TestBffOptions): Promise<FastifyInstance> {
  return (await buildTestBffWithConfig(options)).app;
}

export async function buildTestBffWithConfig(options: TestBffOptions): Promise<TestBff> {
  const config = loadConfig({ NODE_ENV: 'test', VIEWER_ORIGINS: 'https://viewer.example', ...options.env }, false);
  const avara = createAvaraClient({
    baseUrl: options.upstreamUrl,
    apiKey: options.apiKey,
    timeoutMs: options.timeoutMs ?? 2_000,
    retries: options.retries ?? 2,
    ...(options.maxBodyBytes ? { maxBodyBytes: options.maxBodyBytes } : {}),
  });
  const lines = options.auditLines;
  const audit = createAuditLog('stdout', lines ? (line) => lines.push(line) : () => undefined);
  const shared = options.shared ?? (await testSharedState());
  const auth = createAuthContext(config, {
    avara,
    shared,
    publicUrl: options.publicUrl ?? config.PUBLIC_URL ?? 'http://localhost',
    audit,
    bundledViewerUrl: options.bundledViewerUrl,
  });
  const app = await buildApp({
    auth,
    config: {
      LOG_LEVEL: options.logStream ? 'info' : 'silent',
      READING_LEASE_SECONDS: config.READING_LEASE_SECONDS,
      READING_MAX_LEASES: config.READING_MAX_LEASES,
      EVENTS_HEARTBEAT_SECONDS: config.EVENTS_HEARTBEAT_SECONDS,
      SLA_STAT_MINUTES: config.SLA_STAT_MINUTES,
      SLA_HIGH_MINUTES: config.SLA_HIGH_MINUTES,
      SLA_NORMAL_MINUTES: config.SLA_NORMAL_MINUTES,
      HISTORY_RETENTION_DAYS: config.HISTORY_RETENTION_DAYS,
      REPORT_PDF_MAX_BYTES: config.REPORT_PDF_MAX_BYTES,
      ...(config.PUBLIC_URL ? { PUBLIC_URL: config.PUBLIC_URL } : {}),
    },
    avara,
    contract,
    upstream: 'avara',
    spaRoot: options.spaRoot ?? '/nonexistent-spa-root',
    ...(options.logStream ? { logStream: options.logStream } : {}),
    ...(options.extraRoutes ? { extraRoutes: options.extraRoutes } : {}),
    ...(options.webhooks ? { webhooks: options.webhooks } : {}),
    ...(options.firstScreen ? { firstScreen: options.firstScreen } : {}),
  });
  app.addHook('onClose', async () => {
    auth.sessions.close();
    if (!options.shared) await shared.close();
    await avara.close();
  });
  return { app, config };
}

/** An in-process shared state in a new temporary folder, as the embedded default runs it. */
export async function testSharedState(): Promise<SharedState> {
  const shared = await createSharedState({ dataDir: mkdtempSync(join(tmpdir(), 'rw-shared-')) });
  return shared;
}

/** Signs in through the dev picker and answers the headers an API call then needs. */
export async function signIn(app: FastifyInstance, username: string): Promise<Record<string, string>> {
  const response = await app.inject({
    method: 'POST',
    url: '/auth/login',
    headers: { 'x-csrf': '1' },
    payload: { username },
  });
  if (response.statusCode !== 200)
    throw new Error(`Sign-in as ${username} failed: ${response.statusCode} ${response.body}`);
  const cookie = response.cookies[0];
  if (!cookie) throw new Error('Sign-in set no cookie');
  // `If-Match: *` lets a test's PATCH through the precondition (428 without it); tests of the
  // If-Match rule itself send their own.
  return { cookie: `${cookie.name}=${cookie.value}`, 'x-csrf': '1', 'if-match': '*' };
}

/**
 * Every study of a list (`GET /api/studies?…`), walked page by page to the end (100 pages at most),
 * with the pages it took; each page must answer 200.
 */
export async function walkStudyList(
  app: FastifyInstance,
  query: Record<string, string>,
  headers: Record<string, string>,
): Promise<{ studies: Study[]; pages: number }> {
  const studies: Study[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const params: URLSearchParams = new URLSearchParams({ ...query, ...(cursor ? { cursor } : {}) });
    const answer = await app.inject({ url: `/api/studies?${params.toString()}`, headers });
    expect(answer.statusCode, answer.body).toBe(200);
    const page: StudyListPage = answer.json();
    studies.push(...page.studies);
    cursor = page.hasMore ? (page.cursor ?? null) : null;
    pages += 1;
  } while (cursor && pages < 100);
  return { studies, pages };
}

/** A temporary folder holding a built SPA's files (path below the folder: content), as the BFF serves them. */
export function spaRootWith(files: Record<string, string | Buffer>): string {
  const root = mkdtempSync(join(tmpdir(), 'rw-spa-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

/** The BFF in front of a recording upstream, with the demo coordinator and radiologist signed in. */
export interface BffOverUpstream {
  upstream: RecordingUpstream;
  app: FastifyInstance;
  coordinator: Record<string, string>;
  radiologist: Record<string, string>;
  /** Forgets the requests and audit lines so far, and answers `responder` from now on (for a beforeEach). */
  reset(responder: UpstreamResponder): void;
  close(): Promise<void>;
}

/**
 * Starts a recording upstream and the BFF in front of it, and signs in the demo coordinator and
 * radiologist (the upstream answers the users page meanwhile); then the upstream answers `responder`.
 */
export async function startBffOverUpstream(
  options: Omit<TestBffOptions, 'upstreamUrl'> & { responder?: UpstreamResponder },
): Promise<BffOverUpstream> {
  const { responder, ...bffOptions } = options;
  const upstream = await startRecordingUpstream(json(200, usersPageFixture()));
  const app = await buildTestBff({ ...bffOptions, upstreamUrl: upstream.url });
  const coordinator = await signIn(app, DEMO_COORDINATOR.email);
  const radiologist = await signIn(app, DEMO_RADIOLOGIST.email);
  if (responder) upstream.respond(responder);
  return {
    upstream,
    app,
    coordinator,
    radiologist,
    reset(next) {
      upstream.requests.length = 0;
      if (options.auditLines) options.auditLines.length = 0;
      upstream.respond(next);
    },
    async close() {
      await app.close();
      await upstream.close();
    },
  };
}

/**
 * The suite's hooks around `startBffOverUpstream`: the rig starts once before the file's tests (with
 * the options `options()` builds then), before each test forgets what was recorded and answers
 * `responder()`, and closes after the file. The answer reads the running rig (once `beforeAll` has run).
 */
export function useBffOverUpstream(
  options: () => Parameters<typeof startBffOverUpstream>[0],
  responder: () => UpstreamResponder,
): BffOverUpstream {
  let rig: BffOverUpstream | undefined;
  const running = (): BffOverUpstream => {
    if (!rig) throw new Error('The BFF is not started yet (it starts in beforeAll)');
    return rig;
  };
  beforeAll(async () => {
    rig = await startBffOverUpstream(options());
  });
  afterAll(() => rig?.close());
  beforeEach(() => running().reset(responder()));
  return {
    get upstream() {
      return running().upstream;
    },
    get app() {
      return running().app;
    },
    get coordinator() {
      return running().coordinator;
    },
    get radiologist() {
      return running().radiologist;
    },
    reset: (next) => running().reset(next),
    close: () => running().close(),
  };
}
