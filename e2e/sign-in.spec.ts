import { expect, test } from '@playwright/test';

test('a visitor is asked to sign in, picks a demo user, and lands where they were going', async ({ page }) => {
  await page.goto('/?from=link');
  await expect(page).toHaveURL(/\/sign-in\?returnTo=/);
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();

  await page.getByRole('heading', { name: 'Radiologists' }).locator('xpath=..').getByRole('button').first().click();
  await expect(page).toHaveURL(/\/\?from=link(&|$)/);
  await expect(page.getByRole('banner')).toContainText(/radiologist/i);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  // The session is over on the server too.
  const me = await page.request.get('/api/me', { headers: { 'x-csrf': '1' } });
  expect(me.status()).toBe(401);
});
