import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Severity, Study } from '../../contract/avara-types.ts';
import { mayReadNext } from '../../contract/permissions.ts';
import {
  NEXT_STEPS,
  leasesInTheWay,
  pickNext,
  stepFilter,
  type NextCandidate,
  type NextQueue,
  type NextReader,
  type NextStep,
} from './next-study-rule.ts';
import type { HeldLease } from './reading-rules.ts';

const ME = `usr_${'a1'.repeat(16)}`;
const OTHER = `usr_${'b2'.repeat(16)}`;
const reader: NextReader = { actor: { role: 'radiologist', userId: ME }, subject: 'me@example.org' };

function study(index: number, severity: Severity, assignee: string | null, read: boolean, cancelled: boolean): Study {
  const minute = String(index % 60).padStart(2, '0');
  return {
    studyId: `stu_${index.toString(16).padStart(32, '0')}`,
    studyInstanceUid: `1.2.3.${index}`,
    studyDescription: 'CT Head',
    severity,
    studyViewerStatus: read ? 'complete' : 'incomplete',
    isCancelled: cancelled,
    cancelledAt: cancelled ? '2026-12-01T09:00:00.000Z' : null,
    createdAt: `2026-12-01T08:${minute}:00.000Z`,
    updatedAt: `2026-12-01T08:${minute}:00.000Z`,
    assignedTo:
      assignee === null ? null : { userId: assignee, email: 'someone@example.org', firstName: 'A', lastName: 'B' },
  };
}

function lease(studyId: string, subject: string): HeldLease {
  return {
    lease: {
      studyId,
      holder: { userId: null, email: subject, name: subject },
      since: '2026-12-01T09:00:00.000Z',
      expiresAt: '2026-12-01T09:02:00.000Z',
    },
    subject,
    version: 1,
  };
}

/** A study as the generator draws it: most in the shape a step lists, some that a stale list could still hold. */
const candidateArbitrary = fc.record({
  severity: fc.constantFrom<Severity>('stat', 'high', 'normal'),
  assignee: fc.constantFrom(ME, OTHER, null, ''),
  read: fc.boolean(),
  cancelled: fc.boolean(),
  lease: fc.constantFrom('none', 'none', 'none', 'mine', 'other'),
});

/** A queue: per step, the studies its list would answer, oldest first, with some strays mixed in (a stale page). */
const queueArbitrary = fc
  .array(fc.tuple(fc.constantFrom(...NEXT_STEPS), candidateArbitrary, fc.boolean()), { maxLength: 60 })
  .map((drawn) => {
    const queue: Record<NextStep, NextCandidate[]> = {
      'own-stat': [],
      'unassigned-stat': [],
      'own-high': [],
      'unassigned-high': [],
      'own-normal': [],
      'unassigned-normal': [],
    };
    drawn.forEach(([step, drawnStudy, stray], index) => {
      const filter = stepFilter(step);
      // Most studies look as the step's list filters promise; a stray keeps what was drawn.
      const severity = stray ? drawnStudy.severity : filter.severity;
      const assignee = stray
        ? drawnStudy.assignee === ''
          ? OTHER
          : drawnStudy.assignee
        : filter.assignee === 'own'
          ? ME
          : null;
      const made = study(index + 1, severity, assignee, stray && drawnStudy.read, stray && drawnStudy.cancelled);
      const held =
        drawnStudy.lease === 'none'
          ? undefined
          : lease(made.studyId, drawnStudy.lease === 'mine' ? reader.subject : 'someone@example.org');
      queue[step].push({ study: made, lease: held });
    });
    return queue;
  });

/** The rule written out plainly, from the words, to check the module against. */
function plainlyEligible(step: NextStep, { study: s, lease: l }: NextCandidate): boolean {
  const filter = stepFilter(step);
  const assignee = s.assignedTo?.userId ?? null;
  const whose = filter.assignee === 'own' ? assignee === ME : assignee === null;
  return (
    s.severity === filter.severity && whose && s.studyViewerStatus === 'incomplete' && !s.isCancelled && l === undefined
  );
}

function allCandidates(queue: NextQueue): Array<[NextStep, NextCandidate]> {
  return NEXT_STEPS.flatMap((step) =>
    (queue[step] ?? []).map((candidate): [NextStep, NextCandidate] => [step, candidate]),
  );
}

describe('the Next-study rule', () => {
  it("never gives a study under a reading lease, someone else's or the reader's own", () => {
    fc.assert(
      fc.property(queueArbitrary, (queue) => {
        const pick = pickNext(queue, reader);
        expect(pick?.candidate.lease).toBeUndefined();
      }),
    );
  });

  it('never gives a study the person may not read and claim (the permissions rule), nor a read or cancelled one', () => {
    fc.assert(
      fc.property(queueArbitrary, (queue) => {
        const pick = pickNext(queue, reader);
        if (!pick) return;
        const { study: given } = pick.candidate;
        expect(
          mayReadNext(reader.actor, {
            assignedTo: given.assignedTo ?? null,
            isCancelled: given.isCancelled,
            studyViewerStatus: given.studyViewerStatus,
          }),
        ).toBe(true);
        expect(given.isCancelled).toBe(false);
        expect(given.studyViewerStatus).toBe('incomplete');
        expect(given.assignedTo?.userId ?? null).not.toBe(OTHER);
        expect(pick.claim).toBe(given.assignedTo == null);
      }),
    );
  });

  it('always gives the first eligible study: steps in order, oldest first within a step', () => {
    fc.assert(
      fc.property(queueArbitrary, (queue) => {
        const pick = pickNext(queue, reader);
        const first = allCandidates(queue).find(([step, candidate]) => plainlyEligible(step, candidate));
        expect(pick ? [pick.step, pick.candidate.study.studyId] : undefined).toEqual(
          first ? [first[0], first[1].study.studyId] : undefined,
        );
      }),
    );
  });

  it('passes over the studies already tried, and gives the next eligible one', () => {
    fc.assert(
      fc.property(queueArbitrary, fc.integer({ min: 0, max: 5 }), (queue, triedCount) => {
        const eligible = allCandidates(queue).filter(([step, candidate]) => plainlyEligible(step, candidate));
        const tried = new Set(eligible.slice(0, triedCount).map(([, candidate]) => candidate.study.studyId));
        const pick = pickNext(queue, reader, tried);
        const expected = eligible[triedCount];
        expect(pick?.candidate.study.studyId).toBe(expected?.[1].study.studyId);
      }),
    );
  });

  it('gives nothing to someone without an Avara user', () => {
    fc.assert(
      fc.property(queueArbitrary, (queue) => {
        expect(pickNext(queue, { actor: { role: 'radiologist', userId: null }, subject: 'x' })).toBeUndefined();
      }),
    );
  });

  it("counts the reader's own leases against the limit, and no one else's", () => {
    const mine = [lease(`stu_${'1'.repeat(32)}`, reader.subject), lease(`stu_${'2'.repeat(32)}`, reader.subject)];
    const theirs = [lease(`stu_${'3'.repeat(32)}`, 'other')];
    expect(leasesInTheWay([...theirs], reader, 1)).toEqual([]);
    expect(leasesInTheWay([...mine.slice(0, 1), ...theirs], reader, 1)).toEqual(mine.slice(0, 1));
    expect(leasesInTheWay([...mine.slice(0, 1), ...theirs], reader, 2)).toEqual([]);
    expect(leasesInTheWay([...mine, ...theirs], reader, 2)).toEqual(mine);
  });
});
