import { describe, expect, it } from 'vitest';
import type { Study } from '../../../../contract/avara-types.ts';
import type { Me, Person } from '../../../../contract/worklist-api.ts';
import { claimAction, quickActionFailure, severityAction, viewerStatusAction } from './quick-actions.ts';

const study = {
  studyId: `stu_${'1'.repeat(32)}`,
  severity: 'normal',
  studyViewerStatus: 'incomplete',
  assignedTo: null,
} as const satisfies Partial<Study>;
const unread = study as unknown as Study;
const me = { email: 'sam.lee@example.org', name: 'Sam Lee' } as Me;

describe('the drawer’s quick actions', () => {
  it("assigns to me, shown at once as me (with the roster's name parts when loaded), then focus goes after the claim", () => {
    const action = claimAction(unread, me, 'u1');
    expect(action).toMatchObject({ label: 'Assign to me', changes: { assignedTo: 'u1' }, after: 'after-claim' });
    expect(action.optimistic.assignedTo).toEqual({ userId: 'u1', email: 'sam.lee@example.org' });
    const roster = [{ userId: 'u1', email: 'sam.lee@example.org', firstName: 'Sam', lastName: 'Lee' }] as Person[];
    expect(claimAction(unread, me, 'u1', roster).optimistic.assignedTo).toEqual({
      userId: 'u1',
      email: 'sam.lee@example.org',
      firstName: 'Sam',
      lastName: 'Lee',
    });
  });

  it('marks an unread study read (focus goes after reading), and reopens a read one', () => {
    expect(viewerStatusAction(unread)).toMatchObject({
      label: 'Mark read',
      changes: { studyViewerStatus: 'complete' },
      optimistic: { studyViewerStatus: 'complete' },
      after: 'after-read',
    });
    const read = { ...unread, studyViewerStatus: 'complete' } as Study;
    const reopen = viewerStatusAction(read);
    expect(reopen).toMatchObject({
      label: 'Reopen',
      changes: { studyViewerStatus: 'incomplete' },
      optimistic: { studyViewerStatus: 'incomplete' },
    });
    expect(reopen.after).toBeUndefined();
  });

  it('changes severity only to another one', () => {
    expect(severityAction(unread, 'normal')).toBeNull();
    expect(severityAction(unread, 'stat')).toMatchObject({
      label: 'Severity STAT',
      changes: { severity: 'stat' },
      optimistic: { severity: 'stat' },
    });
  });

  it('says why an action did not stick', () => {
    expect(quickActionFailure('Mark read', { conflict: true })).toMatch(
      /^Someone else changed this study just now, so “Mark read” was not applied\./,
    );
    expect(quickActionFailure('Mark read', { conflict: false, detail: 'Try again.' })).toBe(
      '“Mark read” was not applied and the change was undone. Try again.',
    );
  });
});
