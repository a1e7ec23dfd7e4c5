import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Study, SuccessResponse } from '../../../../contract/avara-types.ts';
import { apiRequest } from '../../../lib/api-client.ts';
import { invalidateStudies, restoreStudies, snapshotStudies, writeStudyToCache } from './study-cache.ts';
import { studyKeys } from './study-keys.ts';
import type { ApiAnswer } from '../../../lib/api-types.ts';

/**
 * POST /api/studies/:studyId/cancel, or /uncancel with `cancelled: false` (coordinators; 409 if the
 * study is already in that state).
 */
export function setStudyCancelled(studyId: string, cancelled: boolean): Promise<SuccessResponse> {
  const path = `/api/studies/${encodeURIComponent(studyId)}/${cancelled ? 'cancel' : 'uncancel'}`;
  // Cancel and uncancel answer the same shape.
  return apiRequest<ApiAnswer<'/api/studies/{studyId}/cancel', 'post'>>(path, { method: 'POST' });
}

export interface SetCancelledInput {
  study: Study;
  cancelled: boolean;
}

/** Cancels or restores the study; the list shows it at once and goes back if the server refuses. */
export function useSetStudyCancelled() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ study, cancelled }: SetCancelledInput) => setStudyCancelled(study.studyId, cancelled),
    onMutate: async ({ study, cancelled }) => {
      await queryClient.cancelQueries({ queryKey: studyKeys.all });
      const snapshot = snapshotStudies(queryClient);
      writeStudyToCache(queryClient, {
        ...study,
        isCancelled: cancelled,
        cancelledAt: cancelled ? new Date().toISOString() : null,
      });
      return { snapshot };
    },
    onError: (_error, _input, context) => {
      if (context) restoreStudies(queryClient, context.snapshot);
    },
    onSettled: () => invalidateStudies(queryClient),
  });
}
