import { expect, test, type Page } from '@playwright/test';
import { signInAs } from './support/sign-in.ts';

/*
 * Creating a study from the worklist's "New study" button (NewStudyButton, which the app puts in
 * the worklist's toolbar for coordinators).
 */

const CSRF = { 'x-csrf': '1' };

async function openNewStudyForm(page: Page) {
  await page.goto('/');
  await expect(page.getByRole('grid', { name: 'Worklist' })).toBeVisible();
  await page.getByRole('button', { name: 'New study' }).click();
  return page.getByRole('dialog', { name: 'New study' });
}

test.beforeEach(async ({ page }) => {
  await signInAs(page, 'coordinator');
});

test('a coordinator creates a study and it opens in the drawer', async ({ page }) => {
  const dialog = await openNewStudyForm(page);
  const uid = `1.2.826.0.1.3680043.10.${Date.now()}.7`;
  await dialog.getByRole('combobox', { name: 'Severity' }).selectOption('high');
  await dialog.getByRole('textbox', { name: 'Description' }).fill('MRI Lumbar Spine without Contrast');
  const uidField = dialog.getByRole('textbox', { name: 'Study Instance UID' });
  await uidField.fill('1.2.0840');
  await expect(uidField).toHaveAccessibleDescription('No part of a UID may start with 0 (a lone 0 is fine).');
  await uidField.fill(uid);
  await dialog.getByRole('button', { name: 'Add pair' }).click();
  await dialog.getByRole('textbox', { name: 'Key 1' }).fill('referrer');
  await dialog.getByRole('textbox', { name: 'Value 1' }).fill('Dr. Okafor');
  await dialog.getByRole('button', { name: 'Create study' }).click();

  const drawer = page.getByRole('complementary', { name: 'Study' });
  await expect(drawer.getByRole('heading', { level: 2 })).toHaveText('MRI Lumbar Spine without Contrast');
  await expect(page).toHaveURL(/\/studies\/stu_[0-9a-f]{32}/);
  const byUid = await page.request.get(`/api/studies/by-uid/${uid}`, { headers: CSRF });
  expect(await byUid.json()).toMatchObject({ severity: 'high', metadata: { referrer: 'Dr. Okafor' } });
});

test('a duplicate UID gets a clear message with a link to the existing study', async ({ page }) => {
  const list = await page.request.get('/api/studies?limit=1', { headers: CSRF });
  const existing = (await list.json()).studies[0];
  const dialog = await openNewStudyForm(page);
  await dialog.getByRole('textbox', { name: 'Description' }).fill('XR Chest 2 Views PA/Lateral');
  await dialog.getByRole('textbox', { name: 'Study Instance UID' }).fill(existing.studyInstanceUid);
  await dialog.getByRole('button', { name: 'Create study' }).click();

  const alert = dialog.getByRole('alert');
  await expect(alert).toContainText('A study with this Study Instance UID already exists.');
  await alert.getByRole('link', { name: 'Open the existing study' }).click();
  await expect(page.getByRole('complementary', { name: 'Study' }).getByRole('heading', { level: 2 })).toHaveText(
    existing.studyDescription,
  );
});
