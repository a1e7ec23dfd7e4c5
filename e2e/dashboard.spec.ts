import { readFileSync } from 'node:fs';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { signInAs } from './support/sign-in.ts';
import { seriousViolations } from './support/axe.ts';
import { screenshotPath } from './support/screenshots.ts';

const headers = { 'x-csrf': '1' };

/** As a radiologist: claims an unassigned unread study of the severity and marks it read; its ID. */
async function readOneStudy(request: APIRequestContext, severity: 'stat' | 'high' | 'normal'): Promise<string> {
  const me = await (await request.get('/api/me', { headers })).json();
  const page = await (
    await request.get(
      `/api/studies?severity=${severity}&assignedTo=&studyViewerStatus=incomplete&isCancelled=false&limit=1`,
      { headers },
    )
  ).json();
  const [study] = page.studies;
  if (!study) throw new Error(`No unassigned unread ${severity} study is left to read`);
  const claimed = await request.patch(`/api/studies/${study.studyId}`, {
    headers: { ...headers, 'if-match': `"${study.updatedAt}"` },
    data: { assignedTo: me.userId },
  });
  expect(claimed.status()).toBe(200);
  const read = await request.patch(`/api/studies/${study.studyId}`, {
    headers: { ...headers, 'if-match': '*' },
    data: { studyViewerStatus: 'complete' },
  });
  expect(read.status()).toBe(200);
  return study.studyId;
}

async function openDashboard(page: Page) {
  await page.goto('/dashboard');
  await expect(page.getByRole('heading', { name: 'Dashboard', level: 1 })).toBeVisible();
  await expect(page.getByTestId('tile-unread-stat')).toBeVisible();
}

test('a radiologist is refused the dashboard, its data and its export', async ({ page }) => {
  await signInAs(page, 'radiologist');
  expect((await page.request.get('/api/dashboard', { headers })).status()).toBe(403);
  expect(
    (await page.request.get('/api/dashboard/turnaround.csv?from=2026-01-01&to=2026-01-02', { headers })).status(),
  ).toBe(403);
  await page.goto('/dashboard');
  await expect(page.getByText('The dashboard is for coordinators.')).toBeVisible();
  await page.goto('/');
  await expect(page.getByRole('grid', { name: 'Worklist' })).toBeVisible();
  await expect(page.getByRole('banner').getByRole('link', { name: 'Dashboard' })).toHaveCount(0);
});

test('a tile updates live when a study is marked read in another context, and the load table counts it', async ({
  page,
  browser,
}) => {
  test.setTimeout(90_000);
  await signInAs(page, 'coordinator');
  await page.goto('/');
  await page.getByRole('banner').getByRole('link', { name: 'Dashboard' }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByTestId('tile-unread-stat')).toBeVisible();
  // The queue watcher's first walk gives the tiles their exact numbers.
  await expect(page.getByText('The queue counts are the history’s')).toHaveCount(0, { timeout: 20_000 });
  const other = await browser.newContext();
  const reader = await other.newPage();
  const radiologist = await signInAs(reader, 'radiologist');
  await readOneStudy(reader.request, 'stat');
  const readAt = Date.now();
  // Specs running beside this one change the same queue, so the tile is not simply one less: without
  // a reload, it comes to show the queue as counted by a walk made after the change.
  await expect
    .poll(
      async () => {
        const answer = await (await page.request.get('/api/dashboard', { headers })).json();
        const shown = Number(await page.getByTestId('tile-unread-stat').textContent());
        return Date.parse(answer.tiles.asOf ?? '') > readAt && shown === answer.tiles.unread.stat;
      },
      { timeout: 50_000, intervals: [500] },
    )
    .toBe(true);
  const row = page.getByTestId('load-table').getByRole('row', { name: new RegExp(radiologist.name) });
  await expect(row.getByRole('link', { name: /read today by/ })).not.toHaveText('0');
  await expect(page.getByTestId('turnaround-table').getByRole('link', { name: /STAT read today/ })).not.toHaveText('0');
  await other.close();
});

test('a number clicks through to the worklist filtered to those studies', async ({ page }) => {
  await signInAs(page, 'coordinator');
  await openDashboard(page);
  await page.getByTestId('tile-unassigned-high').click();
  await expect(page).toHaveURL(/groups=high/);
  await expect(page).toHaveURL(/assignee=unassigned/);
  await expect(page.getByRole('grid', { name: 'Worklist' })).toBeVisible();
  await expect(page.getByLabel('Assignee', { exact: true })).toHaveValue('unassigned');
  await expect(page.getByTestId('group-count-high')).toBeVisible();
  await expect(page.getByTestId('group-count-stat')).toHaveCount(0);
});

test('the turnaround CSV downloads with a row for each study read in the range', async ({ page, browser }) => {
  const other = await browser.newContext();
  const reader = await other.newPage();
  await signInAs(reader, 'radiologist');
  const first = await readOneStudy(reader.request, 'high');
  const second = await readOneStudy(reader.request, 'normal');
  await other.close();
  await signInAs(page, 'coordinator');
  await openDashboard(page);
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download CSV' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^turnaround-\d{4}-\d{2}-\d{2}-to-\d{4}-\d{2}-\d{2}\.csv$/);
  const lines = readFileSync(await file.path(), 'utf8')
    .trimEnd()
    .split('\r\n');
  expect(lines[0]).toBe(
    'studyId,severity,appearedAt,assignedAt,assignee,readingStartedAt,readAt,readBy,turnaroundMinutes,targetMinutes,withinTarget',
  );
  // Names carry commas ("Smith, MD"), quoted: the row's start and end are enough here.
  expect(lines.find((line) => line.startsWith(`${first},`))).toMatch(/^stu_[0-9a-f]{32},high,.*,240,(yes|no)$/);
  expect(lines.find((line) => line.startsWith(`${second},`))).toMatch(/^stu_[0-9a-f]{32},normal,.*,1440,(yes|no)$/);
});

for (const theme of ['dark', 'light'] as const) {
  test(`the dashboard in the ${theme} theme has no serious accessibility violations`, async ({ page, browser }) => {
    test.setTimeout(120_000);
    // A few studies read, so every part of the page has figures to show.
    const other = await browser.newContext();
    const reader = await other.newPage();
    await signInAs(reader, 'radiologist');
    for (const severity of ['stat', 'high', 'normal'] as const) await readOneStudy(reader.request, severity);
    await other.close();
    await page.emulateMedia({ colorScheme: theme });
    await signInAs(page, 'coordinator');
    await openDashboard(page);
    await expect(page.getByTestId('load-table')).toBeVisible();
    // Keyboard: the sort buttons of the load table are reachable and sort.
    await page.getByRole('button', { name: 'Read today' }).focus();
    await page.keyboard.press('Enter');
    await expect(page.getByRole('columnheader', { name: 'Read today' })).toHaveAttribute('aria-sort', 'descending');
    await page.getByText('Show as a table').click();
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByText('Show as a table').click();
    // The page scrolls inside the layout's main landmark: a tall window shows all of it from the top.
    await page.setViewportSize({ width: 1440, height: 1500 });
    await page.locator('main').evaluate((main) => main.scrollTo(0, 0));
    await page.locator('main').blur();
    await page.screenshot({ path: screenshotPath(`dashboard-${theme}.png`) });
  });
}
