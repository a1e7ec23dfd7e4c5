import { createServer, type Server } from 'node:http';
import { expect, test } from '@playwright/test';
import { signInAs } from './support/sign-in.ts';

/**
 * The app inside an intranet portal: a page on an allowed origin frames it and exchanges messages;
 * a page on any other origin cannot frame it. Ports follow playwright.config.ts (PORTAL_ORIGINS is
 * the app's port + 18).
 */
const appPort = Number(process.env.E2E_PORT ?? 8181);
const allowedPort = appPort + 18;
const otherPort = appPort + 17;

function portalPage(appUrl: string): string {
  // The portal's own page, with its own script: not part of the app, so inline script is fine here.
  return `<!doctype html><title>Intranet portal</title>
<h1>Hospital portal</h1>
<iframe id="worklist" title="Worklist" src="${appUrl}/?embed=1" style="width:1200px;height:700px"></iframe>
<script>
  window.received = [];
  window.addEventListener('message', (event) => window.received.push({ origin: event.origin, data: event.data }));
  window.openStudy = (uid) => document.getElementById('worklist').contentWindow.postMessage({ type: 'worklist:open-study', studyInstanceUid: uid }, '${appUrl}');
</script>`;
}

async function startPortal(port: number, appUrl: string): Promise<Server> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(portalPage(appUrl));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}

let servers: Server[] = [];

test.afterEach(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  servers = [];
});

test('a portal on an allowed origin frames the app and exchanges messages', async ({ page, baseURL }) => {
  const appUrl = baseURL ?? `http://127.0.0.1:${appPort}`;
  servers.push(await startPortal(allowedPort, appUrl));
  await signInAs(page, 'radiologist');
  const [study] = (await (await page.request.get('/api/studies?limit=1', { headers: { 'x-csrf': '1' } })).json())
    .studies;

  await page.goto(`http://127.0.0.1:${allowedPort}/`);
  const frame = page.frameLocator('#worklist');
  await expect(frame.getByRole('main')).toBeVisible();

  // The app says it is ready, then sends its unread counts, to this origin only.
  await expect
    .poll(() =>
      page.evaluate(() =>
        (window as unknown as { received: Array<{ data: { type: string } }> }).received.map((m) => m.data.type),
      ),
    )
    .toEqual(expect.arrayContaining(['worklist:ready', 'worklist:counts']));
  const counts = await page.evaluate(() =>
    (window as unknown as { received: Array<{ origin: string; data: Record<string, unknown> }> }).received.find(
      (m) => m.data.type === 'worklist:counts',
    ),
  );
  expect(counts?.origin).toBe(new URL(appUrl).origin);
  expect(counts?.data).toMatchObject({ unreadStat: expect.any(Number), unreadHigh: expect.any(Number) });

  // The portal asks the app to open a study by its UID.
  await page.evaluate(
    (uid) => (window as unknown as { openStudy: (uid: string) => void }).openStudy(uid),
    study.studyInstanceUid,
  );
  // The app resolves the UID and opens that study's drawer, staying in the embedded layout.
  await expect
    .poll(() =>
      page
        .frames()
        .find((f) => f.url().startsWith(appUrl))
        ?.url(),
    )
    .toContain(`/studies/${study.studyId}?embed=1`);
});

test('a page on another origin cannot frame the app', async ({ page, baseURL }) => {
  const appUrl = baseURL ?? `http://127.0.0.1:${appPort}`;
  servers.push(await startPortal(otherPort, appUrl));
  await signInAs(page, 'radiologist');
  const refusals: string[] = [];
  page.on('console', (message) => {
    if (message.text().includes('frame-ancestors')) refusals.push(message.text());
  });
  await page.goto(`http://127.0.0.1:${otherPort}/`);
  await expect.poll(() => refusals.length).toBeGreaterThan(0);
  await expect(page.frameLocator('#worklist').getByRole('main')).toHaveCount(0);
});
