import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { startRestartableBff } from './support/restartable-bff.ts';
import { groupHeader, openWorklist } from './support/worklist.ts';
import { seriousViolations } from './support/axe.ts';
import { screenshotPath } from './support/screenshots.ts';

/*
 * Saved views and Copy link. On the shared server the specs sign in as the second demo radiologist
 * and coordinator (the other specs use the first ones, whose worklist must open as it always does)
 * and delete their views afterwards; the restart runs on a BFF of this spec's own.
 */

const CSRF = { 'x-csrf': '1' };

interface DemoUser {
  username: string;
  role: 'coordinator' | 'radiologist';
}

/** Signs the page in as the `index`th demo user of the role (0: the one the other specs use). */
async function signInAsNth(page: Page, role: DemoUser['role'], index: number): Promise<void> {
  const config: { demoUsers?: DemoUser[] } = await (await page.request.get('/auth/config')).json();
  const user = (config.demoUsers ?? []).filter((candidate) => candidate.role === role)[index];
  if (!user) throw new Error(`The demo roster has no ${role} number ${index + 1}`);
  expect((await page.request.post('/auth/login', { headers: CSRF, data: { username: user.username } })).status()).toBe(
    200,
  );
}

async function deleteAllViews(page: Page): Promise<void> {
  const list: { views: Array<{ viewId: string }> } = await (
    await page.request.get('/api/views', { headers: CSRF })
  ).json();
  for (const view of list.views) await page.request.delete(`/api/views/${view.viewId}`, { headers: CSRF });
}

async function newSignedInPage(
  browser: Browser,
  role: DemoUser['role'],
  index: number,
  baseURL?: string,
): Promise<Page> {
  const context = await browser.newContext(baseURL ? { baseURL } : {});
  const page = await context.newPage();
  await signInAsNth(page, role, index);
  return page;
}

test('a view saved by keyboard is the person’s own, opens as their default after a reload, and is not another person’s', async ({
  browser,
}) => {
  test.setTimeout(90_000);
  const page = await newSignedInPage(browser, 'radiologist', 1);
  const other = await newSignedInPage(browser, 'coordinator', 1);
  try {
    await deleteAllViews(page);
    await openWorklist(page, '?modality=CT&status=any&assignee=anyone');
    // Fold the STAT group: the view keeps it folded.
    await groupHeader(page, 'STAT').click();
    await expect(groupHeader(page, 'STAT')).toHaveAttribute('aria-expanded', 'false');

    const views = page.getByRole('button', { name: 'Views', exact: true });
    await views.focus();
    await page.keyboard.press('Enter');
    const panel = page.getByRole('group', { name: 'Your saved views' });
    await expect(panel.getByText('No saved views yet.')).toBeVisible();
    await page.getByLabel('Save the current filters, columns and groups as').fill('Any CT');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Space');
    await expect(panel.getByLabel('Open the worklist with this view')).toBeChecked();
    await page.getByLabel('Save the current filters, columns and groups as').press('Enter');
    await expect(panel.getByRole('status')).toHaveText('Saved “Any CT”.');
    await expect(panel.getByRole('button', { name: 'Show Any CT (your default)' })).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(panel).toHaveCount(0);
    await expect(views).toBeFocused();

    // With no filters in the address, the worklist opens with the default view: filters and folded group.
    await page.goto('/');
    await expect(page).toHaveURL(/[?&]modality=CT(&|$)/);
    await expect(page).not.toHaveURL(/[?&]view=/);
    await expect(page.getByLabel('Modality')).toHaveValue('CT');
    await expect(page.getByLabel('Viewer status')).toHaveValue('any');
    await expect(groupHeader(page, 'STAT')).toHaveAttribute('aria-expanded', 'false');
    await page.reload();
    await expect(page.getByLabel('Modality')).toHaveValue('CT');

    // Another person has none of it, and their worklist opens as usual.
    await openWorklist(other);
    await expect(other.getByLabel('Modality')).toHaveValue('');
    await other.getByRole('button', { name: 'Views', exact: true }).click();
    await expect(other.getByRole('group', { name: 'Your saved views' }).getByText('No saved views yet.')).toBeVisible();
  } finally {
    await deleteAllViews(page);
    await page.context().close();
    await other.context().close();
  }
});

test('views can be applied, updated, renamed and deleted from the menu', async ({ browser }) => {
  test.setTimeout(90_000);
  const page = await newSignedInPage(browser, 'coordinator', 1);
  try {
    await deleteAllViews(page);
    const created = await page.request.post('/api/views', {
      headers: CSRF,
      data: { name: 'STAT only', filters: 'groups=stat&assignee=anyone' },
    });
    expect(created.status()).toBe(201);
    await openWorklist(page, '?assignee=anyone');
    await page.getByRole('button', { name: 'Views', exact: true }).click();
    const panel = page.getByRole('group', { name: 'Your saved views' });
    await expect(panel.getByRole('button', { name: 'Show STAT only' })).toBeVisible();
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: screenshotPath('views-menu-dark.png') });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.screenshot({ path: screenshotPath('views-menu-light.png') });
    expect(await seriousViolations(page)).toEqual([]);
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await seriousViolations(page)).toEqual([]);

    await panel.getByRole('button', { name: 'Rename STAT only' }).click();
    await page.getByLabel('New name for STAT only').fill('Only STAT');
    await page.getByLabel('New name for STAT only').press('Enter');
    await expect(panel.getByRole('status')).toHaveText('Renamed to “Only STAT”.');
    await panel.getByRole('button', { name: 'Show Only STAT' }).click();
    await expect(page).toHaveURL(/[?&]groups=stat(&|$)/);
    await expect(page.locator('[data-group="high"]')).toHaveCount(0);

    await page.getByRole('button', { name: 'Views', exact: true }).click();
    await panel.getByRole('button', { name: 'Delete Only STAT' }).click();
    await panel.getByRole('group', { name: 'Delete Only STAT?' }).getByRole('button', { name: 'Delete' }).click();
    await expect(panel.getByText('No saved views yet.')).toBeVisible();
  } finally {
    await deleteAllViews(page);
    await page.context().close();
  }
});

test('Copy link copies the worklist’s address by keyboard, and shows it to copy by hand when the clipboard is refused', async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(60_000);
  const context = await browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
  const page = await context.newPage();
  try {
    await signInAsNth(page, 'coordinator', 1);
    await openWorklist(page, '?modality=MR&assignee=anyone');
    await page.getByRole('button', { name: 'Copy link' }).focus();
    await page.keyboard.press('Enter');
    await expect(page.getByText('Link copied: it opens this list with these filters.')).toBeVisible();
    await page.screenshot({
      path: screenshotPath('copy-link-dark.png'),
      clip: { x: 0, y: 0, width: 1440, height: 200 },
    });
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`${baseURL}/?modality=MR&assignee=anyone`);

    // A browser that refuses the clipboard: the link is shown, selected, to copy by hand.
    await page.evaluate(() => {
      Object.defineProperty(navigator, 'clipboard', {
        value: { writeText: () => Promise.reject(new DOMException('denied', 'NotAllowedError')) },
      });
    });
    await page.getByRole('button', { name: 'Copy link' }).press('Enter');
    const byHand = page.getByRole('group', { name: 'Copy the link by hand' });
    await expect(byHand.getByRole('textbox')).toHaveValue(`${baseURL}/?modality=MR&assignee=anyone`);
    await expect(byHand.getByRole('textbox')).toBeFocused();
    await page.emulateMedia({ colorScheme: 'light' });
    await page.screenshot({
      path: screenshotPath('copy-link-by-hand-light.png'),
      clip: { x: 0, y: 0, width: 1440, height: 260 },
    });
    expect(await seriousViolations(page)).toEqual([]);
    await byHand.getByRole('button', { name: 'Done' }).click();
    await expect(byHand).toHaveCount(0);
  } finally {
    await context.close();
  }
});

test('embedded, the views menu and Copy link are there and accessible', async ({ browser }) => {
  test.setTimeout(90_000);
  const page = await newSignedInPage(browser, 'coordinator', 1);
  try {
    await page.setViewportSize({ width: 1024, height: 700 });
    await openWorklist(page, '?embed=1&assignee=anyone');
    await page.getByRole('button', { name: 'Views', exact: true }).click();
    await expect(
      page
        .getByRole('group', { name: 'Your saved views' })
        .getByText('Save the current filters, columns and groups as'),
    ).toBeVisible();
    await page.screenshot({ path: screenshotPath('views-menu-embedded.png') });
    expect(await seriousViolations(page)).toEqual([]);
  } finally {
    await page.context().close();
  }
});

test('saved views survive a restart of the server', async ({ browser }) => {
  test.setTimeout(120_000);
  const dataDir = mkdtempSync(join(tmpdir(), 'radiology-worklist-e2e-views-'));
  // This spec's own server, on the port after the shared one.
  const port = Number(process.env.E2E_PORT ?? 8181) + 1;
  const bff = await startRestartableBff(
    {
      DATA_DIR: dataDir,
      DEMO_STUDIES: '40',
      DEMO_ARRIVALS_SECONDS: '0',
      AUDIT_LOG: join(dataDir, 'audit.log'),
      LOG_LEVEL: 'warn',
    },
    { port },
  );
  const page = await newSignedInPage(browser, 'radiologist', 0, bff.url);
  try {
    const created = await page.request.post('/api/views', {
      headers: CSRF,
      data: { name: 'Read ones', filters: 'status=complete&assignee=anyone', isDefault: true },
    });
    expect(created.status()).toBe(201);
    await bff.restart();
    await page.goto('/');
    await expect(page).toHaveURL(/[?&]status=complete(&|$)/);
    await expect(page.getByLabel('Viewer status')).toHaveValue('complete');
    await page.getByRole('button', { name: 'Views', exact: true }).click();
    await expect(page.getByRole('button', { name: 'Show Read ones (your default)' })).toBeVisible();
  } finally {
    await page.context().close();
    await bff.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
