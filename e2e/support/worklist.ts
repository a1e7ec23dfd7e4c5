import { expect, type Locator, type Page, type Request } from '@playwright/test';

/** The worklist's scroller: the element that scrolls the one virtualized list of every group. */
export function worklistScroller(page: Page): Locator {
  return page.getByRole('grid', { name: 'Worklist' }).locator('xpath=..');
}

/** The header button of a severity group, e.g. "STAT studies, 12". */
export function groupHeader(page: Page, label: 'STAT' | 'High' | 'Normal'): Locator {
  return page.locator(`[data-group="${label.toLowerCase()}"]`).first().getByRole('button');
}

/** The count the queue summary shows for a group ("12" exactly, "100+" at least: more to load); `data-loaded` says what is loaded. */
export function groupCount(page: Page, severity: 'stat' | 'high' | 'normal'): Locator {
  return page.getByTestId(`group-count-${severity}`).first();
}

/** Rows of studies currently in the DOM (the virtualizer keeps only those near the viewport). */
export function studyRows(page: Page): Locator {
  return page.locator('[data-study-row]');
}

/** Waits for the list request of one severity group, optionally matching more query parameters. */
export function waitForListRequest(
  page: Page,
  severity: string,
  params: Record<string, string | null> = {},
): Promise<Request> {
  return page.waitForRequest((request) => {
    const url = new URL(request.url());
    if (url.pathname !== '/api/studies' || url.searchParams.get('severity') !== severity) return false;
    return Object.entries(params).every(([name, value]) => url.searchParams.get(name) === value);
  });
}

/** Opens the worklist and waits until the first group shown has answered. */
export async function openWorklist(page: Page, search = ''): Promise<void> {
  await page.goto(`/${search}`);
  await expect(page.getByRole('grid', { name: 'Worklist' })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Queues' }).getByRole('button').first()).not.toContainText(
    'Loading…',
  );
}

/** The queue summary's button for a group: shows its count, and jumps to it. */
export function queueButton(page: Page, label: 'STAT' | 'High' | 'Normal'): Locator {
  return page.getByRole('navigation', { name: 'Queues' }).getByRole('button', { name: new RegExp(`^${label}`) });
}

let sequence = 0;

function hex(length: number, seed: number): string {
  let text = '';
  let value = seed;
  while (text.length < length) {
    value = (value * 1103515245 + 12345) % 2 ** 31;
    text += value.toString(16).padStart(8, '0');
  }
  return text.slice(0, length);
}

/** A study in the API's shape, for `page.route` fixtures. */
export function fixtureStudy(severity: 'stat' | 'high' | 'normal', index: number): Record<string, unknown> {
  sequence += 1;
  const created = new Date(Date.UTC(2026, 0, 1) + index * 60_000).toISOString();
  return {
    studyId: `stu_${hex(32, index * 7 + 1)}`,
    studyInstanceUid: `1.2.826.0.1.3680043.10.${index + 1}.${sequence}`,
    studyDescription: `Fixture ${severity} study ${index + 1}`,
    severity,
    studyViewerStatus: 'incomplete',
    isCancelled: false,
    cancelledAt: null,
    createdAt: created,
    updatedAt: created,
    assignedTo: null,
    expressCustomer: null,
    org: null,
    metadata: null,
  };
}

/** One group's first page in the worklist page's data block: the filters the BFF asked with, the list answer. */
export interface BlockGroup {
  filters: Record<string, unknown>;
  page: unknown;
}

/**
 * The worklist page's data block (`<script type="application/json" id="rw-first-page">`,
 * src/bff/plugins/static-spa.ts): the first group's page, the later groups' (`more`), with a PACS its part.
 */
export interface PageBlock extends BlockGroup {
  more?: BlockGroup[];
  pacs?: unknown;
}

const BLOCK = /<script type="application\/json" id="rw-first-page">([^<]*)<\/script>/;

/** The data block of a worklist page's raw HTML, parsed. */
export function pageBlockOf(html: string): PageBlock | undefined {
  const text = BLOCK.exec(html)?.[1];
  return text === undefined ? undefined : (JSON.parse(text) as PageBlock);
}

/** The block's groups in order, first group first. */
export function blockGroups(block: PageBlock): BlockGroup[] {
  return [{ filters: block.filters, page: block.page }, ...(block.more ?? [])];
}

/**
 * The block's JSON text with one group's first page given as `pageText` (any text, JSON or not),
 * or, with `pageText` undefined, without that group and the groups after it (what the BFF sends
 * when that group's list did not answer in time or failed). The first group cannot be left out.
 */
export function blockWithGroupPage(block: PageBlock, severity: string, pageText: string | undefined): string {
  const marker = '"__group_page__"';
  const groups = blockGroups(block);
  const at = groups.findIndex((group) => group.filters.severity === severity);
  if (at < 0) throw new Error(`The page carries no ${severity} group`);
  const kept =
    pageText === undefined
      ? groups.slice(0, at)
      : groups.map((group, index) => (index === at ? { ...group, page: JSON.parse(marker) as unknown } : group));
  const [first, ...more] = kept;
  if (!first) throw new Error('The first group cannot be left out of the page');
  const json = JSON.stringify({ ...block, ...first, more: more.length > 0 ? more : undefined });
  return pageText === undefined ? json : json.replace(marker, pageText);
}

/**
 * Serves the worklist's pages as the BFF sends them, with the data block's JSON text replaced by
 * what `edit` makes of it (written safely into the element, as the BFF does): for the specs whose
 * fixture or fault is in a group's first page, which comes with the page and not from a request.
 */
export async function editPageBlock(page: Page, edit: (block: PageBlock) => string): Promise<void> {
  await page.route(
    (url) => url.pathname === '/' || url.pathname.startsWith('/studies/'),
    async (route) => {
      if (route.request().resourceType() !== 'document') return route.fallback();
      const response = await route.fetch();
      const html = await response.text();
      const block = pageBlockOf(html);
      if (!block) return route.fulfill({ response, body: html });
      const text = edit(block).replace(/[<>&]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
      return route.fulfill({
        response,
        body: html.replace(BLOCK, () => `<script type="application/json" id="rw-first-page">${text}</script>`),
      });
    },
  );
}
