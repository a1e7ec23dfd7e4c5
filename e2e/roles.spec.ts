import { expect, test } from '@playwright/test';
import { signInAs, type DemoRole } from './support/sign-in.ts';

/** What each role sees: coordinators manage the worklist, radiologists read and report. */
const EXPECTATIONS: Record<DemoRole, { manage: boolean; assigneeDefault: RegExp }> = {
  coordinator: { manage: true, assigneeDefault: /anyone/i },
  radiologist: { manage: false, assigneeDefault: /me/i },
};

for (const role of ['coordinator', 'radiologist'] as const) {
  test(`a ${role} sees the worklist and the drawer for their role`, async ({ page }) => {
    const user = await signInAs(page, role);
    const expectation = EXPECTATIONS[role];
    await page.goto('/');

    await expect(page.getByRole('banner')).toContainText(user.name);
    await expect(page.getByRole('banner')).toContainText(new RegExp(role, 'i'));
    await expect(page.getByRole('combobox', { name: 'Assignee' })).toHaveValue(/.+/);
    await expect(page.getByRole('combobox', { name: 'Assignee' }).locator('option:checked')).toHaveText(expectation.assigneeDefault);
    await expect(page.getByRole('button', { name: 'New study' })).toHaveCount(expectation.manage ? 1 : 0);

    // The same unassigned study, opened in the drawer.
    const list = await page.request.get('/api/studies?limit=1&assignedTo=&isCancelled=false&studyViewerStatus=incomplete', { headers: { 'x-csrf': '1' } });
    const [study] = (await list.json()).studies;
    await page.goto(`/studies/${study.studyId}`);
    const drawer = page.getByRole('complementary', { name: /study/i }).or(page.getByRole('dialog', { name: /study/i })).first();
    await expect(drawer.getByRole('button', { name: 'Open in Viewer' })).toBeVisible();
    await expect(drawer.getByRole('button', { name: 'Mark read' })).toBeVisible();
    await expect(drawer.getByRole('button', { name: 'Assign to me' })).toBeVisible();
    await expect(drawer.getByRole('button', { name: 'Cancel study' })).toHaveCount(expectation.manage ? 1 : 0);
    await expect(drawer.getByRole('button', { name: 'Severity STAT' })).toHaveCount(expectation.manage ? 1 : 0);
  });
}
