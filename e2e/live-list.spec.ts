import { expect, test as base, type Browser, type BrowserContext, type Page } from '@playwright/test';
import type { RunningAvaraServer } from '../src/avara-server/create-avara-server.ts';
import type { Study } from '../src/contract/avara-types.ts';
import { withProxyStack, type RestartableBff } from './support/restartable-bff.ts';
import { screenshotPath } from './support/screenshots.ts';

/*
 * The list and the open drawer follow the live event stream: two browser contexts on one BFF, one
 * changing, the other watching, without reloads. The BFF is the spec's own (behind a sign-in proxy,
 * AUTH_MODE=proxy, as e2e/connection.spec.ts), so the spec can stop and start it.
 */

interface Stack {
  avara: RunningAvaraServer;
  bff: RestartableBff;
  watcherEmail: string;
  editorEmail: string;
}

const test = base.extend<object, { stack: Stack }>({
  stack: [
    async ({}, use) =>
      // Enough NORMAL studies for more than one page: a new one then lands past what is loaded.
      withProxyStack(
        { name: 'live', demoStudies: 300, env: { QUEUE_WATCH_INTERVAL_MS: '1000' } },
        async ({ avara, bff, coordinators }) => {
          const [watcher, editor] = coordinators;
          if (!watcher) throw new Error('The demo roster has no coordinator');
          await use({ avara, bff, watcherEmail: watcher.email, editorEmail: (editor ?? watcher).email });
        },
      ),
    { scope: 'worker', timeout: 90_000 },
  ],
  baseURL: async ({ stack }, use) => use(stack.bff.url),
  extraHTTPHeaders: async ({ stack }, use) => use({ 'x-forwarded-email': stack.watcherEmail }),
});

test.describe.configure({ mode: 'serial' });

/** The second person, in a browser context of their own. */
async function editorContext(browser: Browser, stack: Stack): Promise<BrowserContext> {
  return browser.newContext({
    baseURL: stack.bff.url,
    extraHTTPHeaders: { 'x-forwarded-email': stack.editorEmail, 'X-CSRF': '1' },
  });
}

async function createStudy(
  editor: BrowserContext,
  fields: { severity: Study['severity']; studyDescription: string },
): Promise<Study> {
  const response = await editor.request.post('/api/studies', {
    data: { ...fields, studyInstanceUid: `1.2.826.0.1.3680043.10.${Date.now()}.${Math.floor(Math.random() * 1e6)}` },
  });
  expect(response.status()).toBe(201);
  return response.json();
}

async function changeStudy(editor: BrowserContext, studyId: string, changes: Record<string, unknown>): Promise<Study> {
  const response = await editor.request.patch(`/api/studies/${studyId}`, {
    data: changes,
    headers: { 'If-Match': '*' },
  });
  expect(response.status()).toBe(200);
  return response.json();
}

function row(page: Page, studyId: string) {
  return page.locator(`[data-row-key="${studyId}"]`);
}

async function openWorklist(page: Page, search = '?assignee=anyone') {
  await page.goto(`/${search}`);
  await expect(page.getByRole('grid', { name: 'Worklist' })).toBeVisible();
  await expect(page.getByTestId('live-indicator')).toHaveAttribute('data-state', 'live');
}

test('a change made in one browser appears in the other’s list and open drawer without a reload', async ({
  page,
  browser,
  stack,
}) => {
  const editor = await editorContext(browser, stack);
  const study = await createStudy(editor, { severity: 'stat', studyDescription: 'CT Head, live change' });
  let loads = 0;
  page.on('load', () => (loads += 1));
  await openWorklist(page);
  await expect(row(page, study.studyId)).toContainText('CT Head, live change');
  await row(page, study.studyId).click();
  const drawer = page.getByRole('complementary', { name: 'Study' });
  await expect(drawer.getByRole('heading', { name: 'CT Head, live change' })).toBeVisible();

  await changeStudy(editor, study.studyId, { studyDescription: 'CT Head, changed elsewhere' });
  await expect(row(page, study.studyId)).toContainText('CT Head, changed elsewhere', { timeout: 3_000 });
  await expect(drawer.getByRole('heading', { name: 'CT Head, changed elsewhere' })).toBeVisible({ timeout: 3_000 });

  // Read elsewhere: it leaves the unread list, and the drawer says so.
  await changeStudy(editor, study.studyId, { studyViewerStatus: 'complete' });
  await expect(row(page, study.studyId)).toHaveCount(0, { timeout: 3_000 });
  await expect(drawer.getByText('Read', { exact: true })).toBeVisible();
  expect(loads).toBe(1);
  await editor.close();
});

test('a new study appears marked new in its place; one past the loaded pages is counted in its group header and one click shows it', async ({
  page,
  browser,
  stack,
}) => {
  const editor = await editorContext(browser, stack);
  await openWorklist(page);
  const stat = await createStudy(editor, { severity: 'stat', studyDescription: 'CT Chest, arrived live' });
  await expect(row(page, stat.studyId)).toBeVisible({ timeout: 3_000 });
  await expect(row(page, stat.studyId)).toHaveAttribute('data-new', '');
  await expect(row(page, stat.studyId).getByText('New', { exact: true })).toBeVisible();
  await page.screenshot({ path: screenshotPath('live-list-new.png') });
  await page.emulateMedia({ colorScheme: 'light' });
  await page.screenshot({ path: screenshotPath('live-list-new-light.png') });
  await page.emulateMedia({ colorScheme: 'dark' });

  await openWorklist(page, '?assignee=anyone&groups=normal');
  const normal = await createStudy(editor, { severity: 'normal', studyDescription: 'XR Hand, arrived live' });
  const showNew = page.getByRole('button', { name: 'Show 1 new Normal study' });
  await expect(showNew).toBeVisible({ timeout: 3_000 });
  await expect(showNew).toHaveText(/1 new/);
  await expect(row(page, normal.studyId)).toHaveCount(0);
  await page.screenshot({ path: screenshotPath('live-list-n-new.png') });
  await page.emulateMedia({ colorScheme: 'light' });
  await page.screenshot({ path: screenshotPath('live-list-n-new-light.png') });
  await page.emulateMedia({ colorScheme: 'dark' });
  await showNew.click();
  await expect(row(page, normal.studyId)).toBeInViewport({ timeout: 10_000 });
  await expect(row(page, normal.studyId)).toHaveAttribute('data-new', '');
  await expect(showNew).toHaveCount(0);
  await editor.close();
});

test('an edit in progress meets the conflict view as soon as someone else saves the study', async ({
  page,
  browser,
  stack,
}) => {
  const editor = await editorContext(browser, stack);
  const study = await createStudy(editor, { severity: 'stat', studyDescription: 'MR Knee, being edited' });
  await openWorklist(page, '?assignee=anyone&groups=stat');
  await row(page, study.studyId).click();
  const drawer = page.getByRole('complementary', { name: 'Study' });
  await drawer.getByRole('button', { name: 'Edit' }).click();
  const description = drawer.getByRole('textbox', { name: 'Description' });
  await description.fill('MR Knee, my wording');

  await changeStudy(editor, study.studyId, { severity: 'high' });
  const conflict = drawer.getByRole('region', { name: 'Someone else changed this study' });
  await expect(conflict).toBeVisible({ timeout: 3_000 });
  await expect(conflict).toContainText('Your changes are kept here');
  await expect(conflict.getByRole('row', { name: /Severity/ })).toContainText('High');
  await expect(conflict.getByRole('row', { name: /Description/ })).toContainText('MR Knee, my wording');
  // The list followed too: the study went to High, out of this STAT-only view.
  await expect(row(page, study.studyId)).toHaveCount(0);
  await page.screenshot({ path: screenshotPath('live-drawer-conflict.png') });
  await conflict.getByRole('button', { name: 'Reapply my changes' }).click();
  await expect(drawer.getByRole('heading', { name: 'MR Knee, my wording' })).toBeVisible();
  await expect(drawer.getByText('High', { exact: true }).first()).toBeVisible();
  await editor.close();
});

test('the connection indicator goes to reconnecting and offline when the BFF stops, and back to live when it starts', async ({
  page,
  stack,
}) => {
  test.setTimeout(90_000);
  await openWorklist(page);
  const indicator = page.getByTestId('live-indicator');
  await expect(indicator).toHaveText(/^Live/);
  await indicator.screenshot({ path: screenshotPath('live-indicator-live.png') });

  await stack.bff.stop();
  await expect(indicator).toHaveAttribute('data-state', /reconnecting|offline/, { timeout: 5_000 });
  if ((await indicator.getAttribute('data-state')) === 'reconnecting') {
    await expect(indicator).toHaveText(/Reconnecting…\s*· updated \d+ s ago/);
    await indicator.screenshot({ path: screenshotPath('live-indicator-reconnecting.png') });
  }
  await expect(indicator).toHaveAttribute('data-state', 'offline', { timeout: 15_000 });
  await expect(indicator).toHaveText(/Offline\s*· updated \d+ s ago/);
  await page.screenshot({ path: screenshotPath('live-list-offline.png') });
  await page.emulateMedia({ colorScheme: 'light' });
  await page.screenshot({ path: screenshotPath('live-list-offline-light.png') });
  await page.emulateMedia({ colorScheme: 'dark' });

  await stack.bff.start();
  await expect(indicator).toHaveAttribute('data-state', 'live', { timeout: 40_000 });
  await expect(indicator).toHaveText(/^Live/);
});
