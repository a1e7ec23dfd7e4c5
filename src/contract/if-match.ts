/**
 * Conditional changes of a study, one rule for the BFF and the mock handlers: a change carries
 * `If-Match` with the `updatedAt` of the version it was made against (quoted like an ETag, or bare;
 * `*` for "whatever it is now"); a newer study means someone else changed it since, and the answer
 * is 409 with the study as it is now.
 */
import { PROBLEM_TYPES, type Problem } from './problem.ts';

export type IfMatch = { kind: 'any' } | { kind: 'version'; updatedAt: string };

/** What an If-Match header asks for; undefined when there is none (the change is refused with 428). */
export function parseIfMatch(header: string | null | undefined): IfMatch | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  if (value === '*') return { kind: 'any' };
  return { kind: 'version', updatedAt: value.replace(/^W\//, '').replace(/^"(.*)"$/, '$1') };
}

/** Whether the study as it is now is the version the change was made against. */
export function ifMatchHolds(condition: IfMatch, currentUpdatedAt: unknown): boolean {
  return condition.kind === 'any' || condition.updatedAt === currentUpdatedAt;
}

/** The answer to a change that carries no If-Match. */
export function preconditionRequiredProblem(): Problem {
  return {
    type: PROBLEM_TYPES.preconditionRequired,
    title: 'If-Match required',
    status: 428,
    detail:
      'A change must carry If-Match with the updatedAt of the study it was made against (or * to change whatever is there now).',
  };
}

/** The answer to a change made against an older version: the study as it is now comes with it. */
export function changedMeanwhileProblem(current: unknown, detail?: string): Problem {
  return {
    type: PROBLEM_TYPES.conflict,
    title: 'Changed by someone else',
    status: 409,
    detail:
      detail ?? 'Someone else changed this study after you opened it. Review their changes, then apply yours again.',
    current,
  };
}
