import { expect, openPacsStudy, pacsRowOf, test } from './support/pacs.ts';
import { signInAs } from './support/sign-in.ts';
import { screenshotPath } from './support/screenshots.ts';

/*
 * PACS context against a real Orthanc (three generated STAT studies) and a BFF of its own with
 * ORTHANC_URL set (e2e/support/pacs.ts); the sync loop has put the studies on the worklist, beside a
 * few demo studies the PACS does not have.
 */

test.describe.configure({ mode: 'serial' });

test('the worklist shows each study’s patient and modality from the PACS, and says when one is not there', async ({
  page,
  pacs,
}) => {
  await signInAs(page, 'coordinator');
  const contextCalls: unknown[] = [];
  page.on('request', (request) => {
    if (request.url().endsWith('/api/pacs/context')) contextCalls.push(request.postDataJSON());
  });
  await page.goto('/?assignee=anyone');
  const grid = page.getByRole('grid', { name: 'Worklist' });
  await expect(grid.getByRole('columnheader', { name: /^Patient\b/ }).first()).toBeVisible();

  for (const study of pacs.studies) {
    const row = pacsRowOf(page, study);
    await expect(row).toBeVisible();
    await expect(row).toContainText(study.spec.modality);
    await expect(row).toContainText(study.spec.patientId);
    await expect(row).toContainText(study.spec.accessionNumber);
  }
  await expect(pacsRowOf(page, pacs.studies[0]!)).toContainText('2 series · 6 images');
  // The demo studies are not in this PACS, and say so.
  await expect(grid.getByText('Not in PACS').first()).toBeVisible();
  // The page carries its groups' first pages with their context (decision record 044): the browser
  // asks only for what the page did not bring, one context request per page of rows, never one per row.
  expect(contextCalls.length).toBeLessThanOrEqual(3);
  await page.screenshot({ path: screenshotPath('pacs-worklist.png') });
});

test('the drawer shows the PACS context and a preview, and opens the study in Orthanc’s viewer', async ({
  page,
  context,
  pacs,
}) => {
  const study = pacs.studies[0]!;
  const drawer = await openPacsStudy(page, study);

  const panel = drawer.getByRole('region', { name: 'From the PACS' });
  await expect(panel).toContainText(study.shownName);
  await expect(panel).toContainText(study.spec.patientId);
  await expect(panel).toContainText(study.spec.accessionNumber);
  const preview = panel.getByRole('img', { name: `Preview of ${study.spec.studyDescription}, its first frame` });
  await expect(preview).toBeVisible();
  await expect(panel.getByText('Loading preview…')).toHaveCount(0);
  expect(await preview.evaluate((image: HTMLImageElement) => image.complete && image.naturalWidth > 0)).toBe(true);
  await page.screenshot({ path: screenshotPath('pacs-drawer.png') });

  // Open in Viewer: Orthanc's web viewer shows one series at a time, so the launch page of this
  // two-series study lists both; each opens the viewer, served through the BFF.
  const newTab = context.waitForEvent('page');
  await drawer.getByRole('button', { name: 'Open in Viewer' }).click();
  const launch = await newTab;
  await expect(launch.getByRole('heading', { level: 1 })).toHaveText(`${study.spec.studyDescription}: 2 series`);
  const seriesLinks = launch.getByRole('link', { name: /^Series \d+ · CT/ });
  await expect(seriesLinks).toHaveCount(2);
  await launch.screenshot({ path: screenshotPath('pacs-viewer-series.png') });
  const viewerTab = context.waitForEvent('page');
  await seriesLinks.nth(1).click();
  const viewer = await viewerTab;
  const frame = viewer.waitForResponse(
    (response) => response.url().includes('/web-viewer/instances/') && response.ok(),
    { timeout: 20_000 },
  );
  await viewer.waitForURL(/\/web-viewer\/app\/viewer\.html/);
  await frame;
  await expect(viewer.locator('canvas').first()).toBeVisible();
  // The decoded frame is drawn on the next animation frames.
  await viewer.waitForTimeout(750);
  await viewer.screenshot({ path: screenshotPath('pacs-viewer.png') });
});
