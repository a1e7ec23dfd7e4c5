import { screen } from '@testing-library/react';
import { Outlet } from 'react-router';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApiHandlers } from '../../mocks/api-handlers.ts';
import { createMockServer } from '../../mocks/node.ts';
import { allowConsoleError } from '../testing/console-guard.ts';
import { renderRoutes } from '../testing/render.tsx';
import { Layout } from './layout.tsx';
import { NotFoundPage } from './not-found-page.tsx';
import { RouteErrorBoundary } from './route-error.tsx';
import { appRoutes } from './router.tsx';

// The pages sit behind sign-in: the mock handlers answer /api/me with a signed-in coordinator.
const server = createMockServer(createApiHandlers({ demoStudies: 60 }));

beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function BrokenPage(): never {
  throw new Error('Broken page for the test');
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
    renderRoutes([
      {
        path: '/',
        element: (
          <RouteErrorBoundary>
            <Layout />
          </RouteErrorBoundary>
        ),
        children: [
          {
            element: (
              <RouteErrorBoundary>
                <Outlet />
              </RouteErrorBoundary>
            ),
            children: [
              { index: true, element: <BrokenPage /> },
              { path: '*', element: <NotFoundPage /> },
            ],
          },
        ],
      },
    ]);

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Something went wrong');
    expect(screen.getByRole('button', { name: 'Reload page' })).toBeTruthy();
    expect(screen.getByRole('banner').textContent).toContain('Radiology Worklist');
  });

  it('shows the page again once the person goes elsewhere', async () => {
    allowConsoleError(/Broken page for the test/);
    const { router } = renderRoutes([
      {
        path: '/',
        element: (
          <RouteErrorBoundary>
            <Outlet />
          </RouteErrorBoundary>
        ),
        children: [
          { index: true, element: <BrokenPage /> },
          { path: '*', element: <NotFoundPage /> },
        ],
      },
    ]);

    expect(await screen.findByRole('alert')).toBeTruthy();
    await router.navigate('/elsewhere');
    expect(await screen.findByRole('heading', { level: 1, name: 'Page not found' })).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
  });
});
