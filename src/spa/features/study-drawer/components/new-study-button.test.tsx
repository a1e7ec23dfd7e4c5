import { screen, waitFor, within } from '@testing-library/react';
import { http } from 'msw';
import { Outlet } from 'react-router';
import type { RouteObject } from 'react-router';
import { describe, expect, it } from 'vitest';
import { createApiHandlers, createMockStudyService } from '../../../../mocks/api-handlers.ts';
import { withMockServer } from '../../../testing/mock-server.ts';
import { renderRoutes } from '../../../testing/render.tsx';
import { NewStudyButton } from './new-study-button.tsx';

const service = createMockStudyService({ demoStudies: 30, now: new Date('2026-03-10T12:00:00Z') });
const server = withMockServer(createApiHandlers({ service }));

const routes: RouteObject[] = [
  {
    path: '/',
    element: (
      <div>
        <NewStudyButton />
        <Outlet />
      </div>
    ),
    children: [
      { index: true, element: null },
      { path: 'studies/by-uid/:studyInstanceUid', element: <p>Existing study by UID</p> },
      { path: 'studies/:studyId', element: <p>Drawer for the new study</p> },
    ],
  },
];

async function openForm() {
  const rendered = renderRoutes(routes, { route: '/?q=ct' });
  await rendered.user.click(await screen.findByRole('button', { name: 'New study' }));
  // The form loads on first use (its own chunk), so wait for it.
  const form = await screen.findByRole('form', { name: 'New study' });
  return { ...rendered, form };
}

// Typing into a form in jsdom is slow on a busy machine; these tests type a lot.
describe('NewStudyButton', { timeout: 20_000 }, () => {
  it('is offered to coordinators only', async () => {
    server.use(...createApiHandlers({ service, signedInAs: 'radiologist' }));
    renderRoutes(routes, { route: '/' });
    // Give the "who am I" request time to answer before checking that nothing appeared.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(screen.queryByRole('button', { name: 'New study' })).toBeNull();
  });

  it('checks the UID against the DICOM rules as the user types', async () => {
    const { form, user } = await openForm();
    const uid = within(form).getByRole('textbox', { name: 'Study Instance UID' });
    await user.type(uid, '1.2.03');
    expect(uid.getAttribute('aria-invalid')).toBe('true');
    expect(within(form).getByText('No part of a UID may start with 0 (a lone 0 is fine).')).toBeTruthy();
    await user.clear(uid);
    await user.type(uid, '1.2.a');
    expect(within(form).getByText('A UID has only digits and dots.')).toBeTruthy();
    await user.clear(uid);
    await user.click(uid);
    await user.paste(`1.${'2'.repeat(63)}`);
    expect(within(form).getByText('A UID is at most 64 characters (this one has 65).')).toBeTruthy();
    await user.clear(uid);
    await user.type(uid, '1.2.840.10008.0.1');
    expect(uid.getAttribute('aria-invalid')).toBeNull();
  });

  it('creates a study with only what was filled in, then opens it keeping the search', async () => {
    const bodies: unknown[] = [];
    server.use(
      http.post('*/api/studies', async ({ request }) => {
        bodies.push(await request.clone().json());
      }),
    );
    const { form, user, router } = await openForm();
    await user.selectOptions(within(form).getByRole('combobox', { name: 'Severity' }), 'STAT');
    await user.type(within(form).getByRole('textbox', { name: 'Description' }), 'CT Head without Contrast');
    await user.type(within(form).getByRole('textbox', { name: 'Study Instance UID' }), '1.2.840.99.1.2.3');
    await user.click(within(form).getByRole('button', { name: 'Add pair' }));
    await user.type(within(form).getByRole('textbox', { name: 'Key 1' }), 'source');
    await user.type(within(form).getByRole('textbox', { name: 'Value 1' }), 'ED');
    await user.click(within(form).getByRole('button', { name: 'Create study' }));

    await waitFor(() => expect(router.state.location.pathname).toMatch(/^\/studies\/stu_[0-9a-f]{32}$/));
    expect(router.state.location.search).toBe('?q=ct');
    expect(bodies).toEqual([
      {
        severity: 'stat',
        studyDescription: 'CT Head without Contrast',
        studyInstanceUid: '1.2.840.99.1.2.3',
        metadata: { source: 'ED' },
      },
    ]);
    expect(service.retrieveStudyByUid('1.2.840.99.1.2.3').studyDescription).toBe('CT Head without Contrast');
  });

  it('says a UID is taken and links to the study that has it', async () => {
    const existing = service.listStudies({ limit: 1 }).studies[0];
    if (!existing) throw new Error('the mock store has no studies');
    const { form, user, router } = await openForm();
    await user.type(within(form).getByRole('textbox', { name: 'Description' }), 'XR Chest');
    await user.type(within(form).getByRole('textbox', { name: 'Study Instance UID' }), existing.studyInstanceUid);
    await user.click(within(form).getByRole('button', { name: 'Create study' }));

    const alert = await within(form).findByRole('alert');
    expect(alert.textContent).toContain('A study with this Study Instance UID already exists.');
    await user.click(within(alert).getByRole('link', { name: 'Open the existing study' }));
    expect(router.state.location.pathname).toBe(`/studies/by-uid/${existing.studyInstanceUid}`);
    expect(screen.queryByRole('form', { name: 'New study' })).toBeNull();
  });

  it('blocks an incomplete form at the first field to fix', async () => {
    const { form, user } = await openForm();
    await user.click(within(form).getByRole('button', { name: 'Create study' }));
    expect(within(form).getByRole('alert').textContent).toBe('Fix the marked fields before creating the study.');
    await waitFor(() =>
      expect(document.activeElement).toBe(within(form).getByRole('textbox', { name: 'Study Instance UID' })),
    );
  });
});
