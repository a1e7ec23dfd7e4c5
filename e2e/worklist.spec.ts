import { expect, test, type Page } from '@playwright/test';
import { signInAs } from './support/sign-in.ts';
import {
  blockGroups,
  blockWithGroupPage,
  editPageBlock,
  fixtureStudy,
  groupCount,
  groupHeader,
  openWorklist,
  pageBlockOf,
  queueButton,
  studyRows,
  waitForListRequest,
  worklistScroller,
} from './support/worklist.ts';

test.beforeEach(async ({ page }) => {
  await signInAs(page, 'coordinator');
});

/** The first row's severity cell: its first cell but the selection checkbox a coordinator's rows start with. */
function severityCell(page: Page) {
  return studyRows(page)
    .first()
    .getByRole('gridcell')
    .filter({ hasNot: page.getByRole('checkbox') })
    .first();
}

test('groups show in order, STAT first, each with a sticky header and an honest count', async ({ page }) => {
  // The coordinator's first view is the whole active queue: the queue's counts count it exactly.
  const order: string[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.pathname === '/api/studies' && !url.searchParams.has('cursor'))
      order.push(url.searchParams.get('severity') ?? '');
  });
  // Every shown group's first page comes with the page (src/bff/plugins/static-spa.ts), STAT first.
  const html = await (await page.request.get('/', { headers: { accept: 'text/html' } })).text();
  const block = pageBlockOf(html);
  expect(blockGroups(block ?? { filters: {}, page: null }).map((group) => group.filters.severity)).toEqual([
    'stat',
    'high',
    'normal',
  ]);
  await openWorklist(page);

  // A group the page did not bring is asked in the same order: STAT first, the others wait for it.
  const expected = ['stat', 'high', 'normal'].filter((severity) => order.includes(severity));
  expect(order.slice(0, expected.length)).toEqual(expected);
  await expect(groupCount(page, 'stat')).toHaveText(/^\d[\d,]*\+?$/);
  await expect(groupCount(page, 'high')).toHaveText(/^\d[\d,]*\+?$/);
  await expect(groupCount(page, 'normal')).toHaveText(/^\d[\d,]*\+?$/);
  await expect(groupCount(page, 'normal')).toHaveAttribute('data-loaded', '100');
  await expect(page.getByRole('navigation', { name: 'Queues' }).getByRole('button')).toHaveText([
    /^STAT/,
    /^High/,
    /^Normal/,
  ]);

  // The list starts with the STAT header, then STAT rows: severity reads as text, not only as colour.
  const headings = page.getByRole('heading', { level: 2 });
  await expect(headings.first()).toContainText('STAT');
  await expect(severityCell(page)).toHaveText(/STAT/);

  // Collapsing each group in turn brings the next one up, in order; the headers keep their counts.
  await groupHeader(page, 'STAT').click();
  await expect(groupHeader(page, 'STAT')).toHaveAttribute('aria-expanded', 'false');
  await expect(headings).toHaveText([/STAT/, /High/]);
  await expect(severityCell(page)).toHaveText(/High/);
  await groupHeader(page, 'High').click();
  await expect(headings).toHaveText([/STAT/, /High/, /Normal/]);
  await expect(headings.nth(2)).toContainText(/\d/);
  await expect(severityCell(page)).toHaveText(/Normal/);

  // The header of the group being read sticks at the top while its rows scroll under it.
  await worklistScroller(page).evaluate((element) => element.scrollBy(0, 400));
  const sticky = page.locator('[data-group="normal"]');
  const gridBox = await page.getByRole('grid', { name: 'Worklist' }).locator('xpath=..').boundingBox();
  await expect.poll(async () => (await sticky.boundingBox())?.y).toBeCloseTo((gridBox?.y ?? 0) + 35, -1);
});

test('scrolling to the end of a group loads its next page', async ({ page }) => {
  await openWorklist(page, '?groups=normal');
  await expect(groupCount(page, 'normal')).toHaveAttribute('data-loaded', '100');

  const nextPage = waitForListRequest(page, 'normal');
  await worklistScroller(page).evaluate((element) => element.scrollTo(0, element.scrollHeight));
  const request = await nextPage;
  expect(new URL(request.url()).searchParams.get('cursor')).toBeTruthy();
  await expect(groupCount(page, 'normal')).toHaveAttribute('data-loaded', '200');
});

test('each filter changes the request and the URL, and Back restores the previous list', async ({ page }) => {
  await openWorklist(page);
  await expect(page).toHaveURL(/assignee=anyone/);

  // The search (description, patient, identifiers), debounced.
  let request = waitForListRequest(page, 'stat', { search: 'CT' });
  await page.getByRole('searchbox', { name: 'Search patient, MRN, accession, UID or description' }).fill('CT');
  await request;
  await expect(page).toHaveURL(/[?&]q=CT/);

  // Viewer status.
  request = waitForListRequest(page, 'stat', { studyViewerStatus: 'complete' });
  await page.getByLabel('Viewer status', { exact: true }).selectOption('complete');
  await request;
  await expect(page).toHaveURL(/status=complete/);

  // Assignee: unassigned is an empty assignedTo.
  request = waitForListRequest(page, 'stat', { assignedTo: '' });
  await page.getByLabel('Assignee', { exact: true }).selectOption('unassigned');
  await request;
  await expect(page).toHaveURL(/assignee=unassigned/);

  // Customer: none is an empty expressCustomerId.
  request = waitForListRequest(page, 'stat', { expressCustomerId: '' });
  await page.getByLabel('Customer', { exact: true }).selectOption('none');
  await request;
  await expect(page).toHaveURL(/customer=none/);

  // Include cancelled: the isCancelled=false filter goes away.
  request = waitForListRequest(page, 'stat', { isCancelled: null });
  // click, not check: the box follows the URL, which updates a moment after the click.
  await page.getByLabel('Include cancelled', { exact: true }).click();
  await expect(page.getByLabel('Include cancelled', { exact: true })).toBeChecked();
  await request;
  await expect(page).toHaveURL(/cancelled=1/);

  // Which groups show.
  await page.getByRole('group', { name: 'Severity groups shown' }).getByLabel('Normal').click();
  await expect(page).toHaveURL(/groups=stat%2Chigh|groups=stat,high/);
  await expect(page.getByRole('heading', { level: 2 })).toHaveText([/STAT/, /High/]);

  // Back, step by step, restores each earlier list and its controls.
  await page.goBack();
  await expect(page.getByRole('heading', { level: 2 })).toHaveText([/STAT/, /High/, /Normal/]);
  await page.goBack();
  await expect(page.getByLabel('Include cancelled', { exact: true })).not.toBeChecked();
  await page.goBack();
  await expect(page.getByLabel('Customer', { exact: true })).toHaveValue('any');
  await page.goBack();
  await expect(page.getByLabel('Assignee', { exact: true })).toHaveValue('anyone');
  await page.goBack();
  await expect(page.getByLabel('Viewer status', { exact: true })).toHaveValue('incomplete');
  await expect(page.getByRole('searchbox', { name: 'Search patient, MRN, accession, UID or description' })).toHaveValue(
    'CT',
  );
  const rows = studyRows(page);
  await expect(rows.first()).toContainText(/CT/i);
  await page.goBack();
  await expect(page.getByRole('searchbox', { name: 'Search patient, MRN, accession, UID or description' })).toHaveValue(
    '',
  );

  // Clear filters goes back to the defaults in one step.
  await page.getByLabel('Viewer status', { exact: true }).selectOption('any');
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await expect(page.getByLabel('Viewer status', { exact: true })).toHaveValue('incomplete');
  await expect(page.getByRole('button', { name: 'Clear filters' })).toHaveCount(0);
});

test('a radiologist starts with their own and the unassigned studies, theirs marked "mine", and the page says so', async ({
  page,
}) => {
  await signInAs(page, 'radiologist');
  const headers = { 'x-csrf': '1' };
  const me = await (await page.request.get('/api/me', { headers })).json();
  // The STAT study waiting longest nobody has: claimed, it is "mine" at the top of the list.
  const waiting = await (
    await page.request.get(
      '/api/studies?severity=stat&assignedTo=&studyViewerStatus=incomplete&isCancelled=false&limit=2',
      { headers },
    )
  ).json();
  const [claimed, unassigned] = waiting.studies;
  const patched = await page.request.patch(`/api/studies/${claimed.studyId}`, {
    headers: { ...headers, 'if-match': `"${claimed.updatedAt}"` },
    data: { assignedTo: me.userId },
  });
  expect(patched.status()).toBe(200);

  // Every group comes with the page, each asked with the same filters as the first.
  const html = await (await page.request.get('/', { headers: { accept: 'text/html' } })).text();
  const groups = blockGroups(pageBlockOf(html) ?? { filters: {}, page: null });
  expect(groups.map((group) => [group.filters.severity, group.filters.assignedTo])).toEqual([
    ['stat', 'mine-or-unassigned'],
    ['high', 'mine-or-unassigned'],
    ['normal', 'mine-or-unassigned'],
  ]);
  await openWorklist(page);
  await expect(page.getByLabel('Assignee', { exact: true })).toHaveValue('mine-or-unassigned');
  await expect(page.getByLabel('Assignee', { exact: true }).locator('option:checked')).toHaveText(
    'Mine and unassigned (default)',
  );
  await expect(page.getByText('Radiologists start with their own and unassigned studies.')).toBeVisible();
  // One list per severity: the claimed study, marked as theirs in words, and the unassigned ones.
  const mine = page.locator(`[data-row-key="${claimed.studyId}"]`);
  await expect(mine.getByRole('gridcell', { name: /\(mine\)$/ })).toBeVisible();
  await expect(mine).toContainText('mine · ');
  await expect(page.locator(`[data-row-key="${unassigned.studyId}"]`)).toContainText('Unassigned');
  await page.screenshot({ path: 'test-results/mine-and-unassigned.png' });

  // "Me" alone is still a choice.
  const onlyMine = waitForListRequest(page, 'stat', { assignedTo: me.userId });
  await page.getByLabel('Assignee', { exact: true }).selectOption('me');
  await onlyMine;
  await expect(page.locator(`[data-row-key="${unassigned.studyId}"]`)).toHaveCount(0);
});

test('the keyboard moves a visible focus through rows, Enter opens the study, / searches, Esc clears', async ({
  page,
}) => {
  await openWorklist(page);
  const rows = studyRows(page);
  const first = rows.nth(0);
  const second = rows.nth(1);

  await page.keyboard.press('j');
  await expect(first).toBeFocused();
  await expect(first).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('ArrowDown');
  await expect(second).toBeFocused();
  await page.keyboard.press('k');
  await expect(first).toBeFocused();
  await page.keyboard.press('ArrowDown');

  const studyKey = await second.getAttribute('data-row-key');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(new RegExp(`/studies/${studyKey}\\?`));
  // The list stays mounted beside the drawer, with its filters.
  await expect(page.getByRole('grid', { name: 'Worklist' })).toBeVisible();
  await expect(page).toHaveURL(/assignee=anyone/);

  await page.goBack();
  await page.keyboard.press('Escape');
  await expect(page.locator('[data-study-row][aria-selected="true"]')).toHaveCount(0);

  await page.keyboard.press('/');
  await expect(
    page.getByRole('searchbox', { name: 'Search patient, MRN, accession, UID or description' }),
  ).toBeFocused();
});

test('hidden and reordered columns survive a reload', async ({ page }) => {
  await openWorklist(page);
  const columnHeaders = page.getByRole('columnheader');
  await expect(columnHeaders.first()).toHaveText('Severity');

  await page.getByRole('button', { name: 'Columns' }).click();
  await page.getByRole('group', { name: 'Columns' }).getByRole('checkbox', { name: 'Metadata' }).uncheck();
  await page.getByRole('button', { name: 'Move Description left' }).click();
  await page.keyboard.press('Escape');

  await expect(page.getByRole('columnheader', { name: 'Metadata' })).toHaveCount(0);
  await expect(columnHeaders.first()).toHaveText('Description');

  await page.reload();
  await expect(page.getByRole('grid', { name: 'Worklist' })).toBeVisible();
  await expect(columnHeaders.first()).toHaveText('Description');
  await expect(columnHeaders.nth(1)).toHaveText('Severity');
  await expect(page.getByRole('columnheader', { name: 'Metadata' })).toHaveCount(0);

  // A column can be made wider from the keyboard too (arrows on its header); the width is remembered as well.
  const grid = page.getByRole('grid', { name: 'Worklist' });
  const width = () => grid.evaluate((element) => (element as HTMLElement).style.getPropertyValue('--col-description'));
  const before = Number.parseInt(await width(), 10);
  await page.getByRole('columnheader', { name: 'Description' }).focus();
  await page.keyboard.press('ArrowRight');
  await expect(
    page.getByRole('status').filter({ hasText: `Description column ${before + 16} pixels wide` }),
  ).toBeAttached();
  await expect.poll(width).toBe(`${before + 16}px`);
  await page.reload();
  await expect.poll(width).toBe(`${before + 16}px`);
});

test('the theme toggle survives a reload', async ({ page }) => {
  await openWorklist(page);
  const html = page.locator('html');
  const background = () => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
  const dark = await background();

  await page.getByRole('button', { name: 'Switch to light theme' }).click();
  await expect(html).toHaveAttribute('data-theme', 'light');
  const light = await background();
  expect(light).not.toBe(dark);

  await page.reload();
  await expect(html).toHaveAttribute('data-theme', 'light');
  await expect(page.getByRole('button', { name: 'Switch to dark theme' })).toBeVisible();
  expect(await background()).toBe(light);
});

test('a failing group shows its own error and retry while the others render', async ({ page }) => {
  // The app retries a 5xx twice with backoff before it gives up, so the outage lasts until the user
  // presses Retry: one failed load of one group, as the user sees it. The page comes as the BFF sends
  // it when that group's list failed: without that group and those after it (the app asks for them).
  await editPageBlock(page, (block) => blockWithGroupPage(block, 'high', undefined));
  let down = true;
  await page.route(
    (url) => url.pathname === '/api/studies' && url.searchParams.get('severity') === 'high',
    async (route) => {
      if (!down) return route.continue();
      return route.fulfill({
        status: 503,
        contentType: 'application/problem+json',
        body: JSON.stringify({
          type: '/problems/upstream-unavailable',
          title: 'The study service is unavailable',
          status: 503,
          detail: 'The Avara Viewer service did not answer. Try again in a moment.',
          retryable: false,
        }),
      });
    },
  );
  await openWorklist(page);

  await expect(groupCount(page, 'high')).toHaveText('⚠ Not loaded', { timeout: 15_000 });
  await queueButton(page, 'High').click();
  const alert = page.getByRole('alert').filter({ hasText: 'High studies could not be loaded' });
  await expect(alert).toContainText('The Avara Viewer service did not answer');
  await expect(groupCount(page, 'stat')).toHaveText(/^\d/);
  await expect(groupCount(page, 'normal')).toHaveText(/^\d/);
  await expect(studyRows(page).first()).toBeVisible();
  await queueButton(page, 'Normal').click();
  await expect(page.locator('[data-group="normal"]')).toBeInViewport();
  await queueButton(page, 'High').click();

  down = false;
  await alert.getByRole('button', { name: 'Retry High' }).click();
  await expect(alert).toHaveCount(0);
  await expect(groupCount(page, 'high')).toHaveText(/^\d/);
});

test('with 5,000 rows loaded, fewer than 150 row elements are in the DOM', async ({ page }) => {
  test.setTimeout(90_000);
  const total = 5_200;
  const pageSize = 100;
  // NORMAL is served from fixtures (the demo server seeds 2,500 studies in all); STAT and HIGH are real.
  await page.route(
    (url) => url.pathname === '/api/studies' && url.searchParams.get('severity') === 'normal',
    (route) => {
      const url = new URL(route.request().url());
      const start = Number(url.searchParams.get('cursor') ?? '0');
      const end = Math.min(total, start + pageSize);
      const studies = Array.from({ length: end - start }, (_, offset) => fixtureStudy('normal', start + offset));
      return route.fulfill({
        contentType: 'application/json',
        body: JSON.stringify({ studies, hasMore: end < total, cursor: end < total ? String(end) : null }),
      });
    },
  );
  // NORMAL's first page comes with the page: there it is the fixtures' first page, with its cursor,
  // so the group pages on from the page's cursor as from one the browser fetched.
  await editPageBlock(page, (block) =>
    blockWithGroupPage(
      block,
      'normal',
      JSON.stringify({
        studies: Array.from({ length: pageSize }, (_, index) => fixtureStudy('normal', index)),
        hasMore: true,
        cursor: String(pageSize),
      }),
    ),
  );
  const normalRequests: string[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.pathname === '/api/studies' && url.searchParams.get('severity') === 'normal')
      normalRequests.push(url.searchParams.get('cursor') ?? 'none');
  });
  await openWorklist(page, '?groups=high,normal');
  const scroller = worklistScroller(page);
  const count = groupCount(page, 'normal');
  await expect(count).toHaveAttribute('data-loaded', '100');

  for (let round = 0; round < 80; round += 1) {
    const text = (await count.getAttribute('data-loaded')) ?? '';
    if (Number(text) >= 5_000) break;
    await scroller.evaluate((element) => element.scrollTo(0, element.scrollHeight));
    await expect(count).not.toHaveAttribute('data-loaded', text);
  }
  await expect(count).toHaveAttribute('data-loaded', /^5\d{3}$/);
  // The first page was the page's; the browser asked only for the next ones, from the page's cursor on.
  expect(normalRequests[0]).toBe(String(pageSize));
  expect(normalRequests).not.toContain('none');

  const rowElements = await page.getByRole('row').count();
  test.info().annotations.push({ type: 'row elements at 5,000+ rows', description: String(rowElements) });
  console.log(
    `row elements in the DOM with ${await count.getAttribute('data-loaded')} normal rows loaded: ${rowElements}`,
  );
  expect(rowElements).toBeLessThan(150);

  // Scrolling back to the top still shows the first rows, rendered on demand.
  await scroller.evaluate((element) => element.scrollTo(0, 0));
  await expect(groupHeader(page, 'High')).toBeVisible();
  await expect(studyRows(page).first()).toBeVisible();
  expect(await page.getByRole('row').count()).toBeLessThan(150);
});

test('an unknown address shows the not-found page with a way back to the worklist', async ({ page }) => {
  await page.goto('/no/such/page');
  await expect(page.getByRole('heading', { level: 1, name: 'Page not found' })).toBeVisible();
  await page.getByRole('link', { name: 'Back to the worklist' }).click();
  await expect(page.getByRole('grid', { name: 'Worklist' })).toBeVisible();
});
