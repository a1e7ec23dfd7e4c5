import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { pacsRowOf, test as pacsTest } from './support/pacs.ts';
import { signInAs } from './support/sign-in.ts';
import { studyRows } from './support/worklist.ts';

/*
 * The worklist's first screen is in the page's HTML, rendered on the server from the SPA's own
 * components (decision record 041), and the app takes it over without a flash. Needs the built
 * renderer (`npm run build` writes dist-server/), as the other specs need dist/.
 */

test.beforeEach(async ({ page }) => {
  await signInAs(page, 'coordinator');
});

/** The raw HTML of `url` as the BFF sends it to the signed-in context. */
async function rawPage(page: Page, url: string): Promise<string> {
  const response = await page.request.get(url, { headers: { accept: 'text/html' } });
  expect(response.status()).toBe(200);
  expect(response.headers()['cache-control']).toBe('no-store');
  return response.text();
}

/** What `<div id="root">` holds in raw HTML. */
function rootOf(html: string): string {
  const start = html.indexOf('<div id="root">');
  const end = html.indexOf('<script type="application/json" id="rw-first-page">');
  return start < 0 || end < 0 ? '' : html.slice(start, end);
}

test('the page’s HTML holds the first screen’s rows, STAT first, for the list and for a search', async ({ page }) => {
  const html = await rawPage(page, '/');
  const root = rootOf(html);
  const rows = root.match(/data-study-row=""/g) ?? [];
  // A first screenful of the STAT group's first page (the page's data block), at most about 30 rows.
  const block = /<script type="application\/json" id="rw-first-page">([^<]*)<\/script>/.exec(html)?.[1] ?? '{}';
  const loaded = (JSON.parse(block) as { page?: { studies: unknown[] } }).page?.studies.length ?? 0;
  expect(loaded).toBeGreaterThan(0);
  expect(rows.length).toBeGreaterThanOrEqual(Math.min(loaded, 20));
  expect(rows.length).toBeLessThanOrEqual(40);
  expect(root.indexOf('data-group="stat"')).toBeGreaterThan(0);
  expect(root.indexOf('data-study-row')).toBeGreaterThan(root.indexOf('data-group="stat"'));
  expect(root).toContain('role="grid"');
  // A picture of the app until the app takes it over: nothing in it takes a click or a key.
  expect(root).toContain('<div data-first-screen inert>');

  // A search's first page too: rows that match it, already in the HTML.
  const first = (await (
    await page.request.get('/api/studies?severity=stat&studyViewerStatus=incomplete&isCancelled=false&limit=1', {
      headers: { 'x-csrf': '1' },
    })
  ).json()) as { studies: { studyDescription: string }[] };
  const word = first.studies[0]?.studyDescription.split(' ').at(-1) ?? '';
  const search = rootOf(await rawPage(page, `/?q=${encodeURIComponent(word)}`));
  expect(search).toContain(`value="${word}"`);
  expect((search.match(/data-study-row=""/g) ?? []).length).toBeGreaterThan(0);

  // Embedded in the portal: the compact list, without the product header.
  const embedded = rootOf(await rawPage(page, '/?embed=1'));
  expect(embedded).toContain('data-study-row');
  expect(embedded).not.toContain('<header');
});

async function contextWith(
  browser: Browser,
  page: Page,
  options: { javaScriptEnabled: boolean; theme?: string; baseURL?: string },
) {
  const context: BrowserContext = await browser.newContext({
    ...(options.baseURL ? { baseURL: options.baseURL } : {}),
    javaScriptEnabled: options.javaScriptEnabled,
    viewport: { width: 1440, height: 900 },
    colorScheme: 'dark',
    storageState: await page.context().storageState(),
  });
  if (options.theme) {
    const { origin, hostname } = new URL(
      page.url() === 'about:blank' ? (test.info().project.use.baseURL ?? '') : page.url(),
    );
    void origin;
    await context.addCookies([{ name: 'rw-theme', value: options.theme, domain: hostname, path: '/' }]);
  }
  return context;
}

test('without JavaScript the first screen shows, in the remembered theme', async ({ browser, page }) => {
  for (const theme of ['dark', 'light']) {
    const context = await contextWith(browser, page, { javaScriptEnabled: false, theme });
    const noScript = await context.newPage();
    await noScript.goto('/');
    await expect(noScript.locator('html')).toHaveAttribute('data-theme', theme);
    await expect(studyRows(noScript).first()).toBeVisible();
    await expect(noScript.locator('[data-group="stat"]').first()).toBeVisible();
    await noScript.screenshot({ path: test.info().outputPath(`first-screen-no-js-${theme}.png`) });
    await context.close();
  }
});

/**
 * Runs in the page before its scripts: notes, at every DOM change and every frame, the study rows on
 * screen (in the viewport: the server renders a screenful for a large screen, the app the rows of this
 * one, both at least what is visible).
 */
function watchRows(): void {
  const seen = {
    firstAt: -1,
    takenOver: false,
    serverVisible: -1,
    fewestVisible: Number.POSITIVE_INFINITY,
    checking: false,
    firstIsStat: true,
  };
  Object.assign(window, { __rows: seen });
  let serverRow: Element | null = null;
  const stylesIn = () =>
    Array.from(document.querySelectorAll<HTMLLinkElement>('link[rel="stylesheet"]')).every((link) => link.sheet);
  const look = () => {
    const rows = Array.from(document.querySelectorAll('[role="grid"] [data-study-row]'));
    const first = rows[0];
    if (first && !serverRow) {
      serverRow = first;
      seen.firstAt = performance.now();
    }
    // While the parser is still adding the server's rows, they come one by one: count once it is done,
    // and once the page's styles are in (no frame is painted before them; a layout without them would
    // count rows of a height never shown).
    if (!serverRow || document.readyState === 'loading' || !stylesIn()) return;
    if (first !== serverRow) seen.takenOver = true;
    const visible = rows.filter((row) => {
      const { top, bottom } = row.getBoundingClientRect();
      return bottom > 0 && top < window.innerHeight;
    }).length;
    if (!seen.takenOver && seen.serverVisible < 0) seen.serverVisible = visible;
    seen.fewestVisible = Math.min(seen.fewestVisible, visible);
    if (document.body.textContent.includes('Checking your session')) seen.checking = true;
    const stat = Number(document.querySelector('[data-group="stat"]')?.getAttribute('aria-rowindex') ?? Number.NaN);
    const rowIndex = Number(first?.getAttribute('aria-rowindex') ?? Number.NaN);
    if (!(rowIndex > stat)) seen.firstIsStat = false;
  };
  new MutationObserver(look).observe(document, { childList: true, subtree: true });
  const frame = () => {
    look();
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}

test('the app takes the server’s rows over without an empty frame, and the list then works', async ({ page }) => {
  await page.addInitScript(watchRows);
  await page.goto('/');
  await page.waitForFunction(() => (Reflect.get(window, '__rows') as { takenOver: boolean }).takenOver);
  // Rows keep coming while the app loads the other groups: wait a little, then read what was seen.
  await page.waitForTimeout(500);
  const seen = (await page.evaluate(() => Reflect.get(window, '__rows'))) as {
    firstAt: number;
    serverVisible: number;
    fewestVisible: number;
    checking: boolean;
    firstIsStat: boolean;
  };
  expect(seen.firstAt).toBeGreaterThan(0);
  // Never fewer rows on screen than the server's painted (the STAT group's first screenful), never the
  // session check.
  expect(seen.serverVisible).toBeGreaterThan(0);
  expect(seen.fewestVisible).toBeGreaterThanOrEqual(seen.serverVisible);
  expect(seen.checking).toBe(false);
  expect(seen.firstIsStat).toBe(true);
  await expect(page.locator('[data-first-screen], [inert]')).toHaveCount(0);
  await page.screenshot({ path: test.info().outputPath('first-screen-taken-over.png') });

  // The grid is the app's: keyboard focus moves from row to row, Enter opens the drawer.
  const rows = studyRows(page);
  await rows.first().focus();
  await page.keyboard.press('ArrowDown');
  await expect(rows.nth(1)).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/studies\/stu_/);
  await expect(page.getByRole('complementary', { name: 'Study' })).toBeVisible();
});

/** The column headers' names and places on screen. */
function headerPlaces(on: Page) {
  return on.getByRole('columnheader').evaluateAll((cells) =>
    cells.map((cell) => {
      const { x, width } = cell.getBoundingClientRect();
      return { name: cell.textContent.trim(), x: Math.round(x), width: Math.round(width) };
    }),
  );
}

/** The column headers as the server painted them at `address`, with JavaScript off. */
async function paintedHeaders(browser: Browser, page: Page, address: string, baseURL?: string) {
  const painted = await contextWith(browser, page, { javaScriptEnabled: false, baseURL });
  const serverPage = await painted.newPage();
  await serverPage.goto(address);
  await expect(studyRows(serverPage).first()).toBeVisible();
  const before = await headerPlaces(serverPage);
  await painted.close();
  return before;
}

test('the columns the server painted stay where they are once the app and its later parts are in', async ({
  browser,
  page,
}) => {
  const before = await paintedHeaders(browser, page, '/');
  const live = await contextWith(browser, page, { javaScriptEnabled: true });
  const app = await live.newPage();
  await app.goto('/');
  // The reading room's code (the Reading column's cells, the STAT alerts button) comes after the first screen.
  await expect(app.getByRole('button', { name: /STAT alerts/ })).toBeVisible();
  await expect(app.getByText('Live', { exact: true })).toBeVisible();
  expect(await headerPlaces(app)).toEqual(before);
  await live.close();
});

pacsTest(
  'with a PACS connected, its columns are in the server’s first screen and keep their places while their cells’ code comes',
  async ({ browser, page, pacs }) => {
    await signInAs(page, 'coordinator');
    const address = '/?assignee=anyone';
    const before = await paintedHeaders(browser, page, address, pacs.url);
    for (const name of ['Patient', 'Patient ID', 'Modality', 'Accession', 'Study date', 'Series / images'])
      expect(before.map((header) => header.name)).toContain(name);

    const live = await contextWith(browser, page, { javaScriptEnabled: true, baseURL: pacs.url });
    const app = await live.newPage();
    // The PACS columns' code comes late (past the first render's wait for it): the app's first render
    // has their slots, with empty cells, where the server painted them.
    let releaseCode: () => void = () => undefined;
    const codeHeld = new Promise<void>((resolve) => (releaseCode = resolve));
    await app.route(/\/assets\/pacs-worklist-extension-[^/]*\.js$/, async (route) => {
      await codeHeld;
      await route.continue();
    });
    await app.goto(address);
    await expect(app.locator('[data-first-screen]')).toHaveCount(0);
    await expect(studyRows(app).first()).toBeVisible();
    expect(await headerPlaces(app)).toEqual(before);
    await app.screenshot({ path: test.info().outputPath('first-screen-pacs-cells-pending.png') });
    releaseCode();

    // Once the cells' code is in, the rows show the PACS's values, and the columns have not moved.
    await expect(pacsRowOf(app, pacs.studies[0]!)).toBeVisible();
    await expect(app.getByRole('button', { name: /STAT alerts/ })).toBeVisible();
    expect(await headerPlaces(app)).toEqual(before);
    await app.screenshot({ path: test.info().outputPath('first-screen-pacs-loaded.png') });
    await live.close();
  },
);
