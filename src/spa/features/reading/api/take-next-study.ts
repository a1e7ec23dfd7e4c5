import { isNextStudyAnswer } from '../../../../contract/answer-shapes.ts';
import { apiRequestChecked } from '../../../lib/api-client.ts';
import type { ApiAnswer } from '../../../lib/api-types.ts';

/**
 * POST /api/reading/next: the server picks the next study by rule, claims it for the caller when it
 * is unassigned and gives them its reading lease; `{ study: null }` when nothing waits. Refusals
 * come as ApiError: 409 while the caller reads as many studies as they may (`problem.leases` names
 * them), 403 for someone who does not read, 503 (retryable) while the shared store is out of reach.
 */
export function takeNextStudy(): Promise<ApiAnswer<'/api/reading/next', 'post'>> {
  return apiRequestChecked('/api/reading/next', isNextStudyAnswer, { method: 'POST' });
}
