import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, test, type Page } from '@playwright/test';
import { signInAs } from './support/sign-in.ts';
import { openWorklist } from './support/worklist.ts';
import { seriousViolations } from './support/axe.ts';
import { screenshotPath } from './support/screenshots.ts';

// A critical report delivered by the bundled server (npm run demo:report, signed with the key the
// bundled server generated into DATA_DIR) reaches the worklist live, stays until acknowledged in the
// drawer, and the acknowledgement is audited.

const run = promisify(execFile);

/** An unread, unassigned High study nobody else's spec touches (the last page of the group). */
async function pickStudy(page: Page): Promise<{ studyId: string; studyDescription: string }> {
  const answer = await page.request.get(
    '/api/studies?severity=high&studyViewerStatus=incomplete&isCancelled=false&assignedTo=&limit=100',
    { headers: { 'x-csrf': '1' } },
  );
  expect(answer.ok()).toBe(true);
  const { studies }: { studies: Array<{ studyId: string; studyDescription: string }> } = await answer.json();
  const study = studies.at(-7);
  if (!study) throw new Error('No High study to report on');
  return study;
}

async function deliverReport(studyId: string, critical: boolean): Promise<void> {
  const { stdout } = await run(
    process.execPath,
    ['scripts/demo-report.ts', studyId, ...(critical ? ['--critical'] : [])],
    {
      env: {
        ...process.env,
        WORKLIST_URL: `http://127.0.0.1:${process.env.E2E_PORT ?? 8181}`,
        DATA_DIR: process.env.E2E_DATA_DIR ?? '',
      },
    },
  );
  expect(stdout).toContain(': 200 {"success":true}');
}

test('a critical report from the bundled server alerts the worklist live and the drawer until acknowledged, and the acknowledgement is audited', async ({
  page,
}) => {
  test.setTimeout(180_000);
  await signInAs(page, 'coordinator');
  const study = await pickStudy(page);
  await page.emulateMedia({ colorScheme: 'dark' });
  await openWorklist(page);
  const banner = page.getByRole('region', { name: /critical results? needs? acknowledgement/ });

  // Delivered while the page is open: the alert arrives through the event stream, no reload.
  await deliverReport(study.studyId, true);
  await expect(banner).toBeVisible();
  const link = banner.getByRole('link', { name: study.studyDescription }).first();
  await expect(link).toBeVisible();
  for (const theme of ['dark', 'light'] as const) {
    await page.emulateMedia({ colorScheme: theme });
    await page.screenshot({ path: screenshotPath(`critical-results-worklist-${theme}.png`) });
    expect(await seriousViolations(page)).toEqual([]);
  }

  // Keyboard: the banner's link opens the study's drawer.
  await link.focus();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(new RegExp(`/studies/${study.studyId}`));
  const drawer = page.getByRole('complementary', { name: 'Study' });
  const alert = drawer.getByRole('article', { name: 'Critical result, not acknowledged' });
  await expect(alert).toBeVisible();
  await expect(alert).toContainText('CRITICAL RESULT');
  const pdfLink = alert.getByRole('link', { name: /Open the report PDF/ });
  const pdf = await page.request.get((await pdfLink.getAttribute('href')) ?? '');
  expect(pdf.status()).toBe(200);
  expect(pdf.headers()['content-type']).toBe('application/pdf');
  expect(pdf.headers()['cache-control']).toBe('no-store');
  expect((await pdf.body()).subarray(0, 5).toString('latin1')).toBe('%PDF-');
  for (const theme of ['dark', 'light'] as const) {
    await page.emulateMedia({ colorScheme: theme });
    await page.screenshot({ path: screenshotPath(`critical-results-drawer-${theme}.png`) });
    expect(await seriousViolations(page)).toEqual([]);
  }

  // The "Critical results" filter lists the study; Back restores the list without it.
  await page.goto(`/?critical=1&assignee=anyone`);
  await expect(page.getByRole('checkbox', { name: 'Critical results' })).toBeChecked();
  await expect(page.getByRole('grid', { name: 'Worklist' }).getByText(study.studyDescription).first()).toBeVisible();
  await page.goBack();
  await expect(page).toHaveURL(new RegExp(`/studies/${study.studyId}`));

  const acknowledge = drawer.getByRole('button', { name: 'Acknowledge' });
  await acknowledge.click();
  await expect(drawer.getByRole('article', { name: 'Critical result, acknowledged' })).toContainText('acknowledged by');
  await expect(drawer.getByRole('article', { name: 'Critical result, not acknowledged' })).toHaveCount(0);
  await expect(banner.getByRole('link', { name: study.studyDescription })).toHaveCount(0);

  const audit = readFileSync(join(process.env.E2E_DATA_DIR ?? '', 'audit.log'), 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line): Record<string, unknown> => JSON.parse(line));
  expect(audit).toContainEqual(
    expect.objectContaining({
      action: 'report.acknowledge',
      studyId: study.studyId,
      outcome: 'ok',
      after: expect.objectContaining({
        acknowledgement: expect.objectContaining({ by: expect.any(String), at: expect.any(String) }),
      }),
    }),
  );
  expect(audit).toContainEqual(
    expect.objectContaining({ action: 'webhook.avara', studyId: study.studyId, outcome: 'ok' }),
  );
});
