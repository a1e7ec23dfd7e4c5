import { isNextStudyAnswer } from '../../../../contract/answer-shapes.ts';
import type { NextStudyAnswer } from '../../../../contract/worklist-api.ts';
import { apiRequestChecked } from '../../../lib/api-client.ts';

/**
 * POST /api/reading/next: the server picks the next study by rule, claims it for the caller when it
 * is unassigned and gives them its reading lease; `{ study: null }` when nothing waits. Refusals
 * come as ApiError: 409 while the caller reads as many studies as they may (`problem.leases` names
 * them), 403 for someone who does not read, 503 (retryable) while the shared store is out of reach.
 */
export function takeNextStudy(): Promise<NextStudyAnswer> {
  return apiRequestChecked('/api/reading/next', isNextStudyAnswer, { method: 'POST' });
}
