import { queryOptions, useQuery } from '@tanstack/react-query';
import type { Me } from '../../../contract/worklist-api.ts';
import { apiRequest, isApiError } from '../api-client.ts';
import { authKeys } from './auth-keys.ts';
import type { ApiAnswer } from '../api-types.ts';

/** Who is signed in; `null` (not an error) when nobody is. */
export async function getMe(signal?: AbortSignal): Promise<Me | null> {
  try {
    return await apiRequest<ApiAnswer<'/api/me', 'get'>>('/api/me', { signal });
  } catch (error) {
    if (isApiError(error) && error.status === 401) return null;
    throw error;
  }
}

export function meQueryOptions() {
  return queryOptions({
    queryKey: authKeys.me(),
    queryFn: ({ signal }) => getMe(signal),
    staleTime: 5 * 60_000,
  });
}

export function useMe() {
  return useQuery(meQueryOptions());
}
