import { expect, test, type APIRequestContext, type Locator, type Page } from '@playwright/test';
import { problemAnswer } from './support/problem.ts';
import { signInAs } from './support/sign-in.ts';
import { screenshotPath } from './support/screenshots.ts';

/*
 * The study drawer against the real BFF and bundled server. Each test makes its own study (through
 * the API, as a coordinator), so tests running side by side never edit the same one.
 */

interface StudyBody {
  studyId: string;
  studyInstanceUid: string;
  studyDescription: string;
  severity: string;
  updatedAt: string;
  assignedTo?: { userId: string; email: string } | null;
  metadata?: Record<string, string> | null;
  isCancelled: boolean;
  createdByUser?: unknown;
  expressCustomer?: unknown;
  org?: unknown;
}

const CSRF = { 'x-csrf': '1' };
let uidSequence = 0;

function uniqueUid(): string {
  uidSequence += 1;
  return `1.2.826.0.1.3680043.10.${Date.now()}.${process.pid}.${uidSequence}`;
}

async function createStudy(request: APIRequestContext, extra: Record<string, unknown> = {}): Promise<StudyBody> {
  const response = await request.post('/api/studies', {
    headers: CSRF,
    data: {
      severity: 'normal',
      studyDescription: 'CT Abdomen and Pelvis with Contrast',
      studyInstanceUid: uniqueUid(),
      ...extra,
    },
  });
  expect(response.status()).toBe(201);
  return response.json();
}

async function readStudy(request: APIRequestContext, studyId: string): Promise<StudyBody> {
  const response = await request.get(`/api/studies/${studyId}`, { headers: CSRF });
  expect(response.ok()).toBe(true);
  return response.json();
}

async function roster(
  request: APIRequestContext,
): Promise<Array<{ userId: string; email: string; firstName: string; lastName: string }>> {
  const response = await request.get('/api/users', { headers: CSRF });
  return (await response.json()).users;
}

function drawerOf(page: Page): Locator {
  return page.getByRole('complementary', { name: 'Study' });
}

/** The value shown next to a label in the drawer's details. */
function field(drawer: Locator, label: string): Locator {
  return drawer.locator(`xpath=.//dt[normalize-space()="${label}"]/following-sibling::dd[1]`);
}

async function openStudy(page: Page, study: StudyBody, search = ''): Promise<Locator> {
  await page.goto(`/studies/${study.studyId}${search}`);
  const drawer = drawerOf(page);
  await expect(drawer.getByRole('heading', { level: 2 })).toHaveText(study.studyDescription);
  return drawer;
}

test.describe('as a coordinator', () => {
  test.beforeEach(async ({ page }) => {
    await signInAs(page, 'coordinator');
  });

  test('shows every field of a study beside the worklist', async ({ page }) => {
    // A demo study with everything filled in: assignee, customer, creator, metadata.
    const page1 = await page.request.get('/api/studies?limit=100&isCancelled=false&studyViewerStatus=incomplete', {
      headers: CSRF,
    });
    const studies: StudyBody[] = (await page1.json()).studies;
    const study =
      studies.find(
        (candidate) =>
          candidate.assignedTo &&
          candidate.expressCustomer &&
          candidate.org &&
          Object.keys(candidate.metadata ?? {}).length >= 2,
      ) ??
      studies.find((candidate) => candidate.assignedTo) ??
      studies[0];
    if (!study) throw new Error('the demo data has no studies');

    await page.goto('/');
    await expect(page.getByRole('grid', { name: 'Worklist' })).toBeVisible();
    const drawer = await openStudy(page, study);
    await expect(field(drawer, 'Study Instance UID')).toContainText(study.studyInstanceUid);
    await expect(field(drawer, 'Assignee')).toContainText(study.assignedTo?.email ?? 'Unassigned');
    await expect(field(drawer, 'Created').locator('time')).toHaveAttribute('title', /\d{4}/);
    await expect(field(drawer, 'Created by')).not.toBeEmpty();
    await expect(drawer.getByRole('heading', { name: 'Metadata' })).toBeVisible();
    // The worklist stays on screen beside the drawer.
    await expect(page.getByRole('grid', { name: 'Worklist' })).toBeVisible();
    await page.screenshot({ path: screenshotPath('drawer-view.png') });
  });

  test('each edit persists across a reload', async ({ page }) => {
    const study = await createStudy(page.request, { metadata: { priorStudy: 'none' } });
    const people = await roster(page.request);
    const person = people.find((candidate) => candidate.lastName.length > 2);
    if (!person) throw new Error('the roster is empty');

    const drawer = await openStudy(page, study);
    await drawer.getByRole('button', { name: 'Edit' }).click();
    await drawer.getByRole('textbox', { name: 'Description' }).fill('CT Abdomen and Pelvis with and without Contrast');
    await drawer.getByRole('combobox', { name: 'Severity' }).selectOption('high');
    await drawer.getByRole('combobox', { name: 'Viewer status' }).selectOption('complete');
    await drawer.getByRole('combobox', { name: 'Find a person to assign' }).fill(person.lastName);
    await drawer.getByRole('option', { name: new RegExp(person.email.replace(/[.+]/g, '\\$&')) }).click();
    await drawer.getByRole('textbox', { name: 'Value 1' }).fill('CT 2025-11-02');
    await drawer.getByRole('button', { name: 'Add pair' }).click();
    await drawer.getByRole('textbox', { name: 'Key 2' }).fill('contrast');
    await drawer.getByRole('textbox', { name: 'Value 2' }).fill('iodinated, 100 mL');
    await page.screenshot({ path: screenshotPath('drawer-edit.png') });

    const patch = page.waitForRequest((request) => request.method() === 'PATCH');
    await drawer.getByRole('button', { name: 'Save changes' }).click();
    await expect(drawer.getByRole('status').filter({ hasText: 'Changes saved.' })).toBeVisible();
    // Only what changed, against the version edited.
    const sent = await patch;
    expect(sent.headers()['if-match']).toBe(`"${study.updatedAt}"`);
    expect(sent.postDataJSON()).toEqual({
      studyDescription: 'CT Abdomen and Pelvis with and without Contrast',
      severity: 'high',
      studyViewerStatus: 'complete',
      assignedTo: person.userId,
      metadata: { priorStudy: 'CT 2025-11-02', contrast: 'iodinated, 100 mL' },
    });

    await page.reload();
    await expect(drawer.getByRole('heading', { level: 2 })).toHaveText(
      'CT Abdomen and Pelvis with and without Contrast',
    );
    await expect(field(drawer, 'Severity')).toHaveText(/High/);
    await expect(field(drawer, 'Viewer status')).toHaveText(/Read/);
    await expect(field(drawer, 'Assignee')).toContainText(person.email);
    await expect(drawer.locator('dt', { hasText: 'contrast' }).locator('xpath=following-sibling::dd[1]')).toHaveText(
      'iodinated, 100 mL',
    );
    await expect(drawer.locator('dt', { hasText: 'priorStudy' }).locator('xpath=following-sibling::dd[1]')).toHaveText(
      'CT 2025-11-02',
    );
  });

  test('unassign sends null and persists', async ({ page }) => {
    const people = await roster(page.request);
    const study = await createStudy(page.request, { assignedTo: people[0]?.userId });
    const drawer = await openStudy(page, study);
    await expect(field(drawer, 'Assignee')).toContainText(people[0]?.email ?? '');

    await drawer.getByRole('button', { name: 'Edit' }).click();
    await drawer.getByRole('button', { name: 'Unassign' }).click();
    const patch = page.waitForRequest((request) => request.method() === 'PATCH');
    await drawer.getByRole('button', { name: 'Save changes' }).click();
    expect((await patch).postDataJSON()).toEqual({ assignedTo: null });
    await expect(field(drawer, 'Assignee')).toHaveText('Unassigned');

    await page.reload();
    await expect(field(drawer, 'Assignee')).toHaveText('Unassigned');
    expect((await readStudy(page.request, study.studyId)).assignedTo ?? null).toBeNull();
  });

  test('metadata limits block saving with a message at the offending field', async ({ page }) => {
    const study = await createStudy(page.request);
    let patches = 0;
    page.on('request', (request) => {
      if (request.method() === 'PATCH') patches += 1;
    });
    const drawer = await openStudy(page, study);
    await drawer.getByRole('button', { name: 'Edit' }).click();
    await drawer.getByRole('button', { name: 'Add pair' }).click();
    const key = drawer.getByRole('textbox', { name: 'Key 1' });
    const value = drawer.getByRole('textbox', { name: 'Value 1' });
    await key.fill('k'.repeat(101));
    await expect(key).toHaveAttribute('aria-invalid', 'true');
    await expect(key).toHaveAccessibleDescription('Keys are at most 100 characters (this one has 101).');
    await value.fill('v'.repeat(1001));
    await expect(value).toHaveAccessibleDescription('Values are at most 1000 characters (this one has 1001).');

    await drawer.getByRole('button', { name: 'Save changes' }).click();
    await expect(drawer.getByRole('alert')).toHaveText('Fix the marked fields before saving.');
    await expect(key).toBeFocused();

    // A duplicate key is caught too, at the field.
    await key.fill('note');
    await value.fill('ok');
    await drawer.getByRole('button', { name: 'Add pair' }).click();
    await drawer.getByRole('textbox', { name: 'Key 2' }).fill('note');
    await expect(drawer.getByRole('textbox', { name: 'Key 2' })).toHaveAccessibleDescription(
      /"note" is used more than once/,
    );
    await drawer.getByRole('button', { name: 'Save changes' }).click();
    await expect(drawer.getByRole('alert')).toHaveText('Fix the marked fields before saving.');
    expect(patches).toBe(0);
  });

  test('a save the upstream fails once keeps the edits, and retrying succeeds', async ({ page }) => {
    const study = await createStudy(page.request);
    let failed = false;
    await page.route(`**/api/studies/${study.studyId}`, async (route) => {
      if (route.request().method() !== 'PATCH' || failed) return route.fallback();
      failed = true;
      return route.fulfill(
        problemAnswer({
          type: '/problems/upstream-failed',
          title: 'Avara could not complete the request',
          status: 502,
          detail: 'The study service answered with an error.',
          retryable: true,
        }),
      );
    });

    const drawer = await openStudy(page, study);
    await drawer.getByRole('button', { name: 'Edit' }).click();
    await drawer.getByRole('textbox', { name: 'Description' }).fill('CT Chest with Contrast');
    await drawer.getByRole('button', { name: 'Add pair' }).click();
    await drawer.getByRole('textbox', { name: 'Key 1' }).fill('reason');
    await drawer.getByRole('textbox', { name: 'Value 1' }).fill('follow-up nodule');
    await drawer.getByRole('button', { name: 'Save changes' }).click();

    const alert = drawer.getByRole('alert');
    await expect(alert).toContainText('Avara could not complete the request');
    await expect(alert).toContainText('Your edits are still here.');
    await expect(drawer.getByRole('textbox', { name: 'Description' })).toHaveValue('CT Chest with Contrast');
    await expect(drawer.getByRole('textbox', { name: 'Value 1' })).toHaveValue('follow-up nodule');

    await drawer.getByRole('button', { name: 'Save changes' }).click();
    await expect(drawer.getByRole('status').filter({ hasText: 'Changes saved.' })).toBeVisible();
    await page.reload();
    await expect(drawer.getByRole('heading', { level: 2 })).toHaveText('CT Chest with Contrast');
    expect((await readStudy(page.request, study.studyId)).metadata).toEqual({ reason: 'follow-up nodule' });
  });

  test('two people edit the same study: the second gets the conflict view, not an overwrite', async ({
    page,
    browser,
  }) => {
    const study = await createStudy(page.request, { metadata: { protocol: 'standard' } });
    const other = await browser.newContext({ colorScheme: 'dark', viewport: { width: 1440, height: 900 } });
    const otherPage = await other.newPage();
    await signInAs(otherPage, 'coordinator');

    const mine = await openStudy(page, study);
    const theirs = await openStudy(otherPage, study);
    await mine.getByRole('button', { name: 'Edit' }).click();
    await theirs.getByRole('button', { name: 'Edit' }).click();

    // I change the description and the protocol note, from the version I loaded.
    await mine.getByRole('textbox', { name: 'Description' }).fill('CT Abdomen and Pelvis, renal stone protocol');
    await mine.getByRole('textbox', { name: 'Value 1' }).fill('low dose');

    // They raise the severity and add a note, and save first.
    await theirs.getByRole('combobox', { name: 'Severity' }).selectOption('stat');
    await theirs.getByRole('button', { name: 'Add pair' }).click();
    await theirs.getByRole('textbox', { name: 'Key 2' }).fill('callback');
    await theirs.getByRole('textbox', { name: 'Value 2' }).fill('ED requests wet read');
    await theirs.getByRole('button', { name: 'Save changes' }).click();
    await expect(theirs.getByRole('status').filter({ hasText: 'Changes saved.' })).toBeVisible();

    // The live stream brings their save: my edit meets the conflict view at once, before I press Save.
    const conflict = mine.getByRole('region', { name: 'Someone else changed this study' });
    await expect(conflict).toBeVisible();
    await expect(conflict.getByRole('row', { name: /Severity/ })).toContainText('STAT');
    await expect(conflict.getByRole('row', { name: /Description/ })).toContainText('renal stone protocol');
    // Nothing of theirs was overwritten.
    const between = await readStudy(page.request, study.studyId);
    expect(between).toMatchObject({ severity: 'stat', studyDescription: study.studyDescription });
    await page.screenshot({ path: screenshotPath('drawer-conflict.png') });

    await conflict.getByRole('button', { name: 'Reapply my changes' }).click();
    await expect(mine.getByRole('status').filter({ hasText: 'Changes saved.' })).toBeVisible();
    const after = await readStudy(page.request, study.studyId);
    expect(after).toMatchObject({ severity: 'stat', studyDescription: 'CT Abdomen and Pelvis, renal stone protocol' });
    expect(after.metadata).toEqual({ protocol: 'low dose', callback: 'ED requests wet read' });
    await other.close();
  });

  test('cancel and uncancel, each after a confirmation', async ({ page }) => {
    const study = await createStudy(page.request);
    const drawer = await openStudy(page, study);

    await drawer.getByRole('button', { name: 'Cancel study' }).click();
    const question = drawer.getByRole('alertdialog', { name: 'Cancel this study?' });
    await question.getByRole('button', { name: 'Keep study' }).click();
    await expect(question).toBeHidden();
    expect((await readStudy(page.request, study.studyId)).isCancelled).toBe(false);

    await drawer.getByRole('button', { name: 'Cancel study' }).click();
    await drawer
      .getByRole('alertdialog', { name: 'Cancel this study?' })
      .getByRole('button', { name: 'Yes, cancel study' })
      .click();
    await expect(drawer.getByText('Study cancelled.')).toBeVisible();
    await page.reload();
    await expect(drawer.getByText(/This study was cancelled/)).toBeVisible();
    await expect(field(drawer, 'Cancelled').locator('time')).toBeVisible();
    expect((await readStudy(page.request, study.studyId)).isCancelled).toBe(true);

    await drawer.getByRole('button', { name: 'Restore study' }).click();
    await drawer
      .getByRole('alertdialog', { name: 'Restore this study?' })
      .getByRole('button', { name: 'Yes, restore study' })
      .click();
    await expect(drawer.getByText('Study restored to the worklist.')).toBeVisible();
    await page.reload();
    await expect(drawer.getByRole('button', { name: 'Cancel study' })).toBeVisible();
    await expect(drawer.getByText(/This study was cancelled/)).toBeHidden();
    expect((await readStudy(page.request, study.studyId)).isCancelled).toBe(false);
  });

  test('quick severity change shows at once and persists', async ({ page }) => {
    const study = await createStudy(page.request);
    const drawer = await openStudy(page, study);
    await drawer.getByRole('button', { name: 'Severity STAT' }).click();
    await expect(drawer.getByRole('button', { name: 'Severity STAT' })).toHaveAttribute('aria-pressed', 'true');
    await expect(drawer.getByRole('status').filter({ hasText: 'Severity STAT: done.' })).toBeVisible();
    expect((await readStudy(page.request, study.studyId)).severity).toBe('stat');
  });

  test('Esc closes the drawer and returns to the list with its filters; a dirty form asks first', async ({ page }) => {
    const study = await createStudy(page.request);
    const drawer = await openStudy(page, study, '?q=abdomen');
    await drawer.getByRole('button', { name: 'Edit' }).click();
    await drawer.getByRole('textbox', { name: 'Description' }).fill('Changed but not saved');
    await page.keyboard.press('Escape');
    const question = drawer.getByRole('alertdialog', { name: 'Discard your unsaved changes?' });
    await expect(question).toBeVisible();
    await question.getByRole('button', { name: 'Keep editing' }).click();
    await expect(drawer.getByRole('textbox', { name: 'Description' })).toHaveValue('Changed but not saved');

    await drawer.getByRole('button', { name: 'Close study' }).click();
    await drawer
      .getByRole('alertdialog', { name: 'Discard your unsaved changes?' })
      .getByRole('button', { name: 'Discard changes' })
      .click();
    await expect(drawer).toBeHidden();
    // Back on the list, its filters kept (the worklist may add its own defaults to the URL).
    await expect(page).toHaveURL(/\/\?(.*&)?q=abdomen(&|$)/);
    expect(new URL(page.url()).pathname).toBe('/');

    await openStudy(page, study, '?q=abdomen');
    await page.keyboard.press('Escape');
    await expect(drawer).toBeHidden();
    await expect(page).toHaveURL(/\/\?(.*&)?q=abdomen(&|$)/);
    expect(new URL(page.url()).pathname).toBe('/');
  });

  test('Back with unsaved edits asks first, and a reload is the browser’s to ask', async ({ page }) => {
    const word = `Backtest${Date.now()}`;
    const study = await createStudy(page.request, { studyDescription: `CT Chest ${word}` });
    await page.goto(`/?q=${word}`);
    await page.getByRole('link', { name: study.studyDescription }).click();
    const drawer = drawerOf(page);
    await expect(drawer.getByRole('heading', { level: 2 })).toHaveText(study.studyDescription);
    await drawer.getByRole('button', { name: 'Edit' }).click();
    await drawer.getByRole('textbox', { name: 'Description' }).fill('Changed but not saved');

    await page.goBack({ waitUntil: 'commit' });
    const question = drawer.getByRole('alertdialog', { name: 'Discard your unsaved changes?' });
    await expect(question).toBeVisible();
    await question.getByRole('button', { name: 'Keep editing' }).click();
    expect(new URL(page.url()).pathname).toBe(`/studies/${study.studyId}`);
    await expect(drawer.getByRole('textbox', { name: 'Description' })).toHaveValue('Changed but not saved');

    // A reload cannot be asked in the page: the browser's own prompt (beforeunload) does.
    const dialog = page.waitForEvent('dialog');
    // Dismissed, the reload never happens: its promise fails when the test ends, as expected.
    void page.reload().catch(() => undefined);
    const prompt = await dialog;
    expect(prompt.type()).toBe('beforeunload');
    await prompt.dismiss();
    await expect(drawer.getByRole('textbox', { name: 'Description' })).toHaveValue('Changed but not saved');

    await page.goBack({ waitUntil: 'commit' });
    await question.getByRole('button', { name: 'Discard changes' }).click();
    await expect(drawer).toBeHidden();
    expect(new URL(page.url()).pathname).toBe('/');
  });

  test('an unknown study ID shows a clear not-found message', async ({ page }) => {
    await page.goto(`/studies/stu_${'f'.repeat(32)}`);
    const drawer = drawerOf(page);
    await expect(drawer.getByRole('heading', { level: 2 })).toHaveText('Study not found');
    await expect(drawer).toContainText('No study has the ID');
  });
});

test.describe('deep link by Study Instance UID', () => {
  test('opens the drawer from a fresh browser context', async ({ browser }) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signInAs(page, 'radiologist');
    const list = await page.request.get('/api/studies?limit=1&isCancelled=false', { headers: CSRF });
    const study: StudyBody | undefined = (await list.json()).studies[0];
    if (!study) throw new Error('the demo data has no studies');

    await page.goto(`/studies/by-uid/${study.studyInstanceUid}`);
    await expect(drawerOf(page).getByRole('heading', { level: 2 })).toHaveText(study.studyDescription);
    await expect(page).toHaveURL(new RegExp(`/studies/${study.studyId}(\\?|$)`));

    await page.goto('/studies/by-uid/1.2.3.4.5.6.7.8.9.987654321');
    await expect(drawerOf(page).getByRole('heading', { level: 2 })).toHaveText('Study not found');
    await expect(drawerOf(page)).toContainText('No study has the Study Instance UID');
    await context.close();
  });
});

test.describe('as a radiologist', () => {
  test('claims an unassigned study and marks it read; coordinator-only actions are not offered', async ({ page }) => {
    await signInAs(page, 'coordinator');
    const study = await createStudy(page.request);
    const radiologist = await signInAs(page, 'radiologist');

    const drawer = await openStudy(page, study);
    await expect(drawer.getByRole('button', { name: 'Cancel study' })).toHaveCount(0);
    await expect(drawer.getByRole('button', { name: 'Severity STAT' })).toHaveCount(0);

    await drawer.getByRole('button', { name: 'Assign to me' }).click();
    await expect(field(drawer, 'Assignee')).toContainText(radiologist.username);
    await drawer.getByRole('button', { name: 'Mark read' }).click();
    await expect(drawer.getByRole('button', { name: 'Reopen' })).toBeVisible();

    await page.reload();
    await expect(field(drawer, 'Assignee')).toContainText(radiologist.username);
    await expect(field(drawer, 'Viewer status')).toHaveText(/Read/);
  });
});
