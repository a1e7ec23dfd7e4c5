import { screen } from '@testing-library/react';
import type { ReactNode } from 'react';
import type { RouteObject } from 'react-router';
import { describe, expect, it } from 'vitest';
import { createApiHandlers } from '../../mocks/api-handlers.ts';
import { allowConsoleError } from '../testing/console-guard.ts';
import { withMockServer } from '../testing/mock-server.ts';
import { renderRoutes } from '../testing/render.tsx';
import { NotFoundPage } from './not-found-page.tsx';
import { appRoutes } from './router.tsx';

// The pages sit behind sign-in: the mock handlers answer /api/me with a signed-in coordinator.
withMockServer(createApiHandlers({ demoStudies: 60 }));

function BrokenPage(): never {
  throw new Error('Broken page for the test');
}

/** A broken home page, and the not-found page elsewhere. */
const BROKEN_PAGES: RouteObject[] = [
  { index: true, element: <BrokenPage /> },
  { path: '*', element: <NotFoundPage /> },
];

/** The elements of the app's real route table around its pages: the layout in its boundary, and the inner boundary. */
function boundaries(): { outer: ReactNode; inner: ReactNode } {
  const outer = appRoutes[0];
  const inner = outer?.children?.[0];
  if (!outer?.element || !inner?.element)
    throw new Error('appRoutes no longer starts with the layout and its error boundary');
  return { outer: outer.element, inner: inner.element };
}

describe('app routes', () => {
  it('shows a not-found page with a way home for unknown addresses, inside the layout', async () => {
    renderRoutes(appRoutes, { route: '/no/such/page' });

    expect(await screen.findByRole('heading', { level: 1, name: 'Page not found' })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Back to the worklist' }).getAttribute('href')).toBe('/');
    expect(screen.getByRole('banner').textContent).toContain('Radiology Worklist');
    expect(screen.getByRole('main')).toBeTruthy();
  });

  it('shows a friendly panel with a reload button when a page throws, keeping the header', async () => {
    allowConsoleError(/Broken page for the test/);
    // The real table, with the pages inside the inner boundary replaced.
    const { outer, inner } = boundaries();
    renderRoutes([{ path: '/', element: outer, children: [{ element: inner, children: BROKEN_PAGES }] }]);

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Something went wrong');
    expect(screen.getByRole('button', { name: 'Reload page' })).toBeTruthy();
    expect(screen.getByRole('banner').textContent).toContain('Radiology Worklist');
  });

  it('shows the page again once the person goes elsewhere', async () => {
    allowConsoleError(/Broken page for the test/);
    // The real inner boundary on its own, without the layout.
    const { inner } = boundaries();
    const { router } = renderRoutes([{ path: '/', element: inner, children: BROKEN_PAGES }]);

    expect(await screen.findByRole('alert')).toBeTruthy();
    await router.navigate('/elsewhere');
    expect(await screen.findByRole('heading', { level: 1, name: 'Page not found' })).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
  });
});
