import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Study, SuccessResponse } from '../../../../contract/avara-types.ts';
import { apiRequest } from '../../../lib/api-client.ts';
import { invalidateStudies, restoreStudies, snapshotStudies, writeStudyToCache } from './study-cache.ts';
import { studyKeys } from './study-keys.ts';
import type { ApiAnswer } from '../../../lib/api-types.ts';

/** POST /api/studies/:studyId/uncancel (coordinators; 409 if it is not cancelled). */
export function uncancelStudy(studyId: string): Promise<SuccessResponse> {
  return apiRequest<ApiAnswer<'/api/studies/{studyId}/uncancel', 'post'>>(`/api/studies/${encodeURIComponent(studyId)}/uncancel`, { method: 'POST' });
}

/** Restores a cancelled study; the list shows it at once and goes back if the server refuses. */
export function useUncancelStudy() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (study: Study) => uncancelStudy(study.studyId),
    onMutate: async (study) => {
      await queryClient.cancelQueries({ queryKey: studyKeys.all });
      const snapshot = snapshotStudies(queryClient);
      writeStudyToCache(queryClient, { ...study, isCancelled: false, cancelledAt: null });
      return { snapshot };
    },
    onError: (_error, _study, context) => {
      if (context) restoreStudies(queryClient, context.snapshot);
    },
    onSettled: () => invalidateStudies(queryClient),
  });
}
