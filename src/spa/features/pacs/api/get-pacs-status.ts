import { queryOptions, useQuery } from '@tanstack/react-query';
import { apiRequest } from '../../../lib/api-client.ts';
import type { ApiAnswer } from '../../../lib/api-types.ts';
import { pacsKeys } from './pacs-keys.ts';

export type PacsStatus = ApiAnswer<'/api/pacs/status', 'get'>;

/** Whether the BFF is connected to a PACS (ORTHANC_URL set). */
export function getPacsStatus({ signal }: { signal?: AbortSignal } = {}): Promise<PacsStatus> {
  return apiRequest<PacsStatus>('/api/pacs/status', { signal });
}

export function pacsStatusQueryOptions() {
  return queryOptions({
    queryKey: pacsKeys.status(),
    queryFn: ({ signal }) => getPacsStatus({ signal }),
    // A deployment setting: it does not change while the page is open.
    staleTime: Number.POSITIVE_INFINITY,
    refetchOnWindowFocus: false,
  });
}

/**
 * True once the BFF says a PACS is connected. While it has not answered, or when it failed, the
 * PACS is treated as absent: its columns and preview simply do not show.
 */
export function usePacsEnabled(): boolean {
  return useQuery(pacsStatusQueryOptions()).data?.enabled === true;
}
