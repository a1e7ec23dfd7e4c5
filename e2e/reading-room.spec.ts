import { expect, test, type APIRequestContext, type Browser, type Page } from '@playwright/test';
import { signInAs, type DemoRole } from './support/sign-in.ts';
import { openWorklist } from './support/worklist.ts';
import { seriousViolations } from './support/axe.ts';
import { screenshotPath } from './support/screenshots.ts';

/*
 * The live reading room with two people on one BFF, each in their own browser context: who has a
 * study open and who reads it, on the other's list and drawer; the question before taking over; the
 * new-STAT alert on the other's screen and none on one's own. Each test makes its own studies, with
 * descriptions no other test uses, and filters the list to them.
 */

const CSRF = { 'x-csrf': '1' };
let sequence = 0;

interface CreatedStudy {
  studyId: string;
  studyDescription: string;
}

function uniqueText(label: string): string {
  sequence += 1;
  return `${label} ${Date.now().toString(36)}${process.pid.toString(36)}${sequence}`;
}

async function createStudy(
  request: APIRequestContext,
  severity: 'stat' | 'high' | 'normal',
  studyDescription: string,
): Promise<CreatedStudy> {
  const response = await request.post('/api/studies', {
    headers: CSRF,
    data: {
      severity,
      studyDescription,
      studyInstanceUid: `1.2.826.0.1.3680043.10.${Date.now()}.${process.pid}.${sequence}`,
    },
  });
  expect(response.status()).toBe(201);
  return response.json();
}

async function person(browser: Browser, role: DemoRole): Promise<{ page: Page; name: string }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const user = await signInAs(page, role);
  return { page, name: user.name };
}

/** The row of the (only) study with this description, in the list filtered to it. */
function rowOf(page: Page, description: string) {
  return page.locator('[data-study-row]').filter({ hasText: description });
}

test('presence and lease labels appear and clear, and taking over asks first', async ({ browser }) => {
  test.setTimeout(90_000);
  const coordinator = await person(browser, 'coordinator');
  const radiologist = await person(browser, 'radiologist');
  const description = uniqueText('CT Head reading room');
  const study = await createStudy(coordinator.page.request, 'normal', description);
  const search = `?assignee=anyone&q=${encodeURIComponent(description)}`;

  await openWorklist(coordinator.page, search);
  await expect(rowOf(coordinator.page, description)).toHaveCount(1);

  // The radiologist opens the study: the coordinator's row says so.
  await radiologist.page.goto(`/studies/${study.studyId}${search}`);
  const radiologistDrawer = radiologist.page.getByRole('region', { name: 'Reading' });
  await expect(radiologistDrawer.getByTestId('drawer-lease')).toHaveText('Nobody is reading this study.');
  await expect(rowOf(coordinator.page, description).getByTestId('row-viewers')).toHaveText(
    `Open by ${radiologist.name}`,
  );

  // …and starts reading it: the row says who, and for how long.
  await radiologistDrawer.getByRole('button', { name: 'Start reading' }).click();
  await expect(radiologistDrawer.getByTestId('drawer-lease')).toContainText('You are reading · <1 min');
  const rowLease = rowOf(coordinator.page, description).getByTestId('row-lease');
  await expect(rowLease).toHaveText(`Being read by ${radiologist.name} · <1 min`);

  // The coordinator opens it too: both see each other; Open in Viewer asks before taking it over.
  await rowOf(coordinator.page, description).click();
  const coordinatorDrawer = coordinator.page.getByRole('region', { name: 'Reading' });
  await expect(coordinatorDrawer.getByTestId('drawer-lease')).toContainText(`Being read by ${radiologist.name}`);
  await expect(coordinatorDrawer.getByTestId('drawer-viewers')).toHaveText(`Open by ${radiologist.name}`);
  await expect(radiologistDrawer.getByTestId('drawer-viewers')).toHaveText(`Open by ${coordinator.name}`);
  await coordinator.page.getByRole('button', { name: 'Open in Viewer' }).click();
  const question = coordinator.page.getByRole('alertdialog', { name: `${radiologist.name} is reading this study` });
  await expect(question).toContainText('Since ');
  await expect(question.getByRole('button', { name: 'Leave it with them' })).toBeFocused();
  expect(await seriousViolations(coordinator.page)).toEqual([]);
  await question.getByRole('button', { name: 'Leave it with them' }).click();
  await expect(question).toHaveCount(0);
  await expect(radiologistDrawer.getByTestId('drawer-lease')).toContainText('You are reading');

  // Asked again, and yes: the viewer opens and the lease is the coordinator's, on both screens.
  await coordinator.page.getByRole('button', { name: 'Open in Viewer' }).click();
  const viewer = coordinator.page.waitForEvent('popup');
  await question.getByRole('button', { name: 'Take over and open viewer' }).click();
  await (await viewer).close();
  await expect(coordinatorDrawer.getByTestId('drawer-lease')).toContainText('You are reading');
  await expect(radiologistDrawer.getByTestId('drawer-lease')).toContainText(`Being read by ${coordinator.name}`);

  // The radiologist takes it back (asked too), and the coordinator breaks the lease from the drawer.
  await radiologistDrawer.getByRole('button', { name: 'Take over reading' }).click();
  await radiologist.page
    .getByRole('alertdialog', { name: `${coordinator.name} is reading this study` })
    .getByRole('button', { name: 'Take over reading' })
    .click();
  await expect(coordinatorDrawer.getByTestId('drawer-lease')).toContainText(`Being read by ${radiologist.name}`);
  await coordinatorDrawer.getByRole('button', { name: 'Release lease' }).click();
  await coordinator.page
    .getByRole('alertdialog', { name: `Release ${radiologist.name}’s lease?` })
    .getByRole('button', { name: 'Release lease' })
    .click();
  await expect(coordinatorDrawer.getByTestId('drawer-lease')).toHaveText('Nobody is reading this study.');
  await expect(radiologistDrawer.getByTestId('drawer-lease')).toHaveText('Nobody is reading this study.');

  // The radiologist closes the drawer: the coordinator's drawer and row no longer show them.
  await radiologist.page.getByRole('button', { name: /close/i }).first().click();
  await expect(coordinatorDrawer.getByTestId('drawer-viewers')).toHaveText('Nobody else has this study open.');
  await coordinator.page.getByRole('button', { name: /close/i }).first().click();
  await expect(rowOf(coordinator.page, description).getByTestId('row-lease')).toHaveCount(0);
  await expect(rowOf(coordinator.page, description).getByTestId('row-viewers')).toHaveCount(0);
});

test('a new or raised STAT alerts the other person with a toast and a title count, never the one who caused it', async ({
  browser,
}) => {
  test.setTimeout(90_000);
  const coordinator = await person(browser, 'coordinator');
  const radiologist = await person(browser, 'radiologist');
  const label = uniqueText('CT Angiography Chest');
  const search = `?assignee=anyone&q=${encodeURIComponent(label)}`;
  await openWorklist(coordinator.page, search);
  await openWorklist(radiologist.page, search);
  // The reading room (and with it the alert) loads once the first screen is done.
  await expect(radiologist.page.getByRole('button', { name: 'STAT alerts' })).toBeVisible();
  await expect(coordinator.page.getByRole('button', { name: 'STAT alerts' })).toBeVisible();

  // A new STAT created by the coordinator: the radiologist is told; the coordinator is not.
  await createStudy(coordinator.page.request, 'stat', `${label} new`);
  const toast = radiologist.page.getByTestId('stat-toast');
  await expect(toast).toContainText(`${label} new`);
  await expect(radiologist.page).toHaveTitle(/^\(1\) Radiology Worklist/);

  // A High raised to STAT by the coordinator in the drawer: a second alert for the radiologist only.
  const raised = await createStudy(coordinator.page.request, 'high', `${label} raised`);
  await expect(rowOf(coordinator.page, `${label} raised`)).toHaveCount(1);
  await expect(rowOf(radiologist.page, `${label} raised`)).toHaveCount(1);
  await coordinator.page.goto(`/studies/${raised.studyId}${search}`);
  await coordinator.page.getByRole('button', { name: 'Severity STAT' }).click();
  await expect(coordinator.page.getByText('Severity STAT: done.')).toBeVisible();
  await expect(toast).toHaveCount(2);
  await expect(radiologist.page).toHaveTitle(/^\(2\) Radiology Worklist/);
  await expect(coordinator.page.getByTestId('stat-toast')).toHaveCount(0);
  await expect(coordinator.page).toHaveTitle(/^Radiology Worklist/);

  // The live list as the radiologist sees it: a lease label and the alerts.
  await coordinator.page
    .getByRole('region', { name: 'Reading' })
    .getByRole('button', { name: 'Start reading' })
    .click();
  await expect(rowOf(radiologist.page, `${label} raised`).getByTestId('row-lease')).toHaveText(
    `Being read by ${coordinator.name} · <1 min`,
  );
  for (const theme of ['dark', 'light'] as const) {
    await radiologist.page.emulateMedia({ colorScheme: theme });
    await radiologist.page.screenshot({ path: screenshotPath(`worklist-live-${theme}.png`) });
    expect(await seriousViolations(radiologist.page)).toEqual([]);
  }

  // Dismissed: the count goes; Open opens the study.
  await radiologist.page.getByRole('button', { name: `Dismiss the alert for ${label} new` }).click();
  await expect(radiologist.page).toHaveTitle(/^Radiology Worklist/);
  await toast.getByRole('button', { name: 'Open' }).click();
  await expect(radiologist.page).toHaveURL(new RegExp(`/studies/${raised.studyId}`));
  await expect(toast).toHaveCount(0);
});
