import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test as base, type APIRequestContext, type Page } from '@playwright/test';
import { startRestartableBff, type RestartableBff } from './support/restartable-bff.ts';
import { signInAs } from './support/sign-in.ts';
import { screenshotPath } from './support/screenshots.ts';

/*
 * An edit in progress outlives the server and the session: the spec runs a BFF of its own and
 * restarts it in the middle of an edit. Sessions live in the shared state, so a restart alone signs
 * nobody out and Save just works; when the session has also ended meanwhile (it expired, or was
 * ended elsewhere), Save meets a session that no longer exists, and the edit comes back after
 * signing in again.
 */

const test = base.extend<object, { bff: RestartableBff }>({
  bff: [
    async ({}, use) => {
      const dataDir = mkdtempSync(join(tmpdir(), 'radiology-worklist-e2e-drafts-'));
      const bff = await startRestartableBff({
        DATA_DIR: dataDir,
        DEMO_STUDIES: '40',
        AUDIT_LOG: join(dataDir, 'audit.log'),
        LOG_LEVEL: 'warn',
      });
      await use(bff);
      await bff.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
    { scope: 'worker', timeout: 60_000 },
  ],
  baseURL: async ({ bff }, use) => use(bff.url),
});

// Both tests restart the one server.
test.describe.configure({ mode: 'serial' });

const CSRF = { 'x-csrf': '1' };
let uidSequence = 0;

async function createStudy(request: APIRequestContext): Promise<{ studyId: string; studyDescription: string }> {
  uidSequence += 1;
  const response = await request.post('/api/studies', {
    headers: CSRF,
    data: {
      severity: 'high',
      studyDescription: 'MRI Lumbar Spine without Contrast',
      studyInstanceUid: `1.2.826.0.1.3680043.10.${Date.now()}.${uidSequence}`,
    },
  });
  expect(response.status()).toBe(201);
  return response.json();
}

async function coordinators(request: APIRequestContext): Promise<Array<{ username: string; name: string }>> {
  const body: { demoUsers?: Array<{ username: string; name: string; role: string }> } = await (
    await request.get('/auth/config')
  ).json();
  return (body.demoUsers ?? []).filter((user) => user.role === 'coordinator');
}

function keptDrafts(page: Page): Promise<number> {
  return page.evaluate(() => Object.keys(window.sessionStorage).filter((key) => key.startsWith('rw.draft:')).length);
}

/** Opens the study, starts editing its description, restarts the server, and (unless told not to) has the session end before Save. */
async function editThroughARestart(
  page: Page,
  bff: RestartableBff,
  study: { studyId: string; studyDescription: string },
  description: string,
  endSession = true,
) {
  // The page's clock is one the test can stop (it runs as usual until then).
  await page.clock.install();
  await page.goto(`/studies/${study.studyId}?assignee=anyone`);
  const drawer = page.getByRole('complementary', { name: 'Study' });
  await expect(drawer.getByRole('heading', { level: 2 })).toHaveText(study.studyDescription);
  await drawer.getByRole('button', { name: 'Edit' }).click();
  await drawer.getByRole('textbox', { name: 'Description' }).fill(description);

  // The person looks away while the server restarts: nothing in the tab runs meanwhile (its
  // heartbeat would otherwise notice the outage and ask for a sign-in by itself), so Save is the
  // first request to meet the ended session.
  await page.clock.pauseAt(Date.now() + 1_000);
  await bff.restart();
  // The session ends on the server (as when it expires), unknown to the tab.
  if (endSession) expect((await page.request.post('/auth/logout', { headers: CSRF })).status()).toBe(200);
  await page.clock.resume();
  if (!endSession) return;

  await drawer.getByRole('button', { name: 'Save changes' }).click();
  await expect(page).toHaveURL(new RegExp(`/sign-in\\?returnTo=${encodeURIComponent(`/studies/${study.studyId}`)}`));
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  expect(await keptDrafts(page)).toBe(1);
}

test('a restart of the server signs nobody out: the edit in progress saves as it is', async ({ page, bff }) => {
  await signInAs(page, 'coordinator');
  const study = await createStudy(page.request);
  const description = 'MRI Lumbar Spine, restarted meanwhile';
  await editThroughARestart(page, bff, study, description, false);
  const drawer = page.getByRole('complementary', { name: 'Study' });
  await drawer.getByRole('button', { name: 'Save changes' }).click();
  await expect(drawer.getByRole('status').filter({ hasText: 'Changes saved.' })).toBeVisible();
  await expect(drawer.getByRole('heading', { level: 2 })).toHaveText(description);
  await expect(page).not.toHaveURL(/sign-in/);
});

test('an edit survives the end of the session: signing in again brings back the study with the edit, and Save works', async ({
  page,
  bff,
}) => {
  const [me] = await coordinators(page.request);
  if (!me) throw new Error('The demo roster has no coordinator');
  await signInAs(page, 'coordinator');
  const study = await createStudy(page.request);
  const description = 'MRI Lumbar Spine with and without Contrast';
  await editThroughARestart(page, bff, study, description);

  await page.getByRole('button', { name: new RegExp(`^${me.name}`) }).click();
  await expect(page).toHaveURL(new RegExp(`/studies/${study.studyId}\\?assignee=anyone$`));
  const drawer = page.getByRole('complementary', { name: 'Study' });
  const notice = drawer.getByRole('status').filter({ hasText: 'Your unsaved changes were restored.' });
  await expect(notice).toBeVisible();
  await expect(notice.getByRole('button', { name: 'Discard changes' })).toBeVisible();
  await expect(drawer.getByRole('form', { name: 'Edit study' })).toBeVisible();
  await expect(drawer.getByRole('textbox', { name: 'Description' })).toHaveValue(description);
  await page.screenshot({ path: screenshotPath('drawer-restored.png') });

  const patch = page.waitForRequest((request) => request.method() === 'PATCH');
  await drawer.getByRole('button', { name: 'Save changes' }).click();
  await expect(drawer.getByRole('status').filter({ hasText: 'Changes saved.' })).toBeVisible();
  expect((await patch).postDataJSON()).toEqual({ studyDescription: description });
  await expect(drawer.getByRole('heading', { level: 2 })).toHaveText(description);
  await expect(notice).toHaveCount(0);
  expect(await keptDrafts(page)).toBe(0);
  const saved = await page.request.get(`/api/studies/${study.studyId}`, { headers: CSRF });
  expect((await saved.json()).studyDescription).toBe(description);
});

test('someone else signing in at the same tab never sees the edit, and it is removed', async ({ page, bff }) => {
  const people = await coordinators(page.request);
  const other = people[1];
  if (!other) throw new Error('The demo roster has fewer than two coordinators');
  await signInAs(page, 'coordinator');
  const study = await createStudy(page.request);
  await editThroughARestart(page, bff, study, 'MRI Lumbar Spine (not for the next person)');

  await page.getByRole('button', { name: new RegExp(`^${other.name}`) }).click();
  await expect(page).toHaveURL(new RegExp(`/studies/${study.studyId}`));
  const drawer = page.getByRole('complementary', { name: 'Study' });
  await expect(drawer.getByRole('heading', { level: 2 })).toHaveText(study.studyDescription);
  await expect(drawer.getByRole('button', { name: 'Edit' })).toBeVisible();
  await expect(drawer.getByText('Your unsaved changes were restored.')).toHaveCount(0);
  await expect.poll(() => keptDrafts(page)).toBe(0);
});
