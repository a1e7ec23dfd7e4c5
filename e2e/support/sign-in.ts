import { expect, type Page } from '@playwright/test';

export type DemoRole = 'coordinator' | 'radiologist';

interface DemoUser {
  username: string;
  name: string;
  role: DemoRole;
}

/**
 * Signs the page's browser context in as the first demo user with the role, the way the sign-in
 * page does (POST /auth/login with the anti-forgery header); answers who that is.
 */
export async function signInAs(page: Page, role: DemoRole): Promise<DemoUser> {
  const config = await page.request.get('/auth/config');
  expect(config.ok()).toBe(true);
  const body: { demoUsers?: DemoUser[] } = await config.json();
  const user = body.demoUsers?.find((candidate) => candidate.role === role);
  if (!user) throw new Error(`The demo roster has no ${role}`);
  const response = await page.request.post('/auth/login', {
    headers: { 'x-csrf': '1' },
    data: { username: user.username },
  });
  expect(response.status()).toBe(200);
  return user;
}
