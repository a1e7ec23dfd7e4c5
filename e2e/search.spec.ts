import type { Page } from '@playwright/test';
import { expect, test } from './support/pacs.ts';
import { signInAs } from './support/sign-in.ts';
import { studyRows } from './support/worklist.ts';
import { seriousViolations } from './support/axe.ts';
import { screenshotPath } from './support/screenshots.ts';

/*
 * The search box and the new filters (docs/decisions/032) against a real Orthanc and a BFF of its own
 * with ORTHANC_URL set (e2e/support/pacs.ts): three PACS studies beside a few demo studies.
 */

test.describe.configure({ mode: 'serial' });

const search = (page: Page) =>
  page.getByRole('searchbox', { name: 'Search patient, MRN, accession, UID or description' });

test('the search box finds a patient by name in any order, by MRN and by accession, on the server', async ({
  page,
  pacs,
}) => {
  await signInAs(page, 'coordinator');
  await page.goto('/?assignee=anyone&status=any');
  await expect(studyRows(page).first()).toBeVisible();
  const [amara, peter] = pacs.studies;
  if (!amara || !peter) throw new Error('the PACS fixture has too few studies');

  const asked = page.waitForRequest((request) => new URL(request.url()).searchParams.get('search') === 'amara nguyen');
  await search(page).fill('amara nguyen');
  await asked;
  await expect(page).toHaveURL(/[?&]q=amara\+nguyen/);
  await expect(studyRows(page)).toHaveCount(1);
  await expect(studyRows(page).first()).toContainText(amara.shownName);
  await page.screenshot({ path: screenshotPath('search.png') });

  await search(page).fill(peter.spec.patientId.toLowerCase());
  await expect(studyRows(page)).toHaveCount(1);
  await expect(studyRows(page).first()).toContainText(peter.shownName);
  await search(page).fill(amara.spec.accessionNumber);
  await expect(studyRows(page)).toHaveCount(1);
  await expect(studyRows(page).first()).toContainText(amara.shownName);

  // Back goes through the searches, newest first.
  await page.goBack();
  await expect(search(page)).toHaveValue(peter.spec.patientId.toLowerCase());
  await expect(studyRows(page).first()).toContainText(peter.shownName);
});

test('each new filter changes the address, and Back restores the one before', async ({ page }) => {
  // Every filter set and every Back is a new list: together more than the default 30 s on a busy two-core machine.
  test.setTimeout(90_000);
  await signInAs(page, 'coordinator');
  await page.goto('/?assignee=anyone&status=any');
  await expect(studyRows(page).first()).toBeVisible();

  await page.getByLabel('Modality').selectOption('CT');
  await expect(page).toHaveURL(/[?&]modality=CT/);
  await expect(studyRows(page).first()).toContainText('CT');
  await page.getByLabel('Study date').selectOption('7d');
  await expect(page).toHaveURL(/[?&]date=7d/);
  await page.getByLabel('Study date').selectOption('custom');
  await page.getByLabel('From').fill('2026-03-08');
  await expect(page).toHaveURL(/[?&]date=2026-03-08\.\./);
  await page.getByLabel('to', { exact: true }).fill('2026-03-09');
  await expect(page).toHaveURL(/[?&]date=2026-03-08\.\.2026-03-09/);
  await expect(studyRows(page)).toHaveCount(1);
  await page.getByLabel('Overdue').check();
  await expect(page).toHaveURL(/[?&]overdue=1/);

  await page.goBack();
  await expect(page.getByLabel('Overdue')).not.toBeChecked();
  await expect(page).not.toHaveURL(/overdue=/);
  await expect(studyRows(page)).toHaveCount(1);
  await page.goBack();
  await expect(page).toHaveURL(/[?&]date=2026-03-08\.\.(&|$)/);
  await expect(page.getByLabel('From')).toHaveValue('2026-03-08');
  await page.goBack();
  await expect(page).toHaveURL(/[?&]date=7d/);
  await expect(page.getByLabel('Study date')).toHaveValue('7d');
  await page.goBack();
  await expect(page).not.toHaveURL(/date=/);
  await expect(page.getByLabel('Study date')).toHaveValue('');
  await expect(page.getByLabel('Modality')).toHaveValue('CT');
  await page.goBack();
  await expect(page).not.toHaveURL(/modality=/);
  await expect(page.getByLabel('Modality')).toHaveValue('');
});

test('a shared link naming a customer shows the customer’s name, though no row on screen has it', async ({ page }) => {
  await signInAs(page, 'coordinator');
  const headers = { 'x-csrf': '1' };
  const listed: {
    studies: Array<{ expressCustomer?: { expressCustomerId: string; expressCustomerName: string } | null }>;
  } = await (await page.request.get('/api/studies?limit=100&severity=normal', { headers })).json();
  const customer = listed.studies.find((study) => study.expressCustomer)?.expressCustomer;
  if (!customer) throw new Error('the demo studies name no customer');
  // A search that finds nothing: the name cannot come from the rows.
  await page.goto(`/?assignee=anyone&customer=${customer.expressCustomerId}&q=no-such-study-anywhere`);
  await expect(page.getByText('No Normal studies match these filters.')).toBeVisible();
  const select = page.getByLabel('Customer');
  await expect(select.locator('option:checked')).toHaveText(customer.expressCustomerName);
  await expect(select).not.toContainText('cus_');
});

test('at 390 px wide the filters fold behind one button, and the search stays', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signInAs(page, 'coordinator');
  await page.goto('/?assignee=anyone');
  await expect(studyRows(page).first()).toBeVisible();
  await expect(search(page)).toBeVisible();
  await expect(page.getByLabel('Modality')).toBeHidden();
  const toggle = page.getByRole('button', { name: /^Filters/ });
  const filters = page.getByRole('search', { name: 'Filters' });
  expect((await filters.boundingBox())?.height ?? 999).toBeLessThan(90);
  await page.screenshot({ path: screenshotPath('filters-phone-folded.png') });
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
  await expect(page.getByLabel('Modality')).toBeVisible();
  await page.screenshot({ path: screenshotPath('filters-phone-open.png') });
  await toggle.click();
  await expect(page.getByLabel('Modality')).toBeHidden();
});

for (const theme of ['dark', 'light'] as const) {
  for (const embedded of [false, true]) {
    test(`the search and the new filters have no serious accessibility violations (${theme}${embedded ? ', embedded' : ''})`, async ({
      page,
    }) => {
      test.setTimeout(120_000);
      await page.emulateMedia({ colorScheme: theme });
      await signInAs(page, 'coordinator');
      await page.goto(
        `/?assignee=anyone&q=nguyen&modality=CT&date=2026-03-01..2026-03-31${embedded ? '&embed=1' : ''}`,
      );
      await expect(studyRows(page)).toHaveCount(1);
      await expect(page.getByLabel('From')).toHaveValue('2026-03-01');
      expect(await seriousViolations(page)).toEqual([]);
    });
  }
}
