import { expect, test, type Locator, type Page } from '@playwright/test';
import { signInAs } from './support/sign-in.ts';
import { openWorklist, studyRows } from './support/worklist.ts';
import { screenshotPath } from './support/screenshots.ts';
import { seriousViolations } from './support/axe.ts';

/*
 * The keyboard: action keys, the ? overlay, keys never taken from fields, and where focus goes. Every
 * step here is a key press; `focus()` stands in only where a test needs a particular field focused.
 */

const CSRF = { 'x-csrf': '1' };

function drawerOf(page: Page): Locator {
  return page.getByRole('complementary', { name: 'Study' });
}

/** Presses Tab until the focused element matches, as a keyboard user would look for it. */
async function tabTo(page: Page, matches: (element: Element) => boolean, limit = 60): Promise<void> {
  for (let step = 0; step < limit; step += 1) {
    await page.keyboard.press('Tab');
    const active = await page.evaluateHandle(() => document.activeElement ?? document.body);
    if (await active.evaluate(matches)) return;
  }
  throw new Error('Tab never reached the element');
}

test('keyboard only: a radiologist signs in, takes the next study into the viewer, marks it read, and takes the next', async ({
  page,
  context,
}) => {
  test.setTimeout(90_000);
  await page.goto('/sign-in');
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  // The first radiologist of the demo roster, reached with Tab and chosen with Enter.
  await tabTo(
    page,
    (element) =>
      element.tagName === 'BUTTON' && element.closest('ul')?.previousElementSibling?.textContent === 'Radiologists',
  );
  await page.keyboard.press('Enter');
  await expect(page.getByRole('grid', { name: 'Worklist' })).toBeVisible();
  await expect(page.getByRole('banner')).toContainText(/radiologist/i);
  const next = page.getByRole('button', { name: 'Next study' });
  await expect(next.first()).toBeVisible();

  const firstViewer = context.waitForEvent('page');
  await page.keyboard.press('n');
  const viewer = await firstViewer;
  await expect.poll(() => viewer.url()).not.toBe('about:blank');
  expect(await viewer.evaluate(() => window.opener)).toBeNull();
  const drawer = drawerOf(page);
  await expect(page).toHaveURL(/\/studies\/[^/?]+/);
  const firstId = new URL(page.url()).pathname.split('/').at(-1);
  await expect(drawer.getByRole('button', { name: 'Mark read' })).toBeVisible();

  await page.keyboard.press('m');
  await expect(drawer.getByRole('status').filter({ hasText: 'Mark read: done.' })).toBeVisible();
  // Next study is one key away: focused in the drawer.
  const drawerNext = drawer.getByRole('button', { name: 'Next study' });
  await expect(drawerNext).toBeFocused();

  const secondViewer = context.waitForEvent('page');
  await page.keyboard.press('Enter');
  await secondViewer;
  await expect.poll(() => new URL(page.url()).pathname.split('/').at(-1)).not.toBe(firstId);
  await expect(drawer.getByRole('button', { name: 'Mark read' })).toBeVisible();
});

test('Next study says when nothing waits, and names the study held at the lease limit', async ({ page }) => {
  await signInAs(page, 'radiologist');
  await openWorklist(page);
  await page.route('**/api/reading/next', (route) =>
    route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ study: null }) }),
  );
  await expect(page.getByRole('button', { name: 'Next study' })).toBeVisible();
  await page.keyboard.press('n');
  await expect(page.getByRole('status').filter({ hasText: 'Nothing is waiting for you.' })).toBeVisible();
  await expect(page).toHaveURL(/\/(\?.*)?$/);

  await page.unroute('**/api/reading/next');
  await page.route('**/api/reading/next', (route) =>
    route.fulfill({
      status: 409,
      contentType: 'application/problem+json',
      body: JSON.stringify({
        type: '/problems/reading-limit',
        title: 'Reading limit reached',
        status: 409,
        detail: 'You are reading std_held already: mark it read or release it first.',
        leases: [
          {
            studyId: 'std_held',
            subject: 'x',
            name: 'x',
            takenAt: new Date().toISOString(),
            expiresAt: new Date().toISOString(),
          },
        ],
      }),
    }),
  );
  await page.keyboard.press('n');
  const alert = page.getByRole('alert').filter({ hasText: 'You are reading std_held already' });
  await expect(alert).toBeVisible();
  await expect(alert.getByRole('link', { name: 'Open std_held' })).toHaveAttribute('href', /\/studies\/std_held/);
});

test('a shortcut pressed while the page is still loading is carried out once the app is ready', async ({ page }) => {
  await signInAs(page, 'radiologist');
  await page.route('**/api/reading/next', (route) =>
    route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ study: null }) }),
  );
  // The app's code is held back: the page shows the server's first screen, and nothing of the app runs.
  let release = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.route(/\/assets\/boot-[^/]+\.js$/, async (route) => {
    await released;
    await route.continue();
  });
  await page.goto('/');
  await expect(page.locator('[data-first-screen] [data-study-row]').first()).toBeVisible();
  const asked = page.waitForRequest('**/api/reading/next');
  await page.keyboard.press('n');
  release();
  await asked;
  await expect(page.getByRole('status').filter({ hasText: 'Nothing is waiting for you.' })).toBeVisible();
});

for (const theme of ['dark', 'light'] as const) {
  test(`? lists every shortcut in a dialog (${theme} theme): focus stays in it, Esc closes it and focus returns`, async ({
    page,
  }) => {
    test.setTimeout(90_000);
    await page.emulateMedia({ colorScheme: theme });
    await signInAs(page, 'radiologist');
    await openWorklist(page);
    await expect(page.getByRole('button', { name: 'Next study' })).toBeVisible();
    await page.keyboard.press('j');
    const row = page.locator('[data-study-row][aria-selected="true"]');
    await expect(row).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(drawerOf(page).getByRole('button', { name: 'Open in Viewer' })).toBeVisible();

    await page.keyboard.press('?');
    const overlay = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await expect(overlay).toBeVisible();
    for (const label of [
      'Next study',
      'Open in Viewer',
      'Mark read',
      'Assign to me (claim)',
      'Release the reading lease',
      'Edit',
      'Next row',
      'Previous row',
      'Open the study',
      'Search',
      'Show keyboard shortcuts',
    ]) {
      // Listed whether or not it can be used on this study ("not available now" after it).
      await expect(
        overlay.locator('dt').filter({ hasText: new RegExp(`^${label.replace(/[()]/g, '\\$&')}`) }),
      ).toBeVisible();
    }
    await page.screenshot({ path: screenshotPath(`shortcut-overlay-${theme}.png`) });
    expect(await seriousViolations(page, 'dialog')).toEqual([]);
    for (let step = 0; step < 4; step += 1) {
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.closest('dialog') !== null)).toBe(true);
    }
    // Keys do nothing behind the dialog.
    await page.keyboard.press('j');
    await page.keyboard.press('Escape');
    await expect(overlay).toHaveCount(0);
    await expect(drawerOf(page)).toBeVisible();
    expect(await page.evaluate(() => document.activeElement?.closest('[data-study-drawer]') !== null)).toBe(true);
  });
}

test('keys typed in the assignee select or the search field stay there: the list does not move, nothing is taken', async ({
  page,
}) => {
  await signInAs(page, 'radiologist');
  await openWorklist(page, '?assignee=any');
  let nextRequests = 0;
  page.on('request', (request) => {
    if (request.url().endsWith('/api/reading/next')) nextRequests += 1;
  });
  const select = page.getByRole('combobox', { name: 'Assignee' });
  await select.focus();
  for (const key of ['j', 'k', 'n', 'm', 'a', 'e', 'v', 'l', '?', '/']) await page.keyboard.press(key);
  await expect(select).toBeFocused();
  await expect(page.locator('[data-study-row][aria-selected="true"]')).toHaveCount(0);
  await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toHaveCount(0);

  const search = page
    .getByRole('searchbox')
    .or(page.getByRole('textbox', { name: /search/i }))
    .first();
  await search.focus();
  await page.keyboard.type('jknm?');
  await expect(search).toBeFocused();
  await expect(search).toHaveValue('jknm?');
  await expect(page.locator('[data-study-row][aria-selected="true"]')).toHaveCount(0);
  expect(nextRequests).toBe(0);
});

test('focus after Assign to me, Mark read and Edit lands on the next thing to do, and Tab stays in the drawer', async ({
  page,
}) => {
  test.setTimeout(90_000);
  await signInAs(page, 'coordinator');
  const created = await page.request.post('/api/studies', {
    headers: CSRF,
    data: {
      severity: 'high',
      studyDescription: 'CT Abdomen (keyboard focus)',
      studyInstanceUid: `1.2.826.0.1.3680043.10.${Date.now()}.${process.pid}.77`,
    },
  });
  expect(created.status()).toBe(201);
  const study: { studyId: string; studyDescription: string } = await created.json();
  await signInAs(page, 'radiologist');
  await page.goto(`/studies/${study.studyId}`);
  const drawer = drawerOf(page);
  await expect(drawer.getByRole('heading', { level: 2 })).toHaveText(study.studyDescription);

  // Tab and Shift+Tab go round the drawer's controls, never out of it.
  for (const key of ['Tab', 'Shift+Tab']) {
    for (let step = 0; step < 30; step += 1) {
      await page.keyboard.press(key);
      expect(
        await page.evaluate(() => document.activeElement?.closest('[data-study-drawer]') !== null),
        `${key} #${step}`,
      ).toBe(true);
    }
  }

  await page.keyboard.press('a');
  await expect(drawer.getByRole('status').filter({ hasText: 'Assign to me: done.' })).toBeVisible();
  await expect(drawer.getByRole('button', { name: 'Mark read' })).toBeFocused();

  await page.keyboard.press('m');
  await expect(drawer.getByRole('status').filter({ hasText: 'Mark read: done.' })).toBeVisible();
  await expect(drawer.getByRole('button', { name: 'Next study' })).toBeFocused();

  await page.keyboard.press('e');
  const form = drawer.getByRole('form', { name: 'Edit study' });
  await expect(form).toBeVisible();
  const firstField = form.locator('input:not([disabled]),select:not([disabled]),textarea:not([disabled])').first();
  await expect(firstField).toBeFocused();
  await tabTo(page, (element) => element.tagName === 'BUTTON' && element.textContent?.trim() === 'Cancel');
  await page.keyboard.press('Enter');
  await expect(drawer.getByRole('button', { name: 'Edit' })).toBeFocused();

  // Esc closes the drawer; focus goes to the page, not lost.
  await page.keyboard.press('Escape');
  await expect(drawer).toHaveCount(0);
  expect(await page.evaluate(() => document.activeElement !== document.body)).toBe(true);
});

test('resize handles are not Tab stops; a focused column header takes the arrow keys', async ({ page }) => {
  await signInAs(page, 'coordinator');
  await openWorklist(page);
  await expect(page.locator('[data-resize-handle][tabindex]')).toHaveCount(0);
  await page.getByRole('combobox', { name: 'Assignee' }).focus();
  for (let step = 0; step < 25; step += 1) {
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.hasAttribute('data-resize-handle') === true)).toBe(false);
  }
  const header = page.getByRole('columnheader', { name: 'Assignee' });
  await header.focus();
  const grid = page.getByRole('grid', { name: 'Worklist' });
  const width = () =>
    grid.evaluate((element) => Number.parseInt((element as HTMLElement).style.getPropertyValue('--col-assignee'), 10));
  const before = await width();
  await page.keyboard.press('Shift+ArrowRight');
  await expect.poll(width).toBe(before + 64);
  await expect(header).toBeFocused();
  await page.keyboard.press('ArrowLeft');
  await expect.poll(width).toBe(before + 48);
  await expect(
    page.getByRole('status').filter({ hasText: `Assignee column ${before + 48} pixels wide` }),
  ).toBeAttached();
  await expect(studyRows(page).first()).toBeVisible();
});
