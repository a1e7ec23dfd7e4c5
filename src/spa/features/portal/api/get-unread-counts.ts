import { queryOptions, useQuery } from '@tanstack/react-query';
import { apiRequest } from '../../../lib/api-client.ts';
import type { ApiAnswer } from '../../../lib/api-types.ts';

/** The portal's badge reads `unread`; the rest of the answer is there too. */
export type UnreadCounts = ApiAnswer<'/api/worklist/counts', 'get'>;

export function getUnreadCounts(signal?: AbortSignal): Promise<UnreadCounts> {
  return apiRequest<UnreadCounts>('/api/worklist/counts', { signal });
}

export function unreadCountsQueryOptions() {
  return queryOptions({
    queryKey: ['worklist', 'counts'] as const,
    queryFn: ({ signal }) => getUnreadCounts(signal),
    refetchInterval: 30_000,
  });
}

export function useUnreadCounts(enabled: boolean) {
  return useQuery({ ...unreadCountsQueryOptions(), enabled });
}
