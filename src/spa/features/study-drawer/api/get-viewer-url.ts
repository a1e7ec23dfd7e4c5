import { useMutation } from '@tanstack/react-query';
import type { RerouteUrlResponse } from '../../../../contract/avara-types.ts';
import { apiRequest } from '../../../lib/api-client.ts';

/**
 * POST /api/studies/:studyId/viewer-url: a signed link that expires within minutes. A mutation,
 * not a query, so it is asked for at click time and never cached or prefetched.
 */
export function getViewerUrl(studyId: string): Promise<RerouteUrlResponse> {
  return apiRequest<RerouteUrlResponse>(`/api/studies/${encodeURIComponent(studyId)}/viewer-url`, { method: 'POST' });
}

export function useViewerUrl() {
  return useMutation({ mutationFn: getViewerUrl, gcTime: 0 });
}
