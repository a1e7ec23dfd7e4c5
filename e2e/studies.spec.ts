import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { signInAs } from './support/sign-in.ts';

const screenshotPath = fileURLToPath(new URL('../docs/screenshots/studies-shell.png', import.meta.url));

test.beforeEach(async ({ page }) => {
  await signInAs(page, 'coordinator');
});

test('the studies page lists demo studies and loads more on request', async ({ page }) => {
  await page.goto('/');

  await expect(page.getByRole('banner')).toContainText('Radiology Worklist');
  await expect(page.getByRole('heading', { level: 1, name: 'Studies' })).toBeVisible();

  const table = page.getByRole('table', { name: 'Studies' });
  // Header row plus one page of 50 studies.
  const rows = table.getByRole('row');
  await expect(rows).toHaveCount(51);
  await expect(page.getByRole('status').filter({ hasText: 'studies loaded' })).toHaveText(
    '50 studies loaded, more available',
  );

  // A real demo description (e.g. "CT Head without Contrast"), not a placeholder.
  const firstDescription = table.getByRole('row').nth(1).getByRole('cell').nth(1);
  await expect(firstDescription).toHaveText(/\b(XR|US|MRI|MRA|CTA?|NM|PET|Mammogram)\b/);

  await page.getByRole('button', { name: 'Load more' }).click();
  await expect(rows).toHaveCount(101);
  await expect(page.getByRole('status').filter({ hasText: 'studies loaded' })).toHaveText(
    '100 studies loaded, more available',
  );

  mkdirSync(dirname(screenshotPath), { recursive: true });
  await page.screenshot({ path: screenshotPath, fullPage: true });
});

test('an unknown address shows the not-found page with a way back', async ({ page }) => {
  await page.goto('/no/such/page');

  await expect(page.getByRole('heading', { level: 1, name: 'Page not found' })).toBeVisible();
  await page.getByRole('link', { name: 'Back to the worklist' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Studies' })).toBeVisible();
});
