import { screen, waitFor, within } from '@testing-library/react';
import { Outlet } from 'react-router';
import type { RouteObject } from 'react-router';
import { describe, expect, it } from 'vitest';
import type { Study } from '../../../../contract/avara-types.ts';
import { createApiHandlers, createMockStudyService } from '../../../../mocks/api-handlers.ts';
import { authKeys } from '../../../lib/auth/auth-keys.ts';
import { withMockServer } from '../../../testing/mock-server.ts';
import { renderRoutes } from '../../../testing/render.tsx';
import { StudyDrawerRoute } from './study-drawer-route.tsx';

const service = createMockStudyService({ demoStudies: 40, now: new Date('2026-03-10T12:00:00Z') });
withMockServer(createApiHandlers({ service }));

const routes: RouteObject[] = [
  {
    path: '/',
    element: (
      <>
        <button type="button">Outside the drawer</button>
        <Outlet />
      </>
    ),
    children: [{ path: 'studies/:studyId', element: <StudyDrawerRoute /> }],
  },
];

let pick = 0;
function unreadStudy(): Study {
  const studies = service.listStudies({ limit: 40, isCancelled: false, studyViewerStatus: 'incomplete' }).studies;
  const study = studies[pick % studies.length];
  pick += 1;
  if (!study) throw new Error('the mock store has no unread study');
  return study;
}

async function openDrawer(study: Study) {
  const rendered = renderRoutes(routes, { route: `/studies/${study.studyId}` });
  const drawer = await screen.findByRole('complementary', { name: 'Study' });
  await within(drawer).findByRole('heading', { level: 2, name: study.studyDescription });
  await waitFor(() => expect(rendered.queryClient.getQueryState(authKeys.me())?.status).toBe('success'));
  await within(drawer).findByRole('button', { name: 'Edit' });
  return { ...rendered, drawer };
}

describe('the drawer from the keyboard', () => {
  it('keeps Tab and Shift+Tab inside while open', async () => {
    const { drawer, user } = await openDrawer(unreadStudy());
    for (let step = 0; step < 25; step += 1) {
      await user.tab();
      expect(drawer.contains(document.activeElement)).toBe(true);
    }
    for (let step = 0; step < 25; step += 1) {
      await user.tab({ shift: true });
      expect(drawer.contains(document.activeElement)).toBe(true);
    }
  });

  it('puts focus in the form after Edit (e), back on Edit after Cancel, and on the status line after Mark read (m)', async () => {
    const { drawer, user } = await openDrawer(unreadStudy());
    await user.keyboard('e');
    const form = await within(drawer).findByRole('form', { name: 'Edit study' });
    await waitFor(() => expect(form.contains(document.activeElement)).toBe(true));
    expect(document.activeElement?.matches('input,select,textarea')).toBe(true);

    await user.click(within(form).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(document.activeElement).toBe(within(drawer).getByRole('button', { name: 'Edit' })));

    await user.keyboard('m');
    const status = await within(drawer).findByText('Mark read: done.');
    await waitFor(() => expect(document.activeElement).toBe(status));
  });
});
