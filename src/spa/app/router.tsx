import { createBrowserRouter } from 'react-router';
import type { RouteObject } from 'react-router';
import { RequireAuth } from '../features/auth/components/require-auth.tsx';
import { SignInPage } from '../features/auth/components/sign-in-page.tsx';
import { StudiesPage } from '../features/studies/components/studies-page.tsx';
import { Layout } from './layout.tsx';
import { NotFoundPage } from './not-found-page.tsx';
import { RouteError } from './route-error.tsx';

/**
 * The route tree, shared by the browser router and the memory routers in tests. The inner pathless
 * route catches page errors inside the layout, so the header stays; the outer one catches the rest.
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
              { index: true, element: <StudiesPage /> },
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
