import { queryOptions, useQuery } from '@tanstack/react-query';
import { apiRequest } from '../../../lib/api-client.ts';

export interface UnreadCount {
  count: number;
  capped: boolean;
}

export interface UnreadCounts {
  unread: { stat: UnreadCount; high: UnreadCount };
}

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
