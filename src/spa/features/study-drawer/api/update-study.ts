import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Study } from '../../../../contract/avara-types.ts';
import { hasTextFields } from '../../../../contract/answer-shapes.ts';
import { ApiError, apiRequest, isApiError } from '../../../lib/api-client.ts';
import { invalidateStudies, restoreStudies, snapshotStudies, writeStudyToCache } from './study-cache.ts';
import { studyKeys } from './study-keys.ts';
import type { ApiAnswer, ApiBody } from '../../../lib/api-types.ts';

/** Someone else changed the study since it was loaded: the BFF refused the update and sent it as it is now. */
export class StudyConflictError extends ApiError {
  readonly current: Study;

  constructor(error: ApiError, current: Study) {
    super({ ...error, cause: error });
    this.current = current;
  }
}

export function isStudyConflict(error: unknown): error is StudyConflictError {
  return error instanceof StudyConflictError;
}

/** Enough of a Study's shape to trust the 409's `current` (the BFF validated it against the contract). */
function isStudy(value: unknown): value is Study {
  return hasTextFields(value, 'studyId', 'studyInstanceUid') && 'severity' in value && 'updatedAt' in value;
}

export interface UpdateStudyInput {
  studyId: string;
  changes: ApiBody<'/api/studies/{studyId}', 'patch'>;
  /** The `updatedAt` of the version the user edited: the BFF refuses with 409 if the study moved on. */
  expectedUpdatedAt: string | null;
}

/** PATCH /api/studies/:studyId with `If-Match`; a 409 with the study as it is now becomes a StudyConflictError. */
export async function updateStudy(
  { studyId, changes, expectedUpdatedAt }: UpdateStudyInput,
  signal?: AbortSignal,
): Promise<ApiAnswer<'/api/studies/{studyId}', 'patch'>> {
  try {
    return await apiRequest<ApiAnswer<'/api/studies/{studyId}', 'patch'>>(
      `/api/studies/${encodeURIComponent(studyId)}`,
      {
        method: 'PATCH',
        body: changes,
        ...(expectedUpdatedAt ? { headers: { 'If-Match': `"${expectedUpdatedAt}"` } } : {}),
        signal,
      },
    );
  } catch (error) {
    const current = isApiError(error) && error.status === 409 ? error.problem?.current : undefined;
    if (isApiError(error) && isStudy(current)) throw new StudyConflictError(error, current);
    throw error;
  }
}

/**
 * Saving the drawer's form. Not optimistic: the form itself holds the edits until the server has
 * them, so a refusal loses nothing.
 */
export function useUpdateStudy() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: UpdateStudyInput) => updateStudy(input),
    onSuccess: (study) => {
      writeStudyToCache(queryClient, study);
    },
    onSettled: () => invalidateStudies(queryClient),
  });
}

/**
 * One-click changes (claim, mark read, reopen, severity): the list and the drawer show the change at
 * once and go back to what they showed if the server refuses it.
 */
export function useQuickUpdateStudy() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: UpdateStudyInput & { optimistic: Study }) => updateStudy(input),
    onMutate: async ({ optimistic }) => {
      // A refetch landing after the optimistic write would put the old study back for a moment.
      await queryClient.cancelQueries({ queryKey: studyKeys.all });
      const snapshot = snapshotStudies(queryClient);
      writeStudyToCache(queryClient, optimistic);
      return { snapshot };
    },
    onError: (error, _input, context) => {
      if (context) restoreStudies(queryClient, context.snapshot);
      // The server says what the study is now: show that rather than the version that was refused.
      if (isStudyConflict(error)) writeStudyToCache(queryClient, error.current);
    },
    onSuccess: (study) => {
      writeStudyToCache(queryClient, study);
    },
    onSettled: () => invalidateStudies(queryClient),
  });
}
