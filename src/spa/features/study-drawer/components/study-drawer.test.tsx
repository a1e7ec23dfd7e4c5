import { screen, waitFor, within } from '@testing-library/react';
import { http } from 'msw';
import { Link, Outlet } from 'react-router';
import type { RouteObject } from 'react-router';
import { describe, expect, it, vi } from 'vitest';
import type { Study } from '../../../../contract/avara-types.ts';
import type { Problem } from '../../../../contract/problem.ts';
import { createApiHandlers, createMockStudyService } from '../../../../mocks/api-handlers.ts';
import { problemResponse } from '../../../../mocks/problem-response.ts';
import { authKeys } from '../../../lib/auth/auth-keys.ts';
import { draftOwnerOf } from '../../../lib/drafts/draft-owners.ts';
import { drafts } from '../../../lib/drafts/draft-store.ts';
import { withMockServer } from '../../../testing/mock-server.ts';
import { renderRoutes } from '../../../testing/render.tsx';
import { keepStudyEdit } from '../lib/study-draft-storage.ts';
import { draftFromStudy } from '../lib/study-draft.ts';
import { StudyByUidRoute } from './study-by-uid-route.tsx';
import { StudyDrawerRoute } from './study-drawer-route.tsx';

const service = createMockStudyService({ demoStudies: 60, now: new Date('2026-03-10T12:00:00Z') });
const server = withMockServer(createApiHandlers({ service }));

/** The next save (PATCH) of a study answers `problem`; the one after goes through. */
function refuseNextSave(problem: Problem) {
  server.use(http.patch('*/api/studies/:studyId', () => problemResponse(problem), { once: true }));
}

/** A stand-in for the worklist: a row link to focus, and the drawer beside it. */
function routes(studyId: string): RouteObject[] {
  return [
    {
      path: '/',
      element: (
        <div>
          <h1>Worklist</h1>
          <Link to={{ pathname: `/studies/${studyId}`, search: '?q=ct' }}>Open row</Link>
          <Outlet />
        </div>
      ),
      children: [
        { index: true, element: null },
        { path: 'studies/by-uid/:studyInstanceUid', element: <StudyByUidRoute /> },
        { path: 'studies/:studyId', element: <StudyDrawerRoute /> },
      ],
    },
  ];
}

let pick = 0;
/** A different active study per test, so the tests' changes do not meet. */
function freshStudy(extra: (study: Study) => boolean = () => true): Study {
  const studies = service.listStudies({ limit: 60, isCancelled: false }).studies.filter(extra);
  const study = studies[pick % studies.length];
  pick += 1;
  if (!study) throw new Error('the mock store has no such study');
  return study;
}

async function openDrawer(study: Study, route = `/studies/${study.studyId}?q=ct`) {
  const rendered = renderRoutes(routes(study.studyId), { route });
  const drawer = await screen.findByRole('complementary', { name: 'Study' });
  await within(drawer).findByRole('heading', { level: 2, name: study.studyDescription });
  // Until the person is known the drawer offers only what anyone may do (the app waits for them first).
  await waitFor(() => expect(rendered.queryClient.getQueryState(authKeys.me())?.status).toBe('success'));
  return { ...rendered, drawer };
}

/** Records PATCH bodies, then lets the mock BFF answer. */
function recordPatches(): unknown[] {
  const bodies: unknown[] = [];
  server.use(
    http.patch('*/api/studies/:studyId', async ({ request }) => {
      bodies.push(await request.clone().json());
    }),
  );
  return bodies;
}

// Typing into a form in jsdom is slow on a busy machine; these tests type a lot.
describe('StudyDrawer', { timeout: 20_000 }, () => {
  it('shows every field of the study and moves focus into the drawer', async () => {
    const study = freshStudy((candidate) => candidate.assignedTo != null);
    const { drawer } = await openDrawer(study);

    expect(document.activeElement).toBe(within(drawer).getByRole('heading', { level: 2 }));
    expect(within(drawer).getByText(study.studyInstanceUid)).toBeTruthy();
    expect(within(drawer).getByRole('button', { name: 'Copy Study Instance UID' })).toBeTruthy();
    expect(within(drawer).getByText(study.assignedTo?.email ?? '')).toBeTruthy();
    expect(within(drawer).getByText(study.studyId)).toBeTruthy();
    const created = within(drawer).getByText('Created').nextElementSibling?.querySelector('time');
    expect(created?.getAttribute('title')).toMatch(/\d/);
    expect(within(drawer).getByRole('heading', { name: 'Metadata' })).toBeTruthy();
  });

  it('says clearly when there is no such study', async () => {
    renderRoutes(routes('x'), { route: `/studies/stu_${'0'.repeat(32)}` });
    expect(await screen.findByRole('heading', { level: 2, name: 'Study not found' })).toBeTruthy();
    expect(screen.getByText(/No study has the ID/)).toBeTruthy();
  });

  it('resolves a Study Instance UID and opens the same drawer, keeping the search', async () => {
    const study = freshStudy();
    const { router } = renderRoutes(routes(study.studyId), { route: `/studies/by-uid/${study.studyInstanceUid}?q=ct` });
    expect(await screen.findByRole('heading', { level: 2, name: study.studyDescription })).toBeTruthy();
    expect(router.state.location.pathname).toBe(`/studies/${study.studyId}`);
    expect(router.state.location.search).toBe('?q=ct');
  });

  it('says clearly when no study has the UID', async () => {
    renderRoutes(routes('x'), { route: '/studies/by-uid/1.2.3.999999999' });
    expect(await screen.findByRole('heading', { level: 2, name: 'Study not found' })).toBeTruthy();
    expect(screen.getByText(/No study has the Study Instance UID “1.2.3.999999999”/)).toBeTruthy();
  });

  it('closes on Esc and goes back to the list with its search params', async () => {
    const study = freshStudy();
    const { router, user } = await openDrawer(study);
    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByRole('complementary', { name: 'Study' })).toBeNull());
    expect(router.state.location.pathname).toBe('/');
    expect(router.state.location.search).toBe('?q=ct');
  });

  it('returns focus to the row that opened it', async () => {
    const study = freshStudy();
    const { user } = renderRoutes(routes(study.studyId), { route: '/' });
    const row = screen.getByRole('link', { name: 'Open row' });
    row.focus();
    await user.keyboard('{Enter}');
    const drawer = await screen.findByRole('complementary', { name: 'Study' });
    await within(drawer).findByRole('heading', { level: 2, name: study.studyDescription });
    await user.click(within(drawer).getByRole('button', { name: 'Close study' }));
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('link', { name: 'Open row' })));
  });

  it('saves only what changed, and asks before discarding edits', async () => {
    const study = freshStudy();
    const patches = recordPatches();
    const { drawer, user, router } = await openDrawer(study);

    await user.click(within(drawer).getByRole('button', { name: 'Edit' }));
    await user.click(within(drawer).getByRole('button', { name: 'Add pair' }));
    await user.type(within(drawer).getByRole('textbox', { name: /^Key \d+$/, description: /./ }), 'protocol');
    const keys = within(drawer).getAllByRole('textbox', { name: /^Key \d+$/ });
    const values = within(drawer).getAllByRole('textbox', { name: /^Value \d+$/ });
    expect(keys.at(-1)?.getAttribute('value')).toBe('protocol');
    await user.type(values.at(-1) ?? document.body, 'low dose');

    // An accidental Esc does not lose the edits.
    within(drawer).getByRole('button', { name: 'Save changes' }).focus();
    await user.keyboard('{Escape}');
    const question = await screen.findByRole('alertdialog', { name: 'Discard your unsaved changes?' });
    await user.click(within(question).getByRole('button', { name: 'Keep editing' }));
    expect(router.state.location.pathname).toBe(`/studies/${study.studyId}`);

    await user.click(within(drawer).getByRole('button', { name: 'Save changes' }));
    expect(await within(drawer).findByText('Changes saved.')).toBeTruthy();
    expect(patches).toEqual([{ metadata: { ...study.metadata, protocol: 'low dose' } }]);
    expect(within(drawer).getByText('low dose')).toBeTruthy();
  });

  it('checks metadata limits as the user types and blocks saving', async () => {
    const study = freshStudy();
    const patches = recordPatches();
    const { drawer, user } = await openDrawer(study);
    await user.click(within(drawer).getByRole('button', { name: 'Edit' }));
    await user.click(within(drawer).getByRole('button', { name: 'Add pair' }));
    const key =
      within(drawer)
        .getAllByRole('textbox', { name: /^Key \d+$/ })
        .at(-1) ?? document.body;
    expect(key.getAttribute('aria-invalid')).toBe('true');
    await user.click(key);
    await user.paste('k'.repeat(101));
    expect(within(drawer).getByText('Keys are at most 100 characters (this one has 101).')).toBeTruthy();

    await user.click(within(drawer).getByRole('button', { name: 'Save changes' }));
    expect(await within(drawer).findByRole('alert')).toHaveProperty(
      'textContent',
      'Fix the marked fields before saving.',
    );
    expect(document.activeElement).toBe(key);
    expect(patches).toEqual([]);
  });

  it('shows a conflict instead of overwriting, then reapplies on top of the other change', async () => {
    const study = freshStudy((candidate) => candidate.severity !== 'stat');
    const { drawer, user } = await openDrawer(study);
    await user.click(within(drawer).getByRole('button', { name: 'Edit' }));
    await user.clear(within(drawer).getByRole('textbox', { name: 'Description' }));
    await user.type(within(drawer).getByRole('textbox', { name: 'Description' }), 'CT Chest (revised)');

    // Someone else raises the severity meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 5));
    service.updateStudy(study.studyId, { severity: 'stat' });

    await user.click(within(drawer).getByRole('button', { name: 'Save changes' }));
    const conflict = await within(drawer).findByRole('region', { name: 'Someone else changed this study' });
    expect(within(conflict).getByRole('rowheader', { name: 'Severity' })).toBeTruthy();
    expect(within(conflict).getByText('CT Chest (revised)')).toBeTruthy();
    expect(service.retrieveStudy(study.studyId).studyDescription).toBe(study.studyDescription);

    await user.click(within(conflict).getByRole('button', { name: 'Reapply my changes' }));
    expect(await within(drawer).findByText('Changes saved.')).toBeTruthy();
    const saved = service.retrieveStudy(study.studyId);
    expect(saved).toMatchObject({ studyDescription: 'CT Chest (revised)', severity: 'stat' });
  });

  it('keeps the edits and says why when the save fails, and a retry succeeds', async () => {
    const study = freshStudy((candidate) => candidate.studyViewerStatus === 'incomplete');
    refuseNextSave({
      type: '/problems/upstream-failed',
      title: 'Avara could not complete the request',
      status: 502,
      detail: 'The study service failed.',
      retryable: true,
    });
    const { drawer, user } = await openDrawer(study);
    await user.click(within(drawer).getByRole('button', { name: 'Edit' }));
    await user.selectOptions(within(drawer).getByRole('combobox', { name: 'Viewer status' }), 'Read');
    await user.click(within(drawer).getByRole('button', { name: 'Save changes' }));
    const alert = await within(drawer).findByRole('alert');
    expect(alert.textContent).toContain('Avara could not complete the request');
    expect(within(drawer).getByRole('combobox', { name: 'Viewer status' })).toHaveProperty('value', 'complete');

    await user.click(within(drawer).getByRole('button', { name: 'Save changes' }));
    expect(await within(drawer).findByText('Changes saved.')).toBeTruthy();
    expect(service.retrieveStudy(study.studyId).studyViewerStatus).toBe('complete');
  });

  it('keeps an unfinished edit in the tab and reopens it, with a notice, when the study is opened again', async () => {
    const study = freshStudy((candidate) => candidate.severity !== 'stat');
    const first = await openDrawer(study);
    await first.user.click(within(first.drawer).getByRole('button', { name: 'Edit' }));
    await first.user.clear(within(first.drawer).getByRole('textbox', { name: 'Description' }));
    await first.user.type(within(first.drawer).getByRole('textbox', { name: 'Description' }), 'CT Head (kept)');
    // The page goes away mid-edit (the session ended, the person signs in again).
    first.unmount();
    expect(window.sessionStorage.length).toBe(1);

    const patches = recordPatches();
    const { drawer, user } = await openDrawer(study);
    const notice = within(drawer).getByText('Your unsaved changes were restored.').closest('[role="status"]');
    expect(notice?.textContent).toContain('Last edited just now');
    expect(within(drawer).getByRole('textbox', { name: 'Description' })).toHaveProperty('value', 'CT Head (kept)');

    await user.click(within(drawer).getByRole('button', { name: 'Save changes' }));
    expect(await within(drawer).findByText('Changes saved.')).toBeTruthy();
    expect(patches).toEqual([{ studyDescription: 'CT Head (kept)' }]);
    expect(within(drawer).queryByText('Your unsaved changes were restored.')).toBeNull();
    expect(window.sessionStorage.length).toBe(0);
  });

  it('forgets a restored edit when it is discarded', async () => {
    const study = freshStudy();
    const first = await openDrawer(study);
    await first.user.click(within(first.drawer).getByRole('button', { name: 'Edit' }));
    await first.user.selectOptions(within(first.drawer).getByRole('combobox', { name: 'Severity' }), 'High');
    await first.user.selectOptions(
      within(first.drawer).getByRole('combobox', { name: 'Severity' }),
      study.severity === 'high' ? 'STAT' : 'High',
    );
    first.unmount();

    const { drawer, user } = await openDrawer(study);
    expect(within(drawer).getByText('Your unsaved changes were restored.')).toBeTruthy();
    await user.click(within(drawer).getByRole('button', { name: 'Discard changes' }));
    const question = await screen.findByRole('alertdialog', { name: 'Discard your unsaved changes?' });
    await user.click(within(question).getByRole('button', { name: 'Discard changes' }));
    expect(await within(drawer).findByRole('button', { name: 'Edit' })).toBeTruthy();
    expect(window.sessionStorage.length).toBe(0);
  });

  it('never reopens someone else’s kept edit', async () => {
    const study = freshStudy();
    keepStudyEdit(drafts, draftOwnerOf({ authMode: 'dev', subject: 'someone.else@example.org' }), study.studyId, {
      editedFrom: study,
      draft: { ...draftFromStudy(study), studyDescription: 'Not yours' },
    });
    const { drawer, queryClient } = await openDrawer(study);
    // Once the drawer knows who is signed in, it looks for their kept edit: there is none.
    await waitFor(() => expect(queryClient.getQueryData(authKeys.me())).toBeTruthy());
    expect(within(drawer).getByRole('button', { name: 'Edit' })).toBeTruthy();
    expect(within(drawer).queryByRole('textbox', { name: 'Description' })).toBeNull();
    expect(within(drawer).queryByText('Your unsaved changes were restored.')).toBeNull();
  });

  it('rolls a refused quick action back with a message', async () => {
    const study = freshStudy((candidate) => candidate.studyViewerStatus === 'incomplete');
    refuseNextSave({
      type: '/problems/forbidden',
      title: 'Not allowed',
      status: 403,
      detail: 'Ask a coordinator.',
    });
    const { drawer, user } = await openDrawer(study);
    await user.click(within(drawer).getByRole('button', { name: 'Mark read' }));
    const alert = await within(drawer).findByRole('alert');
    expect(alert.textContent).toContain('“Mark read” was not applied and the change was undone. Ask a coordinator.');
    expect(within(drawer).getByRole('button', { name: 'Mark read' })).toBeTruthy();
  });

  it('cancels a study after confirming, and marks it cancelled', async () => {
    const study = freshStudy();
    const { drawer, user } = await openDrawer(study);
    await user.click(await within(drawer).findByRole('button', { name: 'Cancel study' }));
    const question = screen.getByRole('alertdialog', { name: 'Cancel this study?' });
    await user.click(within(question).getByRole('button', { name: 'Yes, cancel study' }));
    expect(await within(drawer).findByText('Study cancelled.')).toBeTruthy();
    expect(within(drawer).getByText(/This study was cancelled/)).toBeTruthy();
    expect(service.retrieveStudy(study.studyId).isCancelled).toBe(true);
    await user.click(within(drawer).getByRole('button', { name: 'Restore study' }));
    await user.click(
      within(screen.getByRole('alertdialog', { name: 'Restore this study?' })).getByRole('button', {
        name: 'Yes, restore study',
      }),
    );
    await waitFor(() => expect(service.retrieveStudy(study.studyId).isCancelled).toBe(false));
  });

  it('offers a cancelled study no Mark read, Assign to me, Edit or severity: only Restore, and says why', async () => {
    const study = freshStudy((candidate) => candidate.assignedTo === null);
    service.cancelStudy({ studyId: study.studyId });
    const { drawer } = await openDrawer(study);
    await within(drawer).findByText(/This study was cancelled/);
    for (const name of ['Mark read', 'Assign to me', 'Edit', 'Severity STAT', 'Cancel study'])
      expect(within(drawer).queryByRole('button', { name })).toBeNull();
    expect(within(drawer).getByRole('button', { name: 'Restore study' })).toBeTruthy();
    expect(within(drawer).getByText('This study is cancelled: restore it to read, assign or edit it.')).toBeTruthy();
    service.uncancelStudy({ studyId: study.studyId });
  });

  it('opens the viewer in a tab opened during the click, without an opener', async () => {
    const study = freshStudy();
    const tab = { opener: {}, location: { href: 'about:blank' }, close: vi.fn() };
    const open = vi.spyOn(window, 'open').mockImplementation(() => {
      // A stand-in for the WindowProxy: the drawer only touches these three members.
      return Object.assign(Object.create(Window.prototype), tab);
    });
    const { drawer, user } = await openDrawer(study);
    await user.click(within(drawer).getByRole('button', { name: 'Open in Viewer' }));
    expect(open).toHaveBeenCalledWith('about:blank', '_blank');
    await waitFor(() =>
      expect(within(drawer).getByRole('button', { name: 'Open in Viewer' })).toHaveProperty('disabled', false),
    );
    const opened = open.mock.results[0]?.value;
    expect(opened.opener).toBeNull();
    expect(String(opened.location.href)).toMatch(new RegExp(`/launch/${study.studyId}\\?expires=\\d+&signature=`));
    open.mockRestore();
  });
});

describe('StudyDrawer for a radiologist', { timeout: 20_000 }, () => {
  const people = service.listUsers({ limit: 100 }).users;
  const me = people.find((person) => !person.canManageStudies);
  const someoneElse = people.find((person) => person.canManageStudies);
  if (!me || !someoneElse) throw new Error('the demo roster lacks a radiologist or a coordinator');

  /** A fresh unread study with the PACS's keys, assigned as asked. */
  function studyAssignedTo(assignee: string | null): Study {
    const study = freshStudy(
      (candidate) => candidate.studyViewerStatus === 'incomplete' && candidate.metadata?.accessionNumber !== undefined,
    );
    return service.updateStudy(study.studyId, { assignedTo: assignee });
  }

  function signInAsRadiologist() {
    server.use(...createApiHandlers({ service, signedInAs: 'radiologist' }));
  }

  function expectCoordinatorActionsHidden(drawer: HTMLElement) {
    expect(within(drawer).queryByRole('button', { name: 'Cancel study' })).toBeNull();
    expect(within(drawer).queryByRole('button', { name: /^Severity / })).toBeNull();
  }

  it('on their own study: mark read and edit, with the PACS keys read-only', async () => {
    signInAsRadiologist();
    const study = studyAssignedTo(me.userId);
    const patches = recordPatches();
    const { drawer, user } = await openDrawer(study);
    expect(within(drawer).getByRole('button', { name: 'Open in Viewer' })).toBeTruthy();
    expect(within(drawer).getByRole('button', { name: 'Mark read' })).toBeTruthy();
    expect(within(drawer).queryByRole('button', { name: 'Assign to me' })).toBeNull();
    expectCoordinatorActionsHidden(drawer);

    await user.click(within(drawer).getByRole('button', { name: 'Edit' }));
    const form = within(drawer).getByRole('form', { name: 'Edit study' });
    expect(within(form).queryByRole('textbox', { name: 'Description' })).toBeNull();
    expect(within(form).queryByRole('combobox', { name: 'Assignee' })).toBeNull();
    expect(within(form).getByRole('combobox', { name: 'Viewer status' })).toBeTruthy();
    const keys = within(form).getAllByRole('textbox', { name: /^Key \d+$/ });
    const accession = keys.find((key) => key.getAttribute('value') === 'accessionNumber');
    const site = keys.find((key) => key.getAttribute('value') === 'site');
    expect(accession?.hasAttribute('readonly')).toBe(true);
    expect(site?.hasAttribute('readonly')).toBe(false);
    expect(within(form).queryByRole('button', { name: /\(accessionNumber\)$/ })).toBeNull();
    expect(within(form).queryByRole('button', { name: /\(modality\)$/ })).toBeNull();
    expect(within(form).getByRole('button', { name: /\(site\)$/ })).toBeTruthy();

    await user.click(within(form).getByRole('button', { name: /\(site\)$/ }));
    await user.click(within(form).getByRole('button', { name: 'Save changes' }));
    expect(await within(drawer).findByText('Changes saved.')).toBeTruthy();
    const { site: _removed, ...kept } = study.metadata ?? {};
    expect(patches).toEqual([{ metadata: kept }]);
  });

  it('on someone else’s study: nothing to change', async () => {
    signInAsRadiologist();
    const study = studyAssignedTo(someoneElse.userId);
    const { drawer } = await openDrawer(study);
    expect(within(drawer).getByRole('button', { name: 'Open in Viewer' })).toBeTruthy();
    for (const name of ['Mark read', 'Reopen', 'Assign to me', 'Edit'])
      expect(within(drawer).queryByRole('button', { name })).toBeNull();
    expectCoordinatorActionsHidden(drawer);
    expect(
      within(drawer).getByText('This study is assigned to someone else: only they may mark it read or reopen it.'),
    ).toBeTruthy();
  });

  it('on an unassigned study: claim; reading or notes only together with the claim', async () => {
    signInAsRadiologist();
    const study = studyAssignedTo(null);
    const patches = recordPatches();
    const { drawer, user } = await openDrawer(study);
    expect(within(drawer).getByRole('button', { name: 'Assign to me' })).toBeTruthy();
    expect(within(drawer).queryByRole('button', { name: 'Mark read' })).toBeNull();
    expectCoordinatorActionsHidden(drawer);

    await user.click(within(drawer).getByRole('button', { name: 'Edit' }));
    const form = within(drawer).getByRole('form', { name: 'Edit study' });
    expect(within(form).getByText('Assign it to yourself to mark it read or change its notes.')).toBeTruthy();
    await user.selectOptions(within(form).getByRole('combobox', { name: 'Viewer status' }), 'Read');
    await user.click(within(form).getByRole('button', { name: 'Save changes' }));
    expect((await within(form).findByRole('alert')).textContent).toBe(
      'Assign this study to yourself to mark it read or reopen it.',
    );
    expect(patches).toEqual([]);

    await user.click(within(form).getByRole('button', { name: 'Assign to me' }));
    await user.click(within(form).getByRole('button', { name: 'Save changes' }));
    expect(await within(drawer).findByText('Changes saved.')).toBeTruthy();
    expect(patches).toEqual([{ assignedTo: me.userId, studyViewerStatus: 'complete' }]);
    expect(service.retrieveStudy(study.studyId)).toMatchObject({
      assignedTo: { userId: me.userId },
      studyViewerStatus: 'complete',
    });
  });
});
