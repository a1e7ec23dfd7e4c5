import { expect, test as base, type Page } from '@playwright/test';
import type { RunningAvaraServer } from '../src/avara-server/create-avara-server.ts';
import { withProxyStack, type RestartableBff } from './support/restartable-bff.ts';
import { screenshotPath } from './support/screenshots.ts';

/*
 * The worklist says when the BFF cannot be reached, and recovers by itself. The spec runs the
 * product as a hospital does: the Avara-compatible server on its own (it stays up), and a BFF of the
 * spec's own in front of it that the test stops and starts. The BFF runs behind a sign-in proxy
 * (AUTH_MODE=proxy; the browser sends the proxy's identity header), so a restart signs nobody out,
 * and the page can carry on where it was.
 */

interface Stack {
  avara: RunningAvaraServer;
  bff: RestartableBff;
  coordinatorEmail: string;
}

const test = base.extend<object, { stack: Stack }>({
  stack: [
    async ({}, use) =>
      withProxyStack({ name: 'connection', demoStudies: 40 }, async ({ avara, bff, coordinators }) => {
        const [coordinator] = coordinators;
        if (!coordinator) throw new Error('The demo roster has no coordinator');
        await use({ avara, bff, coordinatorEmail: coordinator.email });
      }),
    { scope: 'worker', timeout: 60_000 },
  ],
  baseURL: async ({ stack }, use) => use(stack.bff.url),
  extraHTTPHeaders: async ({ stack }, use) => use({ 'x-forwarded-email': stack.coordinatorEmail }),
});

function connectionLost(page: Page) {
  return page.getByRole('alert').filter({ hasText: 'Connection lost' });
}

async function openWorklist(page: Page, search: string, description: string) {
  await page.goto(`/${search}`);
  await expect(page.getByRole('grid', { name: 'Worklist' })).toBeVisible();
  await expect(page.locator('[data-study-row]').filter({ hasText: description })).toBeVisible();
}

test('the worklist says the connection is lost within 15 s of the server stopping, and recovers by itself when it is back', async ({
  page,
  context,
  stack,
}) => {
  test.setTimeout(90_000);
  // A description no demo study has, so the row is this one whatever the demo holds.
  const study = stack.avara.service.createStudy({
    severity: 'stat',
    studyDescription: `CT Head without Contrast (connection check ${Date.now().toString(36)})`,
    studyInstanceUid: `1.2.826.0.1.3680043.10.${Date.now()}.1`,
  });
  const changed = `${study.studyDescription}, trauma protocol`;

  let loads = 0;
  page.on('load', () => (loads += 1));
  await openWorklist(page, '', study.studyDescription);
  // The portal's embedded layout, in a second tab, from the same server.
  const embedded = await context.newPage();
  await openWorklist(embedded, '?embed=1', study.studyDescription);
  await expect(connectionLost(page)).toHaveCount(0);

  const stoppedAt = Date.now();
  await stack.bff.stop();
  await expect(connectionLost(page)).toBeVisible({ timeout: 15_000 });
  expect(Date.now() - stoppedAt).toBeLessThan(15_000);
  await expect(connectionLost(page)).toHaveText(
    /^Connection lost · last updated \d+ s ago.*The server is not answering\./,
  );
  await expect(connectionLost(embedded)).toBeVisible({ timeout: 15_000 });
  // What was loaded stays on screen, and says how old it is.
  await expect(page.locator('[data-study-row]').filter({ hasText: study.studyDescription })).toBeVisible();

  await page.screenshot({ path: screenshotPath('worklist-connection-lost.png') });
  await embedded.setViewportSize({ width: 900, height: 600 });
  await embedded.screenshot({ path: screenshotPath('worklist-connection-lost-embedded.png') });
  await page.emulateMedia({ colorScheme: 'light' });
  await page.screenshot({ path: screenshotPath('worklist-connection-lost-light.png') });
  await page.emulateMedia({ colorScheme: 'dark' });

  // Someone changes the study while this BFF is down (Avara itself is up).
  stack.avara.service.updateStudy(study.studyId, { studyDescription: changed });

  await stack.bff.start();
  await expect(connectionLost(page)).toHaveCount(0, { timeout: 10_000 });
  await expect(page.locator('[data-study-row]').filter({ hasText: changed })).toBeVisible({ timeout: 5_000 });
  await expect(connectionLost(embedded)).toHaveCount(0, { timeout: 10_000 });
  await expect(embedded.locator('[data-study-row]').filter({ hasText: changed })).toBeVisible({ timeout: 5_000 });
  // No reload: the same document all along.
  expect(loads).toBe(1);
});
