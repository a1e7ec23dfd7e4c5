import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test as base, type APIRequestContext } from '@playwright/test';
import { startAvaraServer, type RunningAvaraServer } from '../src/avara-server/create-avara-server.ts';
import { startBffProcess, type BffProcess } from '../test/support/bff-process.ts';
import { startNginx, type RunningNginx } from '../test/support/nginx.ts';
import { freePort } from '../test/support/free-port.ts';
import { startRedis, type RunningRedis } from '../test/support/redis.ts';
import { signInAs } from './support/sign-in.ts';

/*
 * The product as a hospital runs it for availability: two BFF instances sharing one Redis and one
 * upstream, behind nginx (round robin, no stickiness), all of them the spec's own processes on free
 * ports. The browser only ever talks to nginx; one instance is killed in the middle of an edit.
 */

interface ScaleOut {
  url: string;
  a: BffProcess;
  b: BffProcess;
  portOf: { a: number; b: number };
}

const KEY = 'scale-out-e2e-upstream-key-0123456789';

const test = base.extend<object, { scaleOut: ScaleOut }>({
  scaleOut: [
    async ({}, use) => {
      const folder = mkdtempSync(join(tmpdir(), 'radiology-worklist-e2e-scale-out-'));
      let avara: RunningAvaraServer | undefined;
      let redis: RunningRedis | undefined;
      let nginx: RunningNginx | undefined;
      const instances: BffProcess[] = [];
      try {
        avara = await startAvaraServer({ databasePath: join(folder, 'avara.sqlite'), apiKey: KEY, demoStudies: 40 });
        redis = await startRedis();
        const [portA, portB, nginxPort] = [await freePort(), await freePort(), await freePort()];
        const env = (name: string) => ({
          REDIS_URL: redis?.url ?? '',
          DATA_DIR: mkdtempSync(join(folder, `${name}-`)),
          AVARA_API_KEY: KEY,
          AVARA_BASE_URL: avara?.url ?? '',
          AUTH_MODE: 'dev',
          // nginx connects from loopback: the client's address comes from X-Forwarded-For.
          TRUSTED_PROXIES: '127.0.0.1',
          PUBLIC_URL: `http://127.0.0.1:${nginxPort}`,
          AUDIT_LOG: join(folder, `${name}-audit.log`),
          LOG_LEVEL: 'warn',
        });
        const [a, b] = await Promise.all([
          startBffProcess(portA, env('a'), 90_000),
          startBffProcess(portB, env('b'), 90_000),
        ]);
        instances.push(a, b);
        nginx = await startNginx({ upstreamPorts: [portA, portB], port: nginxPort });
        await use({ url: nginx.url, a, b, portOf: { a: portA, b: portB } });
      } finally {
        await Promise.all(instances.map((instance) => instance.stop()));
        await nginx?.dispose();
        await redis?.dispose();
        await avara?.close();
        rmSync(folder, { recursive: true, force: true });
      }
    },
    { scope: 'worker', timeout: 180_000 },
  ],
  baseURL: async ({ scaleOut }, use) => use(scaleOut.url),
});

const CSRF = { 'x-csrf': '1' };

async function createStudy(request: APIRequestContext): Promise<{ studyId: string; studyDescription: string }> {
  const response = await request.post('/api/studies', {
    headers: CSRF,
    data: {
      severity: 'high',
      studyDescription: 'CT Head without Contrast',
      studyInstanceUid: `1.2.826.0.1.3680043.10.${Date.now()}.${process.pid}`,
    },
  });
  expect(response.status()).toBe(201);
  return response.json();
}

test('a change made through one instance reaches a browser on the other: its list and its open drawer, without a reload', async ({
  browser,
  scaleOut,
}) => {
  test.setTimeout(90_000);
  const onA = `http://127.0.0.1:${scaleOut.portOf.a}`;
  const onB = `http://127.0.0.1:${scaleOut.portOf.b}`;
  const changing = await browser.newContext({ baseURL: onA });
  const watching = await browser.newContext({ baseURL: onB });
  try {
    const changer = await changing.newPage();
    const watcher = await watching.newPage();
    await signInAs(changer, 'coordinator');
    await signInAs(watcher, 'coordinator');
    const study = await createStudy(changer.request);
    let loads = 0;
    watcher.on('load', () => (loads += 1));
    await watcher.goto(`/studies/${study.studyId}?assignee=anyone`);
    const drawer = watcher.getByRole('complementary', { name: 'Study' });
    await expect(drawer.getByRole('heading', { level: 2 })).toHaveText(study.studyDescription);
    await expect(watcher.getByText('Live', { exact: true }).first()).toBeVisible({ timeout: 15_000 });

    const description = `CT Head, seen across instances ${Date.now().toString(36)}`;
    const changed = await changer.request.patch(`/api/studies/${study.studyId}`, {
      headers: { ...CSRF, 'if-match': '*' },
      data: { studyDescription: description },
    });
    expect(changed.status()).toBe(200);
    expect(changed.headers()['x-upstream']).toBeUndefined(); // straight to A, not through nginx

    await expect(drawer.getByRole('heading', { level: 2 })).toHaveText(description, { timeout: 5_000 });
    await expect(watcher.locator('[data-study-row]').filter({ hasText: description })).toBeVisible({ timeout: 5_000 });
    expect(loads).toBe(1);
  } finally {
    await changing.close();
    await watching.close();
  }
});

test('an instance dies in the middle of an edit: Save goes through the other one, and nobody is asked to sign in', async ({
  page,
  scaleOut,
}) => {
  test.setTimeout(120_000);
  const visited: string[] = [];
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) visited.push(new URL(frame.url()).pathname);
  });
  const answeredBy = new Set<string>();
  page.on('response', (response) => {
    const upstream = response.headers()['x-upstream'];
    if (upstream && new URL(response.url()).pathname.startsWith('/api/'))
      answeredBy.add(upstream.split(/,\s*/).at(-1) ?? upstream);
  });

  await signInAs(page, 'coordinator');
  const study = await createStudy(page.request);
  await page.goto(`/studies/${study.studyId}?assignee=anyone`);
  const drawer = page.getByRole('complementary', { name: 'Study' });
  await expect(drawer.getByRole('heading', { level: 2 })).toHaveText(study.studyDescription);
  // Loading the page and the drawer took requests from both instances (no stickiness).
  await expect.poll(() => answeredBy.size).toBe(2);

  await drawer.getByRole('button', { name: 'Edit' }).click();
  const description = 'CT Head with and without Contrast';
  await drawer.getByRole('textbox', { name: 'Description' }).fill(description);

  await scaleOut.a.kill();

  const saved = page.waitForResponse((response) => response.request().method() === 'PATCH');
  await drawer.getByRole('button', { name: 'Save changes' }).click();
  const patch = await saved;
  expect(patch.status()).toBe(200);
  // nginx tried A (refused: it is dead) and gave the PATCH to B; or went straight to B.
  expect(patch.headers()['x-upstream']?.split(/,\s*/).at(-1)).toBe(`127.0.0.1:${scaleOut.portOf.b}`);
  await expect(drawer.getByRole('status').filter({ hasText: 'Changes saved.' })).toBeVisible();
  await expect(drawer.getByRole('heading', { level: 2 })).toHaveText(description);

  // The page goes on working through B: its connection check keeps answering and nothing asks
  // for a sign-in (two heartbeats after the kill, 5 s apart).
  let heartbeats = 0;
  page.on('response', (response) => {
    if (new URL(response.url()).pathname === '/api/health' && response.ok()) heartbeats += 1;
  });
  await expect.poll(() => heartbeats, { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
  await expect(page.getByText('Connection lost')).toHaveCount(0);
  await expect(drawer.getByRole('heading', { level: 2 })).toHaveText(description);
  expect(visited.some((path) => path.startsWith('/sign-in'))).toBe(false);
  await expect(page).toHaveURL(new RegExp(`/studies/${study.studyId}`));

  const stored = await page.request.get(`/api/studies/${study.studyId}`, { headers: CSRF });
  expect(stored.status()).toBe(200);
  expect((await stored.json()).studyDescription).toBe(description);
});
