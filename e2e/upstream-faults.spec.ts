import { expect, test, type Page } from '@playwright/test';
import { signInAs } from './support/sign-in.ts';
import {
  blockWithGroupPage,
  editPageBlock,
  groupCount,
  openWorklist,
  queueButton,
  studyRows,
} from './support/worklist.ts';

/*
 * A bad answer for one severity group (a 200 that is not JSON, or not a page) fails that group
 * alone: its error and Retry show, the other groups keep their rows, and the page never goes white.
 * (The BFF turns such answers from Avara into a 502; this is the SPA's own check behind it.) The
 * group's first page comes with the worklist's page (decision record 044), so the bad answer is
 * there first: the app leaves the bad copy out (a block that is not JSON at all, entirely) and asks
 * `/api/studies`, whose answer is just as bad.
 */

const isHighList = (url: URL) => url.pathname === '/api/studies' && url.searchParams.get('severity') === 'high';

test.beforeEach(async ({ page }) => {
  await signInAs(page, 'coordinator');
});

function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

for (const [name, body] of [
  ['a 200 that is not JSON', '{"hasMore": tru'],
  ['a 200 that is JSON but not a page', JSON.stringify({ studies: [null, { studyId: 7 }], hasMore: 'yes' })],
] as const) {
  test(`${name} for one group shows that group's error and Retry, and the others render`, async ({ page }) => {
    const pageErrors = collectPageErrors(page);
    await page.route(isHighList, (route) => route.fulfill({ status: 200, contentType: 'application/json', body }));
    await editPageBlock(page, (block) => blockWithGroupPage(block, 'high', body));
    await openWorklist(page);

    // The app retries twice with backoff before it shows the error.
    await expect(groupCount(page, 'high')).toHaveText('⚠ Not loaded', { timeout: 15_000 });
    await queueButton(page, 'High').click();
    const alert = page.getByRole('alert').filter({ hasText: 'High studies could not be loaded' });
    await expect(alert).toContainText('The server sent an answer the worklist cannot read');
    const retry = alert.getByRole('button', { name: 'Retry High' });
    await expect(retry).toBeVisible();

    // Not a white page: the worklist is there, and the other groups have their rows.
    await expect(page.getByRole('heading', { name: 'Worklist', level: 1 })).toBeVisible();
    await expect(groupCount(page, 'stat')).toHaveText(/^\d/);
    await expect(groupCount(page, 'normal')).toHaveAttribute('data-loaded', /^[1-9]/);
    await queueButton(page, 'Normal').click();
    await expect(studyRows(page).first()).toBeVisible();
    await expect(page.locator('[data-group="normal"]')).toBeInViewport();

    // Once the answers are good again, Retry loads the group's rows.
    await page.unroute(isHighList);
    await queueButton(page, 'High').click();
    await retry.click();
    await expect(alert).toHaveCount(0);
    await expect(groupCount(page, 'high')).toHaveText(/^\d/);
    await expect(studyRows(page).filter({ hasText: 'High' }).first()).toBeVisible();
    expect(pageErrors).toEqual([]);
  });
}
