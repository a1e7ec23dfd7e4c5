import { queryOptions, useQuery } from '@tanstack/react-query';
import { isStudy } from '../../../../contract/answer-shapes.ts';
import { apiRequestChecked, isApiError } from '../../../lib/api-client.ts';
import { studyKeys } from './study-keys.ts';
import type { ApiAnswer } from '../../../lib/api-types.ts';

/** One study from the BFF, as the drawer shows it. */
export function getStudy(studyId: string, signal?: AbortSignal): Promise<ApiAnswer<'/api/studies/{studyId}', 'get'>> {
  return apiRequestChecked(`/api/studies/${encodeURIComponent(studyId)}`, isStudy, { signal });
}

export function studyQueryOptions(studyId: string) {
  return queryOptions({
    queryKey: studyKeys.detail(studyId),
    queryFn: ({ signal }) => getStudy(studyId, signal),
    // A missing study or a refused request will not change by asking again; a flaky upstream may.
    retry: (failureCount, error) => failureCount < 2 && isApiError(error) && error.retryable,
  });
}

export function useStudy(studyId: string) {
  return useQuery(studyQueryOptions(studyId));
}
