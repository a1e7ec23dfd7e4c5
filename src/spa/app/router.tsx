import { createBrowserRouter } from 'react-router';
import type { RouteObject } from 'react-router';
import { RequireAuth } from '../features/auth/components/require-auth.tsx';
import { SignInPage } from '../features/auth/components/sign-in-page.tsx';
import { NewStudyButton } from '../features/study-drawer/components/new-study-button.tsx';
import { WorklistPage } from '../features/worklist/components/worklist-page.tsx';
import { Layout } from './layout.tsx';
import { NotFoundPage } from './not-found-page.tsx';
import { RouteError } from './route-error.tsx';

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
          { path: 'sign-in', element: <SignInPage /> },
          {
            element: <RequireAuth />,
            children: [
              {
                element: <WorklistPage actions={<NewStudyButton />} />,
                children: [
                  { index: true, element: null },
                  // The drawer's code loads when a study is first opened: the list's own bundle stays small.
                  {
                    path: 'studies/by-uid/:studyInstanceUid',
                    lazy: async () => ({
                      Component: (await import('../features/study-drawer/components/study-by-uid-route.tsx')).StudyByUidRoute,
                    }),
                  },
                  {
                    path: 'studies/:studyId',
                    lazy: async () => ({
                      Component: (await import('../features/study-drawer/components/study-drawer-route.tsx')).StudyDrawerRoute,
                    }),
                  },
                ],
              },
              { path: '*', element: <NotFoundPage /> },
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
