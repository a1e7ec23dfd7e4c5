import { expect, test } from '@playwright/test';
import { problemAnswer } from './support/problem.ts';
import { signInAs } from './support/sign-in.ts';

/*
 * Open in Viewer against the bundled server, whose signed launch links point at the app's own origin.
 * playwright.config.ts sets VIEWER_LINK_TTL_SECONDS to 10 so a link can be seen to expire.
 */

const CSRF = { 'x-csrf': '1' };

interface StudyBody {
  studyId: string;
  studyDescription: string;
  studyInstanceUid: string;
}

async function someStudy(request: import('@playwright/test').APIRequestContext): Promise<StudyBody> {
  const response = await request.get('/api/studies?limit=5&isCancelled=false&severity=high', { headers: CSRF });
  const study: StudyBody | undefined = (await response.json()).studies[3];
  if (!study) throw new Error('the demo data has no high-severity studies');
  return study;
}

test('Open in Viewer asks for a link at click time and opens it in a new tab without an opener', async ({
  page,
  context,
}) => {
  await signInAs(page, 'radiologist');
  const study = await someStudy(page.request);
  let linkRequests = 0;
  page.on('request', (request) => {
    if (request.url().endsWith(`/api/studies/${study.studyId}/viewer-url`)) linkRequests += 1;
  });

  await page.goto(`/studies/${study.studyId}`);
  const drawer = page.getByRole('complementary', { name: 'Study' });
  await expect(drawer.getByRole('heading', { level: 2 })).toHaveText(study.studyDescription);
  // Never prefetched: nothing is asked until the click.
  expect(linkRequests).toBe(0);

  const newTab = context.waitForEvent('page');
  await drawer.getByRole('button', { name: 'Open in Viewer' }).click();
  const viewer = await newTab;
  await viewer.waitForURL(new RegExp(`/launch/${study.studyId}\\?expires=\\d+&signature=[0-9a-f]{64}$`));
  await expect(viewer.getByRole('heading', { level: 1 })).toHaveText('The viewer would open this study');
  await expect(viewer.getByText(study.studyInstanceUid)).toBeVisible();
  await expect(viewer.getByText(study.studyDescription)).toBeVisible();
  expect(await viewer.evaluate(() => window.opener)).toBeNull();
  expect(linkRequests).toBe(1);

  // A second click asks for a fresh link: the short-lived URL is never cached.
  const secondTab = context.waitForEvent('page');
  await drawer.getByRole('button', { name: 'Open in Viewer' }).click();
  await (await secondTab).waitForURL(/\/launch\//);
  expect(linkRequests).toBe(2);
});

test('a failed link request closes the blank tab and says so', async ({ page, context }) => {
  await signInAs(page, 'radiologist');
  const study = await someStudy(page.request);
  await page.route(`**/api/studies/${study.studyId}/viewer-url`, (route) =>
    route.fulfill(
      problemAnswer({
        type: '/problems/upstream-failed',
        title: 'Avara could not complete the request',
        status: 502,
        detail: 'The viewer service failed.',
        retryable: true,
      }),
    ),
  );
  await page.goto(`/studies/${study.studyId}`);
  const drawer = page.getByRole('complementary', { name: 'Study' });
  const newTab = context.waitForEvent('page');
  await drawer.getByRole('button', { name: 'Open in Viewer' }).click();
  const blank = await newTab;
  await expect(drawer.getByRole('alert')).toHaveText(/The viewer could not be opened\. The viewer service failed\./);
  await expect.poll(() => blank.isClosed()).toBe(true);
});

test('a link to an origin off the allowlist is not opened', async ({ page, context }) => {
  await signInAs(page, 'radiologist');
  const study = await someStudy(page.request);
  await page.route(`**/api/studies/${study.studyId}/viewer-url`, (route) =>
    route.fulfill({
      status: 200,
      contentType: 'application/json',
      body: JSON.stringify({ url: 'https://evil.example/launch/x' }),
    }),
  );
  await page.goto(`/studies/${study.studyId}`);
  const drawer = page.getByRole('complementary', { name: 'Study' });
  const newTab = context.waitForEvent('page');
  await drawer.getByRole('button', { name: 'Open in Viewer' }).click();
  const blank = await newTab;
  await expect(drawer.getByRole('alert')).toContainText('not on the allowed list');
  await expect.poll(() => blank.isClosed()).toBe(true);
});

test('an expired or tampered launch link is refused with a clear 403 page', async ({ page }) => {
  test.slow();
  await signInAs(page, 'radiologist');
  const study = await someStudy(page.request);
  const response = await page.request.post(`/api/studies/${study.studyId}/viewer-url`, { headers: CSRF });
  const { url } = await response.json();

  const tampered = new URL(url);
  tampered.searchParams.set('expires', String(Number(tampered.searchParams.get('expires')) + 3600));
  const forged = await page.goto(tampered.toString());
  expect(forged?.status()).toBe(403);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('This viewer link has expired or is not valid.');

  // Valid now…
  const fresh = await page.goto(url);
  expect(fresh?.status()).toBe(200);
  // …and refused once its 10 seconds are over.
  const expires = Number(new URL(url).searchParams.get('expires')) * 1000;
  await page.waitForTimeout(Math.max(0, expires - Date.now()) + 1500);
  const expired = await page.goto(url);
  expect(expired?.status()).toBe(403);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('This viewer link has expired or is not valid.');
  await expect(page.getByText('Open the study again from the worklist.')).toBeVisible();
});
