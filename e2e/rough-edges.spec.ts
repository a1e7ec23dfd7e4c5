import { AxeBuilder } from '@axe-core/playwright';
import { expect, test, type APIRequestContext } from '@playwright/test';
import { signInAs } from './support/sign-in.ts';
import { openWorklist } from './support/worklist.ts';
import { screenshotPath } from './support/screenshots.ts';

/* The reading room's rough edges (issue 14, point 5), each checked and photographed. */

const CSRF = { 'x-csrf': '1' };

async function createStudy(request: APIRequestContext, studyDescription: string): Promise<{ studyId: string }> {
  const response = await request.post('/api/studies', {
    headers: CSRF,
    data: {
      severity: 'high',
      studyDescription,
      studyInstanceUid: `1.2.826.0.1.3680043.10.${Date.now()}.${process.pid}.77`,
    },
  });
  expect(response.status()).toBe(201);
  return response.json();
}

test('a long description is clamped in the drawer at 1280×720, its controls in view, the whole text on demand', async ({
  page,
}) => {
  await signInAs(page, 'coordinator');
  await page.setViewportSize({ width: 1280, height: 720 });
  const description =
    `MRI Brain with and without Contrast ${'including diffusion, perfusion and spectroscopy sequences for follow-up of a treated lesion, '.repeat(8)}`.slice(
      0,
      960,
    );
  const study = await createStudy(page.request, description);
  await page.goto(`/studies/${study.studyId}`);
  const drawer = page.getByRole('complementary', { name: 'Study' });
  const heading = drawer.getByRole('heading', { level: 2 });
  await expect(heading).toHaveText(description);
  const clamped = await heading.boundingBox();
  expect(clamped?.height ?? 0).toBeLessThan(100);
  await expect(drawer.getByRole('button', { name: 'Open in Viewer' })).toBeInViewport();
  await page.screenshot({ path: screenshotPath('drawer-long-description.png') });
  await drawer.getByRole('button', { name: 'Show the whole description' }).click();
  expect((await heading.boundingBox())?.height ?? 0).toBeGreaterThan(clamped?.height ?? 0);
  await expect(drawer.getByRole('button', { name: 'Show less of the description' })).toHaveAttribute(
    'aria-expanded',
    'true',
  );
});

test('embedded at 1024 px, the drawer leaves most of the list in view', async ({ page }) => {
  await signInAs(page, 'coordinator');
  await page.setViewportSize({ width: 1024, height: 700 });
  await openWorklist(page, '?embed=1');
  await page.locator('[data-study-row]').first().click();
  const drawer = page.getByRole('complementary', { name: 'Study' });
  await expect(drawer.getByRole('heading', { level: 2 })).toBeVisible();
  const box = await drawer.boundingBox();
  expect(box?.width ?? 1024).toBeLessThanOrEqual(1024 * 0.45);
  await page.screenshot({ path: screenshotPath('drawer-embedded-1024.png') });
});

test('the sign-in page lists people under their real role', async ({ page }) => {
  await page.goto('/sign-in');
  const radiologists = page.getByRole('heading', { name: 'Radiologists' }).locator('xpath=..');
  await expect(radiologists.getByRole('button', { name: /Eleanor .*Hughes/ })).toContainText(
    'Radiologist · reads, and manages the worklist',
  );
  await expect(
    page
      .getByRole('heading', { name: 'Coordinators' })
      .locator('xpath=..')
      .getByRole('button', { name: /Eleanor/ }),
  ).toHaveCount(0);
  await page.screenshot({ path: screenshotPath('sign-in-roles.png'), fullPage: true });
});

test('the create-study form has no placeholders that look like values, and its primary button is dim in the dark theme', async ({
  page,
}) => {
  await signInAs(page, 'coordinator');
  await page.emulateMedia({ colorScheme: 'dark' });
  await openWorklist(page);
  await page.getByRole('button', { name: 'New study' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByLabel('Study Instance UID')).toBeVisible();
  for (const label of ['Study Instance UID', 'Description']) {
    expect(await dialog.getByLabel(label, { exact: true }).getAttribute('placeholder')).toBeNull();
  }
  await expect(dialog.getByText(/for example 1\.2\.840/)).toBeVisible();
  await page.screenshot({ path: screenshotPath('create-study-dark.png') });
  // The filled primary button is not brighter than the text beside it.
  const fill = await page
    .getByRole('button', { name: 'New study', exact: true })
    .evaluate((element) => getComputedStyle(element).backgroundColor);
  expect(fill).toBe('rgb(45, 106, 156)');
});

test('a read study shows its time to read, not an alarm', async ({ page }) => {
  await signInAs(page, 'coordinator');
  await openWorklist(page, '?status=complete&groups=stat');
  const cell = page
    .locator('[data-study-row]')
    .first()
    .getByRole('gridcell', { name: /^Read in / });
  await expect(cell).toBeVisible();
  await expect(cell).not.toContainText('⚠');
  await page.screenshot({ path: screenshotPath('read-studies-time-to-read.png') });
});

test('at 1920 px the description takes the free width, and the UID and metadata columns are hidden by default', async ({
  page,
}) => {
  await signInAs(page, 'coordinator');
  await page.setViewportSize({ width: 1920, height: 1000 });
  await openWorklist(page);
  await expect(page.getByRole('columnheader', { name: 'Study Instance UID' })).toHaveCount(0);
  await expect(page.getByRole('columnheader', { name: 'Metadata' })).toHaveCount(0);
  const header = await page.getByRole('columnheader', { name: 'Description' }).boundingBox();
  const cell = await page.locator('[data-study-row]').first().getByRole('gridcell').nth(2).boundingBox();
  expect(header?.width ?? 0).toBeGreaterThan(500);
  // Rows line up with the header.
  expect(Math.abs((cell?.x ?? 0) - (header?.x ?? 0))).toBeLessThan(2);
  expect(Math.abs((cell?.width ?? 0) - (header?.width ?? 0))).toBeLessThan(2);
  await page.screenshot({ path: screenshotPath('worklist-1920.png') });
});

for (const theme of ['dark', 'light'] as const) {
  test(`in the ${theme} theme the alarm colour is kept for what is overdue, not for read or merely old studies`, async ({
    page,
  }) => {
    test.setTimeout(120_000);
    await signInAs(page, 'coordinator');
    await page.emulateMedia({ colorScheme: theme });
    const background = (locator: ReturnType<typeof page.locator>) =>
      locator.evaluate((element) => getComputedStyle(element).backgroundColor);
    const badgeOf = (row: ReturnType<typeof page.locator>) =>
      row.getByRole('gridcell', { name: 'STAT', exact: true }).locator('span').first();
    const serious = async () =>
      (await new AxeBuilder({ page }).analyze()).violations
        .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
        .map((violation) => violation.id);

    // Specs beside this one read the oldest STAT studies, so the overdue ones are taken from the
    // Overdue filter (any severity), and the unread STAT badge from the STAT group.
    await openWorklist(page, '?overdue=1&assignee=anyone');
    const overdue = page.getByRole('gridcell', { name: /over the .* target$/ }).first();
    await expect(overdue).toBeVisible();
    const overdueBackground = await background(overdue.locator('span').first());
    expect(overdueBackground).not.toBe('rgba(0, 0, 0, 0)');
    await page.screenshot({ path: screenshotPath(`alarm-colour-unread-${theme}.png`) });
    expect(await serious()).toEqual([]);
    await openWorklist(page, '?groups=stat&assignee=anyone');
    // Unread, within the target: no alarm, whatever its age.
    const within = page.getByRole('gridcell', { name: /^\d+ m(, nearing the .* target)?$/ }).first();
    await expect(within).toBeVisible();
    expect(await within.getByText(/over the/).count()).toBe(0);
    if (theme === 'dark') {
      // In the dark, the overdue pill is lighter than an unread STAT badge's tint: the alarm stands out.
      const luminance = (rgb: string) => {
        const [r = 0, g = 0, b = 0] = (rgb.match(/\d+/g) ?? []).map(Number);
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
      };
      const statBadge = badgeOf(page.locator('[data-study-row]').filter({ has: within }).first());
      expect(luminance(overdueBackground)).toBeGreaterThan(luminance(await background(statBadge)));
    }
    expect(await serious()).toEqual([]);

    // Read studies: the time to read, and a severity badge without its colour.
    await openWorklist(page, '?status=complete&groups=stat&assignee=anyone');
    const read = page.getByRole('gridcell', { name: /^Read in / }).first();
    await expect(read).toBeVisible();
    expect(await background(badgeOf(page.locator('[data-study-row]').first()))).toBe('rgba(0, 0, 0, 0)');
    await page.screenshot({ path: screenshotPath(`alarm-colour-read-${theme}.png`) });
    expect(await serious()).toEqual([]);
  });
}
