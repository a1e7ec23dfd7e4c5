import { createBrowserRouter } from 'react-router';
import type { RouteObject } from 'react-router';
import { RequireAuth } from '../features/auth/components/require-auth.tsx';
import { Layout } from './layout.tsx';
import { RouteError } from './route-error.tsx';
import { WorklistRoute } from './worklist-route.tsx';

/**
 * The route tree, shared by the browser router and the memory routers in tests. The inner pathless
 * route catches page errors inside the layout, so the header stays; the outer one catches the rest.
 * The study drawer is a child of the worklist: the list stays mounted beside it, with its filters
 * and scroll position.
 */
export const appRoutes: RouteObject[] = [
  {
    path: '/',
    element: <Layout />,
    errorElement: <RouteError />,
    children: [
      {
        errorElement: <RouteError />,
        children: [
          // Only people who are not signed in see it: its code stays out of the worklist's bundle.
          {
            path: 'sign-in',
            lazy: async () => ({ Component: (await import('../features/auth/components/sign-in-page.tsx')).SignInPage }),
          },
          {
            element: <RequireAuth />,
            children: [
              {
                element: <WorklistRoute />,
                children: [
                  { index: true, element: null },
                  // The drawer's code (with its PACS panel) loads when a study is first opened: the list's own bundle stays small.
                  {
                    path: 'studies/by-uid/:studyInstanceUid',
                    lazy: async () => ({
                      Component: (await import('../features/study-drawer/components/study-by-uid-route.tsx')).StudyByUidRoute,
                    }),
                  },
                  {
                    path: 'studies/:studyId',
                    lazy: async () => ({
                      Component: (await import('./study-route.tsx')).StudyRoute,
                    }),
                  },
                ],
              },
              // Coordinators only: the dashboard's code (figures, chart) stays out of the worklist's bundle.
              {
                path: 'dashboard',
                lazy: async () => ({ Component: (await import('../features/dashboard/components/dashboard-page.tsx')).DashboardPage }),
              },
              // Only a mistyped or old address shows it: its code stays out of the worklist's bundle.
              { path: '*', lazy: async () => ({ Component: (await import('./not-found-page.tsx')).NotFoundPage }) },
            ],
          },
        ],
      },
    ],
  },
];

export function createAppRouter() {
  return createBrowserRouter(appRoutes);
}
