import { expect, test } from '@playwright/test';
import { signInAs } from './support/sign-in.ts';
import { openWorklist } from './support/worklist.ts';
import { seriousViolations } from './support/axe.ts';
import { screenshotPath } from './support/screenshots.ts';

test.beforeEach(async ({ page }) => {
  await signInAs(page, 'coordinator');
});

for (const theme of ['dark', 'light'] as const) {
  test(`the worklist in the ${theme} theme has no serious accessibility violations`, async ({ page }) => {
    // A full axe scan of a dense page takes a while on a busy machine.
    test.setTimeout(120_000);
    await page.emulateMedia({ colorScheme: theme });
    await openWorklist(page);
    await expect(page.getByTestId('group-count-normal')).toHaveAttribute('data-loaded', /^[1-9]/);
    // No stored choice: the theme follows the system setting.
    await expect(page.locator('html')).not.toHaveAttribute('data-theme');
    await page.screenshot({ path: screenshotPath(`worklist-${theme}.png`) });
    expect(await seriousViolations(page)).toEqual([]);
  });

  test(`read, cancelled and focused rows in the ${theme} theme have no serious accessibility violations`, async ({
    page,
  }) => {
    test.setTimeout(120_000);
    await page.emulateMedia({ colorScheme: theme });
    await openWorklist(page, '?status=any&cancelled=1&groups=normal');
    await page.keyboard.press('j');
    await expect(page.locator('[data-study-row][aria-selected="true"]')).toHaveCount(1);
    expect(await seriousViolations(page)).toEqual([]);
  });
}

for (const theme of ['dark', 'light'] as const) {
  test(`a radiologist's first screen (mine and unassigned, theirs marked) in the ${theme} theme has no serious accessibility violations`, async ({
    page,
  }) => {
    test.setTimeout(120_000);
    await signInAs(page, 'radiologist');
    const headers = { 'x-csrf': '1' };
    const me = await (await page.request.get('/api/me', { headers })).json();
    const waiting = await (
      await page.request.get(
        '/api/studies?severity=stat&assignedTo=&studyViewerStatus=incomplete&isCancelled=false&limit=1',
        { headers },
      )
    ).json();
    const [study] = waiting.studies;
    if (study)
      await page.request.patch(`/api/studies/${study.studyId}`, {
        headers: { ...headers, 'if-match': `"${study.updatedAt}"` },
        data: { assignedTo: me.userId },
      });
    await page.emulateMedia({ colorScheme: theme });
    await openWorklist(page);
    await expect(page.getByLabel('Assignee', { exact: true })).toHaveValue('mine-or-unassigned');
    await expect(page.getByRole('gridcell', { name: /\(mine\)$/ }).first()).toBeVisible();
    await page.screenshot({ path: screenshotPath(`radiologist-first-screen-${theme}.png`) });
    expect(await seriousViolations(page)).toEqual([]);
  });
}

test('embedded mode shows a compact list without the app header', async ({ page }) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1200, height: 700 });
  await openWorklist(page, '?embed=1');
  await expect(page.getByRole('banner')).toHaveCount(0);
  await expect(page.getByRole('grid', { name: 'Worklist' })).toBeVisible();
  await expect(page.getByTestId('group-count-normal')).toHaveAttribute('data-loaded', /^[1-9]/);
  await page.screenshot({ path: screenshotPath('worklist-embedded.png') });
  expect(await seriousViolations(page)).toEqual([]);
});
