/**
 * The Next-study rule, without I/O: which study a reader gets when they ask for the next one.
 *
 * Steps, tried in this order (NEXT_STEPS):
 *   1. own-stat           their own unread STAT
 *   2. unassigned-stat    an unassigned STAT they may claim
 *   3. own-high           4. unassigned-high
 *   5. own-normal         6. unassigned-normal
 * Within a step, the candidates come in the list API's order (oldest first: the study waiting
 * longest comes first), and the first eligible one is given. A candidate is eligible when:
 * - it belongs to the step: its severity, and its assignee (the reader for `own-*`, nobody for
 *   `unassigned-*`);
 * - it is unread and not cancelled;
 * - nobody holds its reading lease: someone else's means they are reading it, the reader's own
 *   that they have it already (Next gives another study);
 * - the permissions rule (src/contract/permissions.ts, `mayReadNext`) lets the reader read it and
 *   claim it;
 * - it is not among those already tried in this request (claimed by someone else meanwhile).
 * The route (src/bff/routes/api/reading/next-study-routes.ts) feeds the candidates, claims the one
 * picked under the study's lock, and asks again, without it, when it was taken meanwhile.
 */
import type { Severity, Study } from '../../contract/avara-types.ts';
import { mayReadNext, type Actor } from '../../contract/permissions.ts';
import { NEXT_STEPS, type NextStep } from '../../contract/worklist-api.ts';
import type { HeldLease } from './reading-rules.ts';

export { NEXT_STEPS, type NextStep };

/** Whose studies a step takes, and of which severity. */
export interface StepFilter {
  severity: Severity;
  assignee: 'own' | 'unassigned';
}

/** What each step lists: the list API's filters (plus unread and not cancelled, for every step). */
export function stepFilter(step: NextStep): StepFilter {
  return STEP_FILTERS[step];
}

const STEP_FILTERS: Record<NextStep, StepFilter> = {
  'own-stat': { severity: 'stat', assignee: 'own' },
  'unassigned-stat': { severity: 'stat', assignee: 'unassigned' },
  'own-high': { severity: 'high', assignee: 'own' },
  'unassigned-high': { severity: 'high', assignee: 'unassigned' },
  'own-normal': { severity: 'normal', assignee: 'own' },
  'unassigned-normal': { severity: 'normal', assignee: 'unassigned' },
};

/** A study as the list answered it, with its live reading lease, if any. */
export interface NextCandidate {
  study: Study;
  lease: HeldLease | undefined;
}

/** Who asks: as the permissions rule sees them, and their sign-in subject (whose leases are theirs). */
export interface NextReader {
  actor: Actor;
  subject: string;
}

/** The candidates of some steps, each in the list API's order; a step left out has none (yet). */
export type NextQueue = Partial<Record<NextStep, readonly NextCandidate[]>>;

export interface NextPick {
  step: NextStep;
  candidate: NextCandidate;
  /** The study must be assigned to the reader as part of giving it (it is unassigned now). */
  claim: boolean;
}

/** Whether the candidate may be given to the reader at this step (the rule's conditions above). */
export function isEligible(step: NextStep, candidate: NextCandidate, reader: NextReader): boolean {
  const { study, lease } = candidate;
  const filter = stepFilter(step);
  if (study.severity !== filter.severity) return false;
  const assignee = study.assignedTo == null ? null : (study.assignedTo.userId ?? '');
  if (filter.assignee === 'own' ? assignee !== reader.actor.userId || assignee === null : assignee !== null)
    return false;
  if (study.isCancelled || study.studyViewerStatus !== 'incomplete') return false;
  if (lease) return false;
  return mayReadNext(reader.actor, {
    assignedTo: assignee === null ? null : { userId: assignee },
    isCancelled: study.isCancelled,
    studyViewerStatus: study.studyViewerStatus,
  });
}

/**
 * The study the rule gives the reader: the first eligible candidate of the first step that has one,
 * or undefined when no step has any. `tried` (study IDs) are skipped.
 */
export function pickNext(
  queue: NextQueue,
  reader: NextReader,
  tried: ReadonlySet<string> = new Set(),
): NextPick | undefined {
  for (const step of NEXT_STEPS) {
    for (const candidate of queue[step] ?? []) {
      if (tried.has(candidate.study.studyId)) continue;
      if (isEligible(step, candidate, reader))
        return { step, candidate, claim: stepFilter(step).assignee === 'unassigned' };
    }
  }
  return undefined;
}

/**
 * The leases that stop the reader from taking another study: theirs, on studies still unread (the
 * caller checks that), when they hold `maxLeases` or more. Empty when they may take one more.
 */
export function leasesInTheWay(
  held: readonly HeldLease[],
  reader: Pick<NextReader, 'subject'>,
  maxLeases: number,
): HeldLease[] {
  const own = held.filter((lease) => lease.subject === reader.subject);
  return own.length >= maxLeases ? own : [];
}
