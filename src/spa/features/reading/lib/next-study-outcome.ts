import type { Study } from '../../../../contract/avara-types.ts';
import type { NextStudyAnswer } from '../../../../contract/worklist-api.ts';
import { isApiError } from '../../../lib/api-client.ts';

/** What Next study came to, as the button reports it. */
export type NextStudyOutcome =
  | { kind: 'study'; study: Study }
  | { kind: 'none'; text: string }
  /** 409: the person reads as many studies as they may; `studyIds` are the ones they hold. */
  | { kind: 'busy'; text: string; studyIds: string[] }
  | { kind: 'error'; text: string };

export const NOTHING_WAITING = 'Nothing is waiting for you.';

/** The outcome of an answer from POST /api/reading/next. */
export function outcomeOfAnswer(answer: NextStudyAnswer): NextStudyOutcome {
  return answer.study === null ? { kind: 'none', text: NOTHING_WAITING } : { kind: 'study', study: answer.study };
}

/** The outcome of a refusal or failure of POST /api/reading/next. */
export function outcomeOfError(error: unknown): NextStudyOutcome {
  if (!isApiError(error)) return { kind: 'error', text: 'Next study could not be asked for. Try again.' };
  if (error.status === 409) {
    const studyIds = (error.problem?.leases ?? []).map((lease) => lease.studyId);
    return { kind: 'busy', text: error.detail || 'You are reading as many studies as you may already.', studyIds };
  }
  return { kind: 'error', text: `Next study could not be asked for. ${error.detail || error.title}` };
}
