import { describe, expect, it } from 'vitest';
import type { Study } from '../../../../contract/avara-types.ts';
import { ApiError } from '../../../lib/api-client.ts';
import { makeStudy } from '../../../testing/study-factory.ts';
import {
  describeAction,
  failureReason,
  requestFor,
  runBulkChange,
  summarize,
  unchangedReason,
  type StudyRequest,
} from './bulk-change.ts';

function study(index: number, extra: Partial<Study> = {}): Study {
  return makeStudy({
    studyId: `stu_${String(index).padStart(32, '0')}`,
    studyInstanceUid: `1.2.3.${index}`,
    studyDescription: `CT Head ${index}`,
    severity: 'stat',
    createdAt: '2026-12-01T10:00:00.000Z',
    updatedAt: '2026-12-01T10:00:00.000Z',
    ...extra,
  });
}

const ASSIGN = { kind: 'assign', userId: 'usr_a', name: 'Ada Chen' } as const;

describe('a bulk change', () => {
  it('sends each kind through the single-study routes', () => {
    expect(requestFor(ASSIGN)).toEqual({ method: 'PATCH', body: { assignedTo: 'usr_a' } });
    expect(requestFor({ kind: 'severity', severity: 'high' })).toEqual({ method: 'PATCH', body: { severity: 'high' } });
    expect(requestFor({ kind: 'read' })).toEqual({ method: 'PATCH', body: { studyViewerStatus: 'complete' } });
    expect(requestFor({ kind: 'unread' })).toEqual({ method: 'PATCH', body: { studyViewerStatus: 'incomplete' } });
    expect(requestFor({ kind: 'cancel' })).toEqual({ method: 'cancel' });
  });

  it('says how many and what in the confirmation', () => {
    expect(describeAction(ASSIGN, 10)).toBe('Assign 10 studies to Ada Chen');
    expect(describeAction({ kind: 'cancel' }, 1)).toBe('Cancel 1 study');
    expect(describeAction({ kind: 'severity', severity: 'stat' }, 3)).toBe('Set 3 studies to STAT');
  });

  it('leaves studies that already are so, or cancelled, with a reason', () => {
    expect(
      unchangedReason(
        study(1, { assignedTo: { userId: 'usr_a', email: 'a@x', firstName: 'Ada', lastName: 'Chen' } }),
        ASSIGN,
      ),
    ).toBe('Already assigned to Ada Chen.');
    expect(unchangedReason(study(1, { isCancelled: true }), { kind: 'read' })).toBe('Cancelled: restore it first.');
    expect(unchangedReason(study(1, { isCancelled: true }), { kind: 'cancel' })).toBe('Already cancelled.');
    expect(unchangedReason(study(1), { kind: 'unread' })).toBe('Already unread.');
    expect(unchangedReason(study(1), ASSIGN)).toBeUndefined();
  });

  it('changes every study with its confirmed version, reports each failure with why, and goes on', async () => {
    const studies = Array.from({ length: 10 }, (_, index) => study(index + 1));
    const sent: Array<[string, StudyRequest]> = [];
    let inFlight = 0;
    let most = 0;
    const outcomes = await runBulkChange(
      studies,
      ASSIGN,
      async (target, request) => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 1));
        inFlight -= 1;
        sent.push([target.studyId, request]);
        if (target === studies[2] || target === studies[6]) {
          throw new ApiError({
            status: 409,
            title: 'Changed by someone else',
            detail: '',
            problem: {
              type: '/problems/conflict',
              title: 'Changed',
              status: 409,
              detail: '',
              current: { ...target, studyId: target.studyId, severity: 'high' },
            },
          });
        }
      },
      { concurrency: 4 },
    );
    expect(sent).toHaveLength(10);
    expect(most).toBeLessThanOrEqual(4);
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'changed',
      'changed',
      'failed',
      'changed',
      'changed',
      'changed',
      'failed',
      'changed',
      'changed',
      'changed',
    ]);
    expect(outcomes[2]).toMatchObject({
      studyId: studies[2]?.studyId,
      reason: 'Changed by someone else meanwhile (now High); not changed.',
    });
    expect(summarize(outcomes)).toBe('8 of 10 changed, 2 not changed');
  });

  it('words other failures as the server said them', () => {
    expect(
      failureReason(
        new ApiError({ status: 403, title: 'Forbidden', detail: 'Only a coordinator may change the severity.' }),
        study(1),
      ),
    ).toBe('Only a coordinator may change the severity.');
    expect(failureReason(new ApiError({ status: 0, title: 'Network error', detail: '' }), study(1))).toBe(
      'The server could not be reached; not changed.',
    );
    expect(failureReason(new Error('boom'), study(1))).toBe('Something went wrong; nothing was changed.');
  });
});
