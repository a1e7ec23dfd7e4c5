import { queryOptions, useQuery } from '@tanstack/react-query';
import type { Person } from '../../../contract/worklist-api.ts';
import { apiRequest } from '../api-client.ts';
import type { ApiAnswer } from '../api-types.ts';

export const userKeys = {
  all: ['users'] as const,
  list: () => [...userKeys.all, 'list'] as const,
};

/** The roster: everyone on the Avara Viewer (assignee filter and picker). */
export async function getUsers(signal?: AbortSignal): Promise<Person[]> {
  const body = await apiRequest<ApiAnswer<'/api/users', 'get'>>('/api/users', { signal });
  return body.users;
}

export function usersQueryOptions() {
  return queryOptions({
    queryKey: userKeys.list(),
    queryFn: ({ signal }) => getUsers(signal),
    // People join the roster rarely; the BFF caches it for a minute anyway.
    staleTime: 5 * 60_000,
  });
}

export function useUsers(enabled = true) {
  return useQuery({ ...usersQueryOptions(), enabled });
}
