import type { QueryClient } from '@tanstack/react-query';
import { useLayoutEffect, useState } from 'react';
import { RouterProvider } from 'react-router/dom';
import { applyThemeChoice, readThemeChoice } from '../features/worklist/lib/theme.ts';
import { AppProvider } from './provider.tsx';
import { createAppRouter } from './router.tsx';

export function App({ queryClient }: { queryClient?: QueryClient } = {}) {
  // Created once per mounted app and never re-created on render, as React Router asks.
  const [router] = useState(createAppRouter);
  // The remembered theme, before the first paint of any page (the CSP rules out an inline script).
  useLayoutEffect(() => applyThemeChoice(readThemeChoice()), []);
  return (
    <AppProvider client={queryClient}>
      <RouterProvider router={router} />
    </AppProvider>
  );
}
