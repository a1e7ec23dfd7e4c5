import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { RouteObject } from 'react-router';
import { describe, expect, it } from 'vitest';
import type { StudyReport } from '../../../../contract/study-reports.ts';
import { createApiHandlers, createMockStudyService } from '../../../../mocks/api-handlers.ts';
import { withMockServer } from '../../../testing/mock-server.ts';
import { renderRoutes } from '../../../testing/render.tsx';
import { StudyDrawerRoute } from './study-drawer-route.tsx';

const service = createMockStudyService({ demoStudies: 20, now: new Date('2026-03-10T12:00:00Z') });
const reports = new Map<string, StudyReport[]>();
withMockServer(createApiHandlers({ service, reports }));

const routes: RouteObject[] = [{ path: '/studies/:studyId', element: <StudyDrawerRoute /> }];

function report(studyId: string, overrides: Partial<StudyReport> = {}): StudyReport {
  return {
    reportId: `rpt_${studyId.slice(4)}`,
    studyId,
    deliveredAt: new Date(Date.now() - 60_000).toISOString(),
    isCritical: false,
    plainText: 'FINDINGS: No acute abnormality.',
    pdf: { available: true, expiresAt: new Date(Date.now() + 3_000_000).toISOString() },
    ...overrides,
  };
}

describe("the drawer's reports", () => {
  it('shows that the study was reported, its text and the PDF link', async () => {
    const [first, second] = service.listStudies({ limit: 2, isCancelled: false }).studies;
    if (!first || !second) throw new Error('no studies');
    reports.set(first.studyId, [report(first.studyId)]);
    renderRoutes(routes, { route: `/studies/${first.studyId}` });
    const entry = await screen.findByRole('article', { name: 'Report' });
    expect(entry.textContent).toContain('FINDINGS: No acute abnormality.');
    expect(
      within(entry)
        .getByRole('link', { name: /Open the report PDF/ })
        .getAttribute('href'),
    ).toBe(`/api/studies/${first.studyId}/reports/rpt_${first.studyId.slice(4)}/pdf`);
    expect(within(entry).queryByRole('button', { name: 'Acknowledge' })).toBeNull();
  });

  it('alerts to a critical result until a coordinator acknowledges it, then says who', async () => {
    const study = service.listStudies({ limit: 5, isCancelled: false }).studies[3];
    if (!study) throw new Error('no study');
    reports.set(study.studyId, [
      report(study.studyId, {
        isCritical: true,
        pdf: { available: false, expiresAt: new Date(Date.now() - 1_000).toISOString() },
      }),
    ]);
    renderRoutes(routes, { route: `/studies/${study.studyId}` });
    const open = await screen.findByRole('article', { name: 'Critical result, not acknowledged' });
    expect(within(open).getByRole('alert').textContent).toContain('Critical result: needs acknowledgement');
    expect(open.textContent).toContain('The PDF link Avara sent has expired');
    await userEvent.click(await within(open).findByRole('button', { name: 'Acknowledge' }));
    const done = await screen.findByRole('article', { name: 'Critical result, acknowledged' });
    expect(done.textContent).toMatch(/critical result acknowledged by/);
    expect(within(done).queryByRole('button', { name: 'Acknowledge' })).toBeNull();
  });
});
