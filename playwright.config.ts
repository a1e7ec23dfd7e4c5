import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig, devices } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './e2e/support/chromium.ts';

/*
 * End-to-end tests run the REAL product: the BFF with its bundled Avara-compatible server, serving the
 * built SPA from dist/. This config does not build; `npm test` builds first. Run alone:
 *
 *   npm run build && npx playwright test
 */

const port = Number(process.env.E2E_PORT ?? 8181);
const baseURL = `http://127.0.0.1:${port}`;

// Playwright loads this file in the runner and again in every worker; the env var makes them all
// agree on one fresh folder, so each run starts from a newly seeded database.
process.env.E2E_DATA_DIR ??= mkdtempSync(join(tmpdir(), 'radiology-worklist-e2e-'));
const dataDir = process.env.E2E_DATA_DIR;

function inheritedEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined) env[name] = value;
  }
  return env;
}

export default defineConfig({
  testDir: 'e2e',
  globalTeardown: './e2e/support/global-teardown.ts',
  forbidOnly: !!process.env.CI,
  retries: process.env.CI ? 1 : 0,
  workers: 2,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: [['list'], ['json', { outputFile: 'test-results/playwright.json' }]],
  outputDir: 'test-results/playwright',
  use: {
    baseURL,
    trace: 'on-first-retry',
    colorScheme: 'dark',
  },
  projects: [
    {
      name: 'chromium',
      use: {
        ...devices['Desktop Chrome'],
        viewport: { width: 1440, height: 900 },
        launchOptions: {
          executablePath: CHROMIUM_PATH,
          args: CHROMIUM_ARGS,
        },
      },
    },
  ],
  webServer: {
    command: 'node src/bff/server.ts',
    url: `${baseURL}/api/health`,
    env: {
      ...inheritedEnv(),
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      DEMO_STUDIES: '2500',
      // No demo arrivals: the specs count and pick studies, and a study arriving mid-test would move them.
      DEMO_ARRIVALS_SECONDS: '0',
      // Viewer links live 10 s (the minimum) so e2e/viewer.spec.ts can see one expire; no other test
      // holds a viewer link that long.
      VIEWER_LINK_TTL_SECONDS: '10',
      // The portal test frames the app from this origin (e2e/portal.spec.ts).
      PORTAL_ORIGINS: `http://127.0.0.1:${port + 18}`,
      // Every spec signs in as the same few demo people, two at a time: together they ask far more
      // than one person a minute would (the limit is tested in test/security/).
      RATE_LIMIT_PER_MINUTE: '100000',
      // Audit lines go to a file the tests can read, rather than into the runner's output.
      AUDIT_LOG: join(dataDir, 'audit.log'),
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    },
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'pipe',
    stderr: 'pipe',
    gracefulShutdown: { signal: 'SIGTERM', timeout: 5_000 },
  },
});
