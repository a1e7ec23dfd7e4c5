import { useMutation } from '@tanstack/react-query';
import { apiRequest } from '../../../lib/api-client.ts';
import type { ApiAnswer } from '../../../lib/api-types.ts';

/**
 * POST /api/studies/:studyId/viewer-url: a signed link that expires within minutes. A mutation,
 * not a query, so it is asked for at click time and never cached or prefetched.
 */
export function getViewerUrl(studyId: string): Promise<ApiAnswer<'/api/studies/{studyId}/viewer-url', 'post'>> {
  return apiRequest<ApiAnswer<'/api/studies/{studyId}/viewer-url', 'post'>>(
    `/api/studies/${encodeURIComponent(studyId)}/viewer-url`,
    { method: 'POST' },
  );
}

export function useViewerUrl() {
  return useMutation({ mutationFn: getViewerUrl, gcTime: 0 });
}
