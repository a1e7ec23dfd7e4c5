import { screen, waitFor, within } from '@testing-library/react';
import { HttpResponse, http } from 'msw';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { studyMatchesSearch } from '../../../../contract/study-search.ts';
import { createApiHandlers, createMockStudyService } from '../../../../mocks/api-handlers.ts';
import { createMockServer } from '../../../../mocks/node.ts';
import { renderRoutes } from '../../../testing/render.tsx';
import { WorklistPage } from './worklist-page.tsx';

const service = createMockStudyService({ demoStudies: 400, now: new Date('2026-03-10T12:00:00Z') });
const server = createMockServer(createApiHandlers({ service }));

beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const routes = [{ path: '/', element: <WorklistPage />, children: [{ index: true, element: null }] }];

function listRequests(): URL[] {
  const seen: URL[] = [];
  server.events.on('request:start', ({ request }) => {
    const url = new URL(request.url);
    if (url.pathname === '/api/studies') seen.push(url);
  });
  return seen;
}

function queueCount(name: RegExp): HTMLElement {
  return within(screen.getByRole('navigation', { name: 'Queues' })).getByRole('button', { name });
}

describe('WorklistPage', () => {
  it('asks for STAT first, then each group with the filters from the URL, and counts each queue honestly', async () => {
    const seen = listRequests();
    const { router } = renderRoutes(routes, { route: '/?q=CT&status=any' });

    await waitFor(() => expect(queueCount(/^Normal/).textContent).toMatch(/\d\+?$/), { timeout: 5_000 });
    server.events.removeAllListeners();
    expect(seen.map((url) => url.searchParams.get('severity'))).toEqual(['stat', 'high', 'normal']);
    for (const url of seen) {
      expect(url.searchParams.get('search')).toBe('CT');
      expect(url.searchParams.has('studyViewerStatus')).toBe(false);
      expect(url.searchParams.get('isCancelled')).toBe('false');
      expect(url.searchParams.get('limit')).toBe('100');
    }
    // The search is the BFF's (here the mock's, with the same code): the first page walked, kept to what matches.
    const stat = service.listStudies({ severity: 'stat', isCancelled: false, limit: 100 });
    const matching = stat.studies.filter((study) => studyMatchesSearch(study, undefined, { text: 'CT' }, Date.now()));
    expect(queueCount(/^STAT/).textContent).toBe(`STAT${matching.length}${stat.hasMore ? '+' : ''}`);
    // The coordinator's default assignee is written into the URL, so a shared link shows the same list.
    await waitFor(() => expect(router.state.location.search).toContain('assignee=anyone'));
  });

  it('shows exact counts where the queue counts cover the view: the active queue, everyone’s', async () => {
    renderRoutes(routes, { route: '/?assignee=anyone' });
    const normal = () =>
      service.listStudies({ severity: 'normal', isCancelled: false, studyViewerStatus: 'incomplete', limit: 100 });
    expect(normal().hasMore).toBe(true);
    let total = 0;
    for (let page = normal(); ;) {
      total += page.studies.length;
      if (!page.hasMore || !page.cursor) break;
      page = service.listStudies({
        severity: 'normal',
        isCancelled: false,
        studyViewerStatus: 'incomplete',
        limit: 100,
        cursor: page.cursor,
      });
    }
    await waitFor(() =>
      expect(queueCount(/^Normal/).textContent).toBe(`Normal${new Intl.NumberFormat().format(total)}`),
    );
  });

  it('shows a failing group as not loaded while the other groups load', async () => {
    server.use(
      http.get('*/api/studies', ({ request }) =>
        new URL(request.url).searchParams.get('severity') === 'high'
          ? HttpResponse.json(
              {
                type: '/problems/upstream-unavailable',
                title: 'Unavailable',
                status: 503,
                detail: 'Try again in a moment.',
                retryable: true,
              },
              { status: 503, headers: { 'Content-Type': 'application/problem+json' } },
            )
          : undefined,
      ),
    );
    renderRoutes(routes);

    await waitFor(() => expect(queueCount(/^High/).textContent).toContain('Not loaded'));
    await waitFor(() => expect(queueCount(/^Normal/).textContent).toMatch(/\d/));
    expect(queueCount(/^STAT/).textContent).toMatch(/\d/);
  });

  it('shows a group whose answer is not a page as not loaded, and renders the others', async () => {
    server.use(
      http.get('*/api/studies', ({ request }) => {
        const severity = new URL(request.url).searchParams.get('severity');
        if (severity === 'high')
          return new HttpResponse('{"hasMore": tru', { status: 200, headers: { 'Content-Type': 'application/json' } });
        if (severity === 'normal') return HttpResponse.json({ studies: [null, { studyId: 7 }], hasMore: false });
        return undefined;
      }),
    );
    renderRoutes(routes);

    await waitFor(() => expect(queueCount(/^High/).textContent).toContain('Not loaded'));
    await waitFor(() => expect(queueCount(/^Normal/).textContent).toContain('Not loaded'));
    expect(queueCount(/^STAT/).textContent).toMatch(/\d/);
    // The rows themselves (the group's error and Retry) need a layout: e2e/upstream-faults.spec.ts.
  });

  it('offers the defaults for the role, and a way back to them', async () => {
    const { user } = renderRoutes(routes, { route: '/?status=complete&assignee=anyone' });
    const status = await screen.findByRole('combobox', { name: 'Viewer status' });
    expect(status).toHaveProperty('value', 'complete');
    await user.click(screen.getByRole('button', { name: 'Clear filters' }));
    await waitFor(() => expect(status).toHaveProperty('value', 'incomplete'));
    expect(screen.queryByRole('button', { name: 'Clear filters' })).toBeNull();
  });
});
