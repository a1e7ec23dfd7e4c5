import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Study, StudyUpdateParams } from '../../../../contract/avara-types.ts';
import { isProblem } from '../../../../contract/problem.ts';
import { ApiError, NETWORK_ERROR_MESSAGE } from '../../../lib/api-client.ts';
import { invalidateStudies, restoreStudies, snapshotStudies, writeStudyToCache } from './study-cache.ts';
import { studyKeys } from './study-keys.ts';

/** Someone else changed the study since it was loaded: the BFF refused the update and sent it as it is now. */
export class StudyConflictError extends ApiError {
  readonly current: Study;

  constructor(init: ConstructorParameters<typeof ApiError>[0], current: Study) {
    super(init);
    this.current = current;
  }
}

export function isStudyConflict(error: unknown): error is StudyConflictError {
  return error instanceof StudyConflictError;
}

/** Enough of a Study's shape to trust the 409's `current` (the BFF validated it against the contract). */
function isStudy(value: unknown): value is Study {
  return (
    typeof value === 'object' &&
    value !== null &&
    'studyId' in value &&
    typeof value.studyId === 'string' &&
    'studyInstanceUid' in value &&
    typeof value.studyInstanceUid === 'string' &&
    'severity' in value &&
    'updatedAt' in value
  );
}

export interface UpdateStudyInput {
  studyId: string;
  changes: StudyUpdateParams;
  /** The `updatedAt` of the version the user edited: the BFF refuses with 409 if the study moved on. */
  expectedUpdatedAt: string | null;
}

/**
 * PATCH /api/studies/:studyId with `If-Match`. Written against fetch rather than `apiRequest`,
 * which can neither send a header nor hand back the problem's `current` study.
 */
export async function updateStudy({ studyId, changes, expectedUpdatedAt }: UpdateStudyInput, signal?: AbortSignal): Promise<Study> {
  const headers = new Headers({ Accept: 'application/json', 'Content-Type': 'application/json', 'X-CSRF': '1' });
  if (expectedUpdatedAt) headers.set('If-Match', `"${expectedUpdatedAt}"`);
  let response: Response;
  let body: unknown;
  try {
    response = await fetch(new URL(`/api/studies/${encodeURIComponent(studyId)}`, document.baseURI), {
      method: 'PATCH',
      headers,
      body: JSON.stringify(changes),
      credentials: 'same-origin',
      signal,
    });
    const text = await response.text();
    body = text === '' ? undefined : JSON.parse(text);
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiError({ status: 0, title: 'Network error', detail: NETWORK_ERROR_MESSAGE, retryable: true, cause: error });
  }
  if (response.ok && isStudy(body)) return body;
  if (isProblem(body)) {
    const init = { status: body.status, title: body.title, detail: body.detail, type: body.type, issues: body.issues, retryable: body.retryable };
    if (body.status === 409 && isStudy(body.current)) throw new StudyConflictError(init, body.current);
    throw new ApiError(init);
  }
  throw new ApiError({
    status: response.status,
    title: response.statusText || `HTTP ${response.status}`,
    detail: response.status >= 500 ? 'The server had a problem answering. Try again in a moment.' : 'The server gave an answer the app did not expect.',
  });
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
