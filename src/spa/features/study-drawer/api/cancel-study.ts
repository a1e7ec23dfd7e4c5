import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Study } from '../../../../contract/avara-types.ts';
import { apiRequest } from '../../../lib/api-client.ts';
import { invalidateStudies, restoreStudies, snapshotStudies, writeStudyToCache } from './study-cache.ts';
import { studyKeys } from './study-keys.ts';
import type { ApiAnswer } from '../../../lib/api-types.ts';

/** POST /api/studies/:studyId/cancel (coordinators; 409 if it is already cancelled). */
export function cancelStudy(studyId: string): Promise<ApiAnswer<'/api/studies/{studyId}/cancel', 'post'>> {
  return apiRequest<ApiAnswer<'/api/studies/{studyId}/cancel', 'post'>>(`/api/studies/${encodeURIComponent(studyId)}/cancel`, { method: 'POST' });
}

/** Cancels the study; the list marks it at once and puts it back if the server refuses. */
export function useCancelStudy() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (study: Study) => cancelStudy(study.studyId),
    onMutate: async (study) => {
      await queryClient.cancelQueries({ queryKey: studyKeys.all });
      const snapshot = snapshotStudies(queryClient);
      writeStudyToCache(queryClient, { ...study, isCancelled: true, cancelledAt: new Date().toISOString() });
      return { snapshot };
    },
    onError: (_error, _study, context) => {
      if (context) restoreStudies(queryClient, context.snapshot);
    },
    onSettled: () => invalidateStudies(queryClient),
  });
}
