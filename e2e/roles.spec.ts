import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { signInAs, type DemoRole } from './support/sign-in.ts';

/** What each role sees: coordinators manage the worklist, radiologists read and report. */
const EXPECTATIONS: Record<DemoRole, { manage: boolean; assigneeDefault: RegExp }> = {
  coordinator: { manage: true, assigneeDefault: /anyone/i },
  radiologist: { manage: false, assigneeDefault: /^mine and unassigned/i },
};

const CSRF = { 'x-csrf': '1' };

for (const role of ['coordinator', 'radiologist'] as const) {
  test(`a ${role} sees the worklist and the drawer for their role`, async ({ page }) => {
    const user = await signInAs(page, role);
    const expectation = EXPECTATIONS[role];
    await page.goto('/');

    await expect(page.getByRole('banner')).toContainText(user.name);
    await expect(page.getByRole('banner')).toContainText(new RegExp(role, 'i'));
    await expect(page.getByRole('combobox', { name: 'Assignee' })).toHaveValue(/.+/);
    await expect(page.getByRole('combobox', { name: 'Assignee' }).locator('option:checked')).toHaveText(
      expectation.assigneeDefault,
    );
    await expect(page.getByRole('button', { name: 'New study' })).toHaveCount(expectation.manage ? 1 : 0);

    // The same unassigned study, opened in the drawer.
    const list = await page.request.get(
      '/api/studies?limit=1&assignedTo=&isCancelled=false&studyViewerStatus=incomplete',
      { headers: CSRF },
    );
    const [study] = (await list.json()).studies;
    await page.goto(`/studies/${study.studyId}`);
    const drawer = page
      .getByRole('complementary', { name: /study/i })
      .or(page.getByRole('dialog', { name: /study/i }))
      .first();
    await expect(drawer.getByRole('button', { name: 'Open in Viewer' })).toBeVisible();
    await expect(drawer.getByRole('button', { name: 'Assign to me' })).toBeVisible();
    // A radiologist reads a study once it is theirs: marking it read comes with claiming it.
    await expect(drawer.getByRole('button', { name: 'Mark read' })).toHaveCount(expectation.manage ? 1 : 0);
    await expect(drawer.getByRole('button', { name: 'Edit' })).toBeVisible();
    await expect(drawer.getByRole('button', { name: 'Cancel study' })).toHaveCount(expectation.manage ? 1 : 0);
    await expect(drawer.getByRole('button', { name: 'Severity STAT' })).toHaveCount(expectation.manage ? 1 : 0);
  });
}

let uidSequence = 0;

/** A new study with the keys the PACS sync writes, assigned as asked (made as a coordinator). */
async function studyAssignedTo(
  request: APIRequestContext,
  assignee: string | null,
): Promise<{ studyId: string; studyDescription: string; updatedAt: string }> {
  uidSequence += 1;
  const created = await request.post('/api/studies', {
    headers: CSRF,
    data: {
      severity: 'high',
      studyDescription: `CT Chest with Contrast (${assignee === null ? 'unassigned' : 'assigned'})`,
      studyInstanceUid: `1.2.826.0.1.3680043.10.${Date.now()}.${process.pid}.${uidSequence}`,
      metadata: {
        accessionNumber: `ACC${Date.now()}`,
        modality: 'CT',
        sourcePacs: 'orthanc:RW-E2E',
        reasonForExam: 'Follow-up nodule',
      },
    },
  });
  expect(created.status()).toBe(201);
  const study = await created.json();
  if (assignee !== null) {
    const patched = await request.patch(`/api/studies/${study.studyId}`, {
      headers: { ...CSRF, 'if-match': `"${study.updatedAt}"` },
      data: { assignedTo: assignee },
    });
    expect(patched.status()).toBe(200);
  }
  return study;
}

async function openStudy(page: Page, study: { studyId: string; studyDescription: string }) {
  await page.goto(`/studies/${study.studyId}`);
  const drawer = page.getByRole('complementary', { name: 'Study' });
  await expect(drawer.getByRole('heading', { level: 2 })).toHaveText(study.studyDescription);
  await expect(drawer.getByRole('button', { name: 'Open in Viewer' })).toBeVisible();
  return drawer;
}

test('a radiologist is offered only what they may do: their own study, someone else’s, an unassigned one', async ({
  page,
}, testInfo) => {
  const whoAmI = async () => (await (await page.request.get('/api/me', { headers: CSRF })).json()).userId;
  await signInAs(page, 'radiologist');
  const radiologistId = await whoAmI();
  await signInAs(page, 'coordinator');
  const own = await studyAssignedTo(page.request, radiologistId);
  const someoneElses = await studyAssignedTo(page.request, await whoAmI());
  const unassigned = await studyAssignedTo(page.request, null);
  await signInAs(page, 'radiologist');

  const ownDrawer = await openStudy(page, own);
  await expect(ownDrawer.getByRole('button', { name: 'Mark read' })).toBeVisible();
  await expect(ownDrawer.getByRole('button', { name: 'Assign to me' })).toHaveCount(0);
  await page.screenshot({ path: testInfo.outputPath('radiologist-own-study.png') });
  await ownDrawer.getByRole('button', { name: 'Edit' }).click();
  const form = ownDrawer.getByRole('form', { name: 'Edit study' });
  const accession = form.getByRole('textbox', { name: 'Key 1' });
  await expect(accession).toHaveValue('accessionNumber');
  await expect(accession).not.toBeEditable();
  await expect(form.getByRole('button', { name: /\(accessionNumber\)$/ })).toHaveCount(0);
  await expect(form.getByRole('button', { name: /\(reasonForExam\)$/ })).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('radiologist-own-study-edit.png') });
  await form.getByRole('button', { name: 'Cancel' }).click();

  const otherDrawer = await openStudy(page, someoneElses);
  for (const name of ['Mark read', 'Assign to me', 'Edit', 'Cancel study'])
    await expect(otherDrawer.getByRole('button', { name })).toHaveCount(0);
  await expect(otherDrawer).toContainText('This study is assigned to someone else');
  await page.screenshot({ path: testInfo.outputPath('radiologist-someone-elses-study.png') });
  // The BFF refuses what the page does not offer.
  const refused = await page.request.patch(`/api/studies/${someoneElses.studyId}`, {
    headers: { ...CSRF, 'if-match': '*' },
    data: { studyViewerStatus: 'complete' },
  });
  expect(refused.status()).toBe(403);

  const unassignedDrawer = await openStudy(page, unassigned);
  await expect(unassignedDrawer.getByRole('button', { name: 'Assign to me' })).toBeVisible();
  await expect(unassignedDrawer.getByRole('button', { name: 'Mark read' })).toHaveCount(0);
  await page.screenshot({ path: testInfo.outputPath('radiologist-unassigned-study.png') });
  await unassignedDrawer.getByRole('button', { name: 'Edit' }).click();
  await expect(unassignedDrawer).toContainText('Assign it to yourself to mark it read or change its notes.');
  await page.screenshot({ path: testInfo.outputPath('radiologist-unassigned-study-edit.png') });
  await unassignedDrawer.getByRole('button', { name: 'Cancel' }).click();
  await unassignedDrawer.getByRole('button', { name: 'Assign to me' }).click();
  await expect(unassignedDrawer.getByRole('button', { name: 'Mark read' })).toBeVisible();
});
