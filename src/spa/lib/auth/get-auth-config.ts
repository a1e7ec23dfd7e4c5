import { queryOptions, useQuery } from '@tanstack/react-query';
import type { AuthConfig } from '../../../contract/worklist-api.ts';
import { apiRequest } from '../api-client.ts';
import { authKeys } from './auth-keys.ts';

export function getAuthConfig(signal?: AbortSignal): Promise<AuthConfig> {
  return apiRequest<AuthConfig>('/auth/config', { signal });
}

export function authConfigQueryOptions() {
  return queryOptions({
    queryKey: authKeys.config(),
    queryFn: ({ signal }) => getAuthConfig(signal),
    staleTime: Number.POSITIVE_INFINITY,
  });
}

export function useAuthConfig() {
  return useQuery(authConfigQueryOptions());
}
