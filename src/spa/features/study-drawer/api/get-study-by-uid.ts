import { queryOptions, useQuery } from '@tanstack/react-query';
import { isStudy } from '../../../../contract/answer-shapes.ts';
import { apiRequestChecked, isApiError } from '../../../lib/api-client.ts';
import { studyKeys } from './study-keys.ts';
import type { ApiAnswer } from '../../../lib/api-types.ts';

/** The study with this DICOM Study Instance UID (the portal links by UID, not by study ID). */
export function getStudyByUid(
  studyInstanceUid: string,
  signal?: AbortSignal,
): Promise<ApiAnswer<'/api/studies/by-uid/{studyInstanceUid}', 'get'>> {
  return apiRequestChecked(`/api/studies/by-uid/${encodeURIComponent(studyInstanceUid)}`, isStudy, { signal });
}

export function studyByUidQueryOptions(studyInstanceUid: string) {
  return queryOptions({
    queryKey: studyKeys.byUid(studyInstanceUid),
    queryFn: async ({ signal, client }) => {
      const study = await getStudyByUid(studyInstanceUid, signal);
      // The drawer it leads to then opens at once, without asking for the same study again.
      client.setQueryData(studyKeys.detail(study.studyId), study);
      return study;
    },
    retry: (failureCount, error) => failureCount < 2 && isApiError(error) && error.retryable,
  });
}

export function useStudyByUid(studyInstanceUid: string) {
  return useQuery(studyByUidQueryOptions(studyInstanceUid));
}
