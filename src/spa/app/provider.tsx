import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useState } from 'react';
import type { ReactNode } from 'react';
import { authKeys } from '../lib/auth/auth-keys.ts';
import { isApiError } from '../lib/api-client.ts';

const MAX_RETRIES = 2;

/**
 * Retry only what may succeed next time: the server unreachable (status 0) or failing (5xx). A 4xx is
 * the request's fault, and sending it again changes nothing.
 */
export function shouldRetryRequest(failureCount: number, error: unknown): boolean {
  if (failureCount >= MAX_RETRIES) return false;
  return isApiError(error) && (error.status === 0 || error.status >= 500);
}

/** The app's QueryClient: data stays fresh for 15 s, enough to avoid a refetch storm on every focus. */
export function createQueryClient(): QueryClient {
  // A 401 anywhere means the session ended: forget who was signed in, so the guard asks again.
  const onError = (error: unknown) => {
    if (isApiError(error) && error.status === 401) queryClient.setQueryData(authKeys.me(), null);
  };
  const queryClient: QueryClient = new QueryClient({
    queryCache: new QueryCache({ onError }),
    mutationCache: new MutationCache({ onError }),
    defaultOptions: {
      queries: {
        staleTime: 15_000,
        retry: shouldRetryRequest,
      },
      mutations: {
        // An edit is not idempotent in general: the user decides whether to send it again.
        retry: false,
      },
    },
  });
  return queryClient;
}

export function AppProvider({ children, client }: { children: ReactNode; client?: QueryClient | undefined }) {
  // One client per mounted app (not per module), so tests and hot reloads never share a cache; the
  // page's entry point passes its own, which it has already started filling.
  const [queryClient] = useState(() => client ?? createQueryClient());
  return <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>;
}
