import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAvaraServer, type RunningAvaraServer } from '../../src/avara-server/create-avara-server.ts';
import type { User } from '../../src/contract/avara-types.ts';
import { startBffProcess, type BffProcess } from '../../test/support/bff-process.ts';
import { freePort } from '../../test/support/free-port.ts';

/**
 * A BFF of the spec's own (`node src/bff/server.ts` with the spec's settings and DATA_DIR), that
 * the spec can stop and start again on the same port: the browser's page stays open meanwhile.
 */
export interface RestartableBff {
  readonly url: string;
  /** SIGTERM, as an operator's restart or a deployment does; resolves once the process has exited. */
  stop(): Promise<void>;
  /** Starts it again with the same settings; resolves once `/api/health` answers. */
  start(): Promise<void>;
  restart(): Promise<void>;
}

export async function startRestartableBff(
  env: Record<string, string>,
  options: { port?: number } = {},
): Promise<RestartableBff> {
  const port = options.port ?? (await freePort());
  let running: BffProcess | null = await startBffProcess(port, env);
  const url = running.url;
  const stop = async () => {
    await running?.stop();
    running = null;
  };
  const start = async () => {
    if (running) return;
    running = await startBffProcess(port, env);
  };
  return {
    url,
    stop,
    start,
    async restart() {
      await stop();
      await start();
    },
  };
}

/** What a spec that stops and starts its BFF runs against: its own Avara-compatible server and BFF. */
export interface ProxyStack {
  avara: RunningAvaraServer;
  bff: RestartableBff;
  /** The demo coordinators (the browser names one in the sign-in proxy's header). */
  coordinators: User[];
}

/**
 * Starts a bundled Avara-compatible server (it stays up) and a restartable BFF in front of it,
 * behind a sign-in proxy (AUTH_MODE=proxy, the browser sends `X-Forwarded-Email`), so a restart of
 * the BFF signs nobody out; runs `use`, then stops both and removes their folder.
 */
export async function withProxyStack(
  options: { name: string; demoStudies: number; env?: Record<string, string> },
  use: (stack: ProxyStack) => Promise<void>,
): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), `radiology-worklist-e2e-${options.name}-`));
  const apiKey = randomBytes(24).toString('base64url');
  const avara = await startAvaraServer({
    databasePath: join(dataDir, 'avara.sqlite'),
    apiKey,
    demoStudies: options.demoStudies,
  });
  try {
    const coordinators = avara.service
      .listUsers({ limit: 100 })
      .users.filter((user) => user.canManageStudies && user.clinicRole === 'Patient Care Coordinator');
    if (coordinators.length === 0) throw new Error('The demo roster has no coordinator');
    const bff = await startRestartableBff({
      AVARA_API_KEY: apiKey,
      AVARA_BASE_URL: avara.url,
      AUTH_MODE: 'proxy',
      TRUSTED_PROXIES: '127.0.0.1',
      DATA_DIR: dataDir,
      AUDIT_LOG: join(dataDir, 'audit.log'),
      LOG_LEVEL: 'warn',
      ...options.env,
    });
    await use({ avara, bff, coordinators });
    await bff.stop();
  } finally {
    await avara.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
