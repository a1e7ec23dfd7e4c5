import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, render } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ReactElement } from 'react';
import { UNSAFE_createMemoryHistory, useRoutes } from 'react-router';
import type { RouteObject, To } from 'react-router';
import { AppRouter } from '../lib/navigation/app-router.tsx';
import { guardHistory } from '../lib/navigation/guarded-history.ts';

/** A client like the app's, minus retries: a test should see a failure at once, not after backoff. */
export function createTestQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { retry: false, gcTime: Number.POSITIVE_INFINITY },
      mutations: { retry: false },
    },
  });
}

function Routes({ routes }: { routes: RouteObject[] }) {
  return useRoutes(routes);
}

interface RenderRoutesOptions {
  /** The URL the memory router starts at. */
  route?: string;
}

/**
 * Renders a route tree (e.g. the app's own `appRoutes`) in a memory router with a fresh QueryClient.
 * `router` moves it as a link would (`navigate`) and says where it is (`state.location`).
 */
export function renderRoutes(routes: RouteObject[], { route = '/' }: RenderRoutesOptions = {}) {
  const queryClient = createTestQueryClient();
  const history = guardHistory(UNSAFE_createMemoryHistory({ initialEntries: [route], v5Compat: true }));
  const router = {
    navigate: (to: To) =>
      act(async () => {
        history.push(to);
      }),
    state: {
      get location() {
        return history.location;
      },
    },
  };
  const user = userEvent.setup();
  const result = render(
    <QueryClientProvider client={queryClient}>
      <AppRouter history={history}>
        <Routes routes={routes} />
      </AppRouter>
    </QueryClientProvider>,
  );
  return { ...result, queryClient, router, user };
}

/** Renders one element as the page at `route`, with everything a page needs around it. */
export function renderWithProviders(ui: ReactElement, options: RenderRoutesOptions = {}) {
  return renderRoutes([{ path: '*', element: ui }], options);
}
