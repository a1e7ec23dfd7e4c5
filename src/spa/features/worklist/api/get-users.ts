import { queryOptions, useQuery } from '@tanstack/react-query';
import { apiRequest } from '../../../lib/api-client.ts';

/** A person studies can be assigned to, as GET /api/users lists them. */
export interface RosterPerson {
  userId: string;
  email: string;
  firstName: string;
  lastName: string;
  middleName: string | null;
  suffix1: string | null;
  suffix2: string | null;
  clinicRole: string;
  canManageStudies: boolean;
}

export const rosterKeys = {
  all: ['users'] as const,
  list: () => [...rosterKeys.all, 'list'] as const,
};

/** The roster: everyone on the Avara Viewer, for the assignee filter. */
export async function getRoster(signal?: AbortSignal): Promise<RosterPerson[]> {
  const body = await apiRequest<{ users: RosterPerson[] }>('/api/users', { signal });
  return body.users;
}

export function rosterQueryOptions() {
  return queryOptions({
    queryKey: rosterKeys.list(),
    queryFn: ({ signal }) => getRoster(signal),
    // People join the roster rarely; a few minutes old is fine for a filter list.
    staleTime: 5 * 60_000,
  });
}

export function useRoster() {
  return useQuery(rosterQueryOptions());
}
