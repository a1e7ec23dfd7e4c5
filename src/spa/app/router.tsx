import { lazy, Suspense } from 'react';
import type { ReactNode } from 'react';
import { Outlet, UNSAFE_createBrowserHistory, useRoutes } from 'react-router';
import type { RouteObject } from 'react-router';
import { RequireAuth } from '../features/auth/components/require-auth.tsx';
import { guardHistory } from '../lib/navigation/guarded-history.ts';
import { Layout } from './layout.tsx';
import { RouteErrorBoundary } from './route-error.tsx';
import { WorklistRoute } from './worklist-route.tsx';

// Only people who are not signed in see it: its code stays out of the worklist's bundle.
const SignInPage = lazy(async () => ({
  default: (await import('../features/auth/components/sign-in-page.tsx')).SignInPage,
}));
// The drawer's code (with its PACS panel) loads when a study is first opened: the list's own bundle stays small.
const StudyByUidRoute = lazy(async () => ({
  default: (await import('../features/study-drawer/components/study-by-uid-route.tsx')).StudyByUidRoute,
}));
const StudyRoute = lazy(async () => ({ default: (await import('./study-route.tsx')).StudyRoute }));
// Coordinators only: the dashboard's code (figures, chart) stays out of the worklist's bundle.
const DashboardPage = lazy(async () => ({
  default: (await import('../features/dashboard/components/dashboard-page.tsx')).DashboardPage,
}));
// Only a mistyped or old address shows it: its code stays out of the worklist's bundle.
const NotFoundPage = lazy(async () => ({ default: (await import('./not-found-page.tsx')).NotFoundPage }));

/** A page whose code loads on demand: nothing in its place until it is there (the rest of the screen stays). */
function OnDemand({ children }: { children: ReactNode }) {
  return <Suspense fallback={null}>{children}</Suspense>;
}

/**
 * The route tree, shared by the browser router and the memory routers in tests. The error boundary
 * inside the layout catches page errors, so the header stays; the outer one catches the rest. The
 * study drawer is a child of the worklist: the list stays mounted beside it, with its filters and
 * scroll position.
 */
export const appRoutes: RouteObject[] = [
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
          {
            path: 'sign-in',
            element: (
              <OnDemand>
                <SignInPage />
              </OnDemand>
            ),
          },
          {
            element: <RequireAuth />,
            children: [
              {
                element: <WorklistRoute />,
                children: [
                  { index: true, element: null },
                  {
                    path: 'studies/by-uid/:studyInstanceUid',
                    element: (
                      <OnDemand>
                        <StudyByUidRoute />
                      </OnDemand>
                    ),
                  },
                  {
                    path: 'studies/:studyId',
                    element: (
                      <OnDemand>
                        <StudyRoute />
                      </OnDemand>
                    ),
                  },
                ],
              },
              {
                path: 'dashboard',
                element: (
                  <OnDemand>
                    <DashboardPage />
                  </OnDemand>
                ),
              },
              {
                path: '*',
                element: (
                  <OnDemand>
                    <NotFoundPage />
                  </OnDemand>
                ),
              },
            ],
          },
        ],
      },
    ],
  },
];

/** The app's pages, for the router around them. */
export function AppRoutes() {
  return useRoutes(appRoutes);
}

/** The browser's history, with the moves the drawer may hold (`useBlocker`). */
export function createAppHistory() {
  return guardHistory(UNSAFE_createBrowserHistory({ v5Compat: true }));
}
