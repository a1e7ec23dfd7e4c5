/**
 * The production install, as the Dockerfile's runtime stage does it (read from the Dockerfile):
 * the project files it copies and the prebuilt dist/ in a temporary folder, `npm ci --omit=dev`
 * there (from npm's cache, filled by the preceding `npm install`), then its start command on Node 24
 * with NODE_ENV=production and every secret given as a `_FILE`. The server must answer
 * /api/health, the page and a signed-in /api/studies, using nothing from the development install.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedAvara, type EmbeddedAvara } from '../../src/bff/services/embedded-avara.ts';
import { startBffProcess, type BffProcess } from '../support/bff-process.ts';
import { productionInstallOf, readDockerfile, type ProductionInstall } from '../support/dockerfile.ts';
import { freePort } from '../support/free-port.ts';
import { startRedis, type RunningRedis } from '../support/redis.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const REDIS_PASSWORD = 'production-install-redis-password';

let folder: string;
let install: ProductionInstall;
let avara: EmbeddedAvara;
let redis: RunningRedis;
let bff: BffProcess | undefined;
let npmOutput = '';
let startEnv: Record<string, string> = {};

beforeAll(async () => {
  install = productionInstallOf(readDockerfile(join(ROOT, 'Dockerfile')));
  folder = mkdtempSync(join(tmpdir(), 'rw-production-'));
  const app = join(folder, 'app');
  mkdirSync(app);
  for (const [source, destination] of install.copies) {
    cpSync(join(ROOT, source), destination.endsWith('/') ? join(app, destination, source) : join(app, destination), {
      recursive: true,
    });
  }
  // The build stage's output: the SPA as `npm run build` made it (npm test builds before this runs).
  if (!existsSync(join(ROOT, 'dist', 'index.html'))) {
    const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}${build.stderr}`);
  }
  // The build stage's folders (/app/dist, /app/dist-server), as this checkout's build made them.
  for (const [source, destination] of install.built) {
    expect(['/app/dist', '/app/dist-server']).toContain(source);
    cpSync(join(ROOT, source.replace('/app/', '')), join(app, destination), { recursive: true });
  }
  for (const [npm, ...args] of install.npm) {
    expect(npm).toBe('npm');
    // Only a production install: its own npm, in the folder, with the cache the development install filled.
    const result = spawnSync('npm', args, {
      cwd: app,
      encoding: 'utf8',
      env: { ...process.env, NODE_ENV: 'production' },
      timeout: 300_000,
    });
    npmOutput += `${result.stdout}${result.stderr}`;
    if (result.status !== 0) throw new Error(`npm ${args.join(' ')} failed:\n${npmOutput}`);
  }

  avara = await startEmbeddedAvara({
    databasePath: join(folder, 'avara.sqlite'),
    demoStudies: 40,
    launchBaseUrl: undefined,
    launchTtlSeconds: 300,
  });
  redis = await startRedis({ password: REDIS_PASSWORD });
  const secrets = join(folder, 'secrets');
  mkdirSync(secrets, { mode: 0o700 });
  writeFileSync(join(secrets, 'avara-api-key'), `${avara.apiKey}\n`, { mode: 0o600 });
  writeFileSync(join(secrets, 'redis-password'), `${REDIS_PASSWORD}\n`, { mode: 0o600 });

  const [command, ...args] = install.start;
  expect(command).toBe('node');
  const port = await freePort();
  startEnv = {
    ...install.env,
    // Loopback only here (the image listens on every interface of its container).
    HOST: '127.0.0.1',
    PORT: String(port),
    DATA_DIR: join(folder, 'data'),
    AVARA_BASE_URL: avara.url,
    AVARA_API_KEY_FILE: join(secrets, 'avara-api-key'),
    REDIS_URL: redis.url,
    REDIS_PASSWORD_FILE: join(secrets, 'redis-password'),
    AUTH_MODE: 'proxy',
    TRUSTED_PROXIES: '127.0.0.1',
    LOG_LEVEL: 'warn',
  };
  bff = await startBffProcess(
    port,
    startEnv,
    60_000,
    // The image's command on this machine's Node 24, from the installed folder.
    { command: process.execPath, args, cwd: app },
  );
}, 360_000);

afterAll(async () => {
  await bff?.stop();
  await avara?.close();
  await redis?.dispose();
  if (folder) rmSync(folder, { recursive: true, force: true });
});

describe('the production install (the Dockerfile runtime stage, in a temporary folder)', () => {
  it('has production dependencies only', () => {
    const installed = readdirSync(join(folder, 'app', 'node_modules'));
    for (const devOnly of ['vite', 'vitest', 'typescript', 'node', '@playwright', 'tailwindcss'])
      expect(installed).not.toContain(devOnly);
    expect(installed).toContain('fastify');
  });

  it('answers /api/health, the page, and a signed-in /api/studies', async () => {
    if (!bff) throw new Error('the server did not start');
    expect((await fetch(`${bff.url}/api/health`)).status).toBe(200);

    const page = await fetch(`${bff.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('<div id="root"');

    const users = (await (
      await fetch(`${avara.url}/v1/viewer/users?limit=5`, { headers: { authorization: `Bearer ${avara.apiKey}` } })
    ).json()) as { users: { email: string }[] };
    const person = users.users[0];
    if (!person) throw new Error('the bundled server has no users');
    const studies = await fetch(`${bff.url}/api/studies?severity=stat`, {
      headers: { 'x-csrf': '1', 'x-forwarded-email': person.email },
    });
    expect(studies.status, await studies.clone().text()).toBe(200);
    const body = (await studies.json()) as { studies: unknown[] };
    expect(Array.isArray(body.studies)).toBe(true);
    expect(bff.output()).not.toContain(avara.apiKey);
    expect(bff.output()).not.toContain(REDIS_PASSWORD);
  });

  it('refuses to start without the built SPA, saying what to do', async () => {
    await bff?.stop();
    const app = join(folder, 'app');
    renameSync(join(app, 'dist'), join(app, 'dist-moved'));
    try {
      const [, ...args] = install.start;
      const result = spawnSync(process.execPath, args, {
        cwd: app,
        encoding: 'utf8',
        env: { ...process.env, ...startEnv, PORT: '0' },
        timeout: 20_000,
      });
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/The web app is not built .*run `npm run build` first/);
    } finally {
      renameSync(join(app, 'dist-moved'), join(app, 'dist'));
    }
  });
});
