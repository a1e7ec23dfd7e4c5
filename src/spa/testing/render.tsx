import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ReactElement } from 'react';
import { createMemoryRouter } from 'react-router';
import type { RouteObject } from 'react-router';
import { RouterProvider } from 'react-router/dom';

/** A client like the app's, minus retries: a test should see a failure at once, not after backoff. */
export function createTestQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { retry: false, gcTime: Number.POSITIVE_INFINITY },
      mutations: { retry: false },
    },
  });
}

interface RenderRoutesOptions {
  /** The URL the memory router starts at. */
  route?: string;
}

/** Renders a route tree (e.g. the app's own `appRoutes`) in a memory router with a fresh QueryClient. */
export function renderRoutes(routes: RouteObject[], { route = '/' }: RenderRoutesOptions = {}) {
  const queryClient = createTestQueryClient();
  const router = createMemoryRouter(routes, { initialEntries: [route] });
  const user = userEvent.setup();
  const result = render(
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>,
  );
  return { ...result, queryClient, router, user };
}

/** Renders one element as the page at `route`, with everything a page needs around it. */
export function renderWithProviders(ui: ReactElement, options: RenderRoutesOptions = {}) {
  return renderRoutes([{ path: '*', element: ui }], options);
}
