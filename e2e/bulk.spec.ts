import { expect, test, type APIRequestContext, type Locator, type Page } from '@playwright/test';
import { signInAs } from './support/sign-in.ts';
import { openWorklist } from './support/worklist.ts';
import { seriousViolations } from './support/axe.ts';
import { screenshotPath } from './support/screenshots.ts';

/*
 * Bulk changes by a coordinator, against the real BFF and bundled server. Each test makes its own ten
 * STAT studies under a word of its own and lists only them (the description search), so tests running
 * side by side never select each other's.
 */

interface StudyBody {
  studyId: string;
  studyDescription: string;
  severity: string;
  updatedAt: string;
  studyViewerStatus: string;
  isCancelled: boolean;
  assignedTo?: { userId: string } | null;
}

const CSRF = { 'x-csrf': '1' };
let sequence = 0;

/** Ten new STAT studies whose descriptions share a word nothing else has; answers the word and them. */
async function tenStudies(request: APIRequestContext): Promise<{ word: string; studies: StudyBody[] }> {
  sequence += 1;
  const word = `Bulk${Date.now().toString(36)}${process.pid}${sequence}`;
  const studies: StudyBody[] = [];
  for (let index = 0; index < 10; index += 1) {
    const response = await request.post('/api/studies', {
      headers: CSRF,
      data: {
        severity: 'stat',
        studyDescription: `CT Head ${word} ${String(index + 1).padStart(2, '0')}`,
        studyInstanceUid: `1.2.826.0.1.3680043.10.${Date.now()}.${process.pid}.${sequence}.${index}`,
      },
    });
    expect(response.status()).toBe(201);
    studies.push(await response.json());
  }
  return { word, studies };
}

async function readStudy(request: APIRequestContext, studyId: string): Promise<StudyBody> {
  const response = await request.get(`/api/studies/${studyId}`, { headers: CSRF });
  expect(response.ok()).toBe(true);
  return response.json();
}

/** A radiologist of the roster (the bulk bar offers only people who read studies). */
async function aRadiologist(request: APIRequestContext): Promise<{ userId: string; name: string }> {
  const response = await request.get('/api/users', { headers: CSRF });
  const { users } = (await response.json()) as {
    users: Array<{ userId: string; firstName: string; lastName: string; clinicRole: string }>;
  };
  const person = users.find((user) => user.clinicRole === 'Radiologist');
  if (!person) throw new Error('The roster has no radiologist');
  return { userId: person.userId, name: `${person.firstName} ${person.lastName}` };
}

function checkbox(page: Page, word: string, index: number): Locator {
  return page.getByRole('checkbox', { name: `Select CT Head ${word} ${String(index).padStart(2, '0')}` });
}

function bulkBar(page: Page): Locator {
  return page.getByRole('region', { name: 'Bulk actions' });
}

async function openTheTen(page: Page, word: string): Promise<void> {
  await openWorklist(page, `?q=${encodeURIComponent(word)}&groups=stat`);
  await expect(page.locator('[data-study-row]')).toHaveCount(10);
}

test.beforeEach(async ({ page }) => {
  await signInAs(page, 'coordinator');
});

test('assigning ten studies takes four actions: a click, a Shift-click, a radiologist, confirm', async ({ page }) => {
  const { word, studies } = await tenStudies(page.request);
  const radiologist = await aRadiologist(page.request);
  await openTheTen(page, word);

  await checkbox(page, word, 1).click();
  await checkbox(page, word, 10).click({ modifiers: ['Shift'] });
  await expect(bulkBar(page).getByRole('status')).toHaveText('10 studies selected');
  await bulkBar(page).getByLabel('Assign the selected studies to').selectOption(radiologist.userId);
  const confirmation = page.getByRole('alertdialog');
  await expect(confirmation).toContainText(`Assign 10 studies to`);
  await expect(confirmation.getByRole('listitem')).toHaveCount(10);
  await confirmation.getByRole('button', { name: /^Assign 10 studies to/ }).click();

  await expect(bulkBar(page).getByRole('status')).toContainText('10 of 10 changed');
  for (const study of studies) {
    expect((await readStudy(page.request, study.studyId)).assignedTo?.userId).toBe(radiologist.userId);
  }
});

test('a bulk change where two of ten changed meanwhile reports those two and changes the other eight', async ({
  page,
}) => {
  const { word, studies } = await tenStudies(page.request);
  await openTheTen(page, word);

  const selectAll = page.getByRole('checkbox', { name: 'Select all 10 loaded STAT studies' });
  await selectAll.click();
  await expect(selectAll).toBeChecked();
  await expect(bulkBar(page).getByRole('status')).toHaveText('10 studies selected');
  await bulkBar(page).getByLabel('Set the severity of the selected studies').selectOption('high');
  const confirmation = page.getByRole('alertdialog');
  await expect(confirmation).toContainText('Set 10 studies to High?');

  // While the coordinator reads the confirmation, someone else assigns two of them.
  const [third, seventh] = [studies[2], studies[6]];
  if (!third || !seventh) throw new Error('Ten studies expected');
  const radiologist = await aRadiologist(page.request);
  for (const study of [third, seventh]) {
    const response = await page.request.patch(`/api/studies/${study.studyId}`, {
      headers: { ...CSRF, 'if-match': '*' },
      data: { assignedTo: radiologist.userId },
    });
    expect(response.ok()).toBe(true);
  }
  await confirmation.getByRole('button', { name: 'Set 10 studies to High' }).click();

  await expect(bulkBar(page).getByRole('status').first()).toContainText('8 of 10 changed, 2 not changed');
  const notChanged = bulkBar(page).getByRole('list', { name: 'Studies not changed' }).getByRole('listitem');
  await expect(notChanged).toHaveCount(2);
  const reported = (await notChanged.allTextContents()).sort();
  expect(reported).toEqual(
    [third, seventh]
      .map(
        (study) =>
          `${study.studyDescription}: Changed by someone else meanwhile (now assigned to ${radiologist.name}); not changed.`,
      )
      .sort(),
  );
  await page.screenshot({ path: screenshotPath('bulk-partial-result.png') });
  for (const study of studies) {
    const now = await readStudy(page.request, study.studyId);
    const raced = study === third || study === seventh;
    expect(now.severity, study.studyDescription).toBe(raced ? 'stat' : 'high');
  }
  // The two not changed stay selected (and listed: still STAT), to try again.
  await bulkBar(page).getByRole('button', { name: 'Done' }).click();
  await expect(bulkBar(page).getByRole('status')).toHaveText('2 studies selected');
});

test('rows are selected from the keyboard with x, and Esc on the bar clears the selection', async ({ page }) => {
  const { word } = await tenStudies(page.request);
  await openTheTen(page, word);
  const focusedBox = page.locator('[data-study-row][aria-selected="true"]').getByRole('checkbox');
  await page.keyboard.press('j');
  await page.keyboard.press('x');
  await expect(focusedBox).toBeChecked();
  await page.keyboard.press('j');
  await page.keyboard.press('x');
  await expect(focusedBox).toBeChecked();
  await expect(bulkBar(page).getByRole('status')).toHaveText('2 studies selected');
  // x again unselects the focused row.
  await page.keyboard.press('x');
  await expect(focusedBox).not.toBeChecked();
  await expect(bulkBar(page).getByRole('status')).toHaveText('1 study selected');
  await bulkBar(page).getByRole('button', { name: 'Mark read' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('alertdialog')).toContainText('Mark 1 study read?');
  await page.keyboard.press('Escape');
  await expect(page.getByRole('alertdialog')).toHaveCount(0);
  await bulkBar(page).getByRole('button', { name: 'Mark read' }).focus();
  await page.keyboard.press('Escape');
  await expect(bulkBar(page)).toHaveCount(0);
});

test('a row is assigned inline, without opening the drawer', async ({ page }) => {
  const { word, studies } = await tenStudies(page.request);
  const radiologist = await aRadiologist(page.request);
  await openTheTen(page, word);
  const [first] = studies;
  if (!first) throw new Error('Ten studies expected');
  await page.getByRole('button', { name: `Assign ${first.studyDescription}` }).click();
  const picker = page.getByRole('dialog', { name: `Assign ${first.studyDescription}` });
  // Only people who read studies are offered.
  const users = (await (await page.request.get('/api/users', { headers: CSRF })).json()).users as Array<{
    userId: string;
    clinicRole: string;
  }>;
  const options = picker.getByLabel('Radiologist').locator('option');
  await expect(options).toHaveCount(1 + users.filter((user) => user.clinicRole === 'Radiologist').length);
  const notReader = users.find((user) => user.clinicRole !== 'Radiologist');
  if (notReader) await expect(picker.locator(`option[value="${notReader.userId}"]`)).toHaveCount(0);
  await picker.getByLabel('Radiologist').selectOption(radiologist.userId);
  await expect(picker).toHaveCount(0);
  await expect(page.getByRole('complementary', { name: 'Study' })).toHaveCount(0);
  await expect
    .poll(async () => (await readStudy(page.request, first.studyId)).assignedTo?.userId)
    .toBe(radiologist.userId);
});

for (const theme of ['dark', 'light'] as const) {
  test(`the bulk bar and its confirmation in the ${theme} theme have no serious accessibility violations`, async ({
    page,
  }) => {
    test.setTimeout(120_000);
    await page.emulateMedia({ colorScheme: theme });
    const { word } = await tenStudies(page.request);
    await openTheTen(page, word);
    await checkbox(page, word, 1).click();
    await checkbox(page, word, 4).click({ modifiers: ['Shift'] });
    await expect(bulkBar(page).getByRole('status')).toHaveText('4 studies selected');
    await page.screenshot({ path: screenshotPath(`bulk-bar-${theme}.png`) });
    expect(await seriousViolations(page)).toEqual([]);
    await bulkBar(page).getByRole('button', { name: 'Cancel studies…' }).click();
    await expect(page.getByRole('alertdialog')).toContainText('Cancel 4 studies?');
    expect(await seriousViolations(page)).toEqual([]);
  });
}
