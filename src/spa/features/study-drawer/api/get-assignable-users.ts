import { queryOptions, useQuery } from '@tanstack/react-query';
import type { User } from '../../../../contract/avara-types.ts';
import { apiRequest } from '../../../lib/api-client.ts';

/** A person studies can be assigned to, as GET /api/users lists them. */
export type AssignableUser = Pick<
  User,
  'userId' | 'email' | 'firstName' | 'lastName' | 'middleName' | 'suffix1' | 'suffix2' | 'clinicRole' | 'canManageStudies'
>;

export const assignableUserKeys = {
  // Not the worklist's roster key: the two features must not depend on each other's cached shape.
  all: ['users', 'assignable'] as const,
};

/** The roster, for the assignee picker. */
export async function getAssignableUsers(signal?: AbortSignal): Promise<AssignableUser[]> {
  const body = await apiRequest<{ users: AssignableUser[] }>('/api/users', { signal });
  return body.users;
}

export function assignableUsersQueryOptions() {
  return queryOptions({
    queryKey: assignableUserKeys.all,
    queryFn: ({ signal }) => getAssignableUsers(signal),
    // People join the roster rarely; the BFF caches it for a minute anyway.
    staleTime: 5 * 60_000,
  });
}

export function useAssignableUsers(enabled = true) {
  return useQuery({ ...assignableUsersQueryOptions(), enabled });
}
