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
