import type { QueryClient } from '@tanstack/react-query';
import { useLayoutEffect, useState } from 'react';
import { applyThemeChoice, readThemeChoice } from '../features/worklist/lib/theme.ts';
import { AppRouter } from '../lib/navigation/app-router.tsx';
import { AppProvider } from './provider.tsx';
import { AppRoutes, createAppHistory } from './router.tsx';

export function App({ queryClient }: { queryClient?: QueryClient } = {}) {
  // One history per mounted app, never re-created on render.
  const [history] = useState(createAppHistory);
  // The remembered theme, before the first paint of any page (the CSP rules out an inline script).
  useLayoutEffect(() => applyThemeChoice(readThemeChoice()), []);
  return (
    <AppProvider client={queryClient}>
      <AppRouter history={history}>
        <AppRoutes />
      </AppRouter>
    </AppProvider>
  );
}
