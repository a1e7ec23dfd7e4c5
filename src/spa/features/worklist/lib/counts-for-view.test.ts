import { describe, expect, it } from 'vitest';
import type { WorklistCounts } from '../../../../contract/worklist-api.ts';
import { countsForView } from './counts-for-view.ts';
import { defaultFilters } from '../../../../contract/worklist-filters.ts';
import type { Viewer } from '../../../../contract/worklist-filters.ts';

const ME = 'usr_0123456789abcdef0123456789abcdef';
const OTHER = 'usr_ffffffffffffffffffffffffffffffff';
const coordinator: Viewer = { role: 'coordinator', userId: null };
const radiologist: Viewer = { role: 'radiologist', userId: ME };

const counts: WorklistCounts = {
  unread: { stat: { count: 12, capped: false }, high: { count: 40, capped: false } },
  bySeverity: { stat: 12, high: 40, normal: 310 },
  overdue: { stat: 3, high: 5, normal: 20 },
  unassigned: { stat: 4, high: 11, normal: 150 },
  byAssignee: { [ME]: { stat: 2, high: 6, normal: 30 } },
  mineAndUnassigned: { stat: 6, high: 17, normal: 180 },
  asOf: '2026-12-01T09:30:05.000Z',
  capped: false,
};

describe('countsForView', () => {
  const anyone = defaultFilters(coordinator);

  it('counts everyone’s active queue, with overdue', () => {
    expect(countsForView(anyone, coordinator, counts)).toEqual({
      stat: { count: 12, capped: false, overdue: 3 },
      high: { count: 40, capped: false, overdue: 5 },
      normal: { count: 310, capped: false, overdue: 20 },
    });
  });

  it('counts the unassigned, mine, and one person’s (zero for someone with none)', () => {
    expect(countsForView({ ...anyone, assignee: 'unassigned' }, coordinator, counts)?.stat).toEqual({
      count: 4,
      capped: false,
    });
    expect(countsForView({ ...defaultFilters(radiologist), assignee: 'me' }, radiologist, counts)?.high).toEqual({
      count: 6,
      capped: false,
    });
    // A radiologist's first screen: mine and the unassigned ones, as the server adds them up.
    expect(countsForView(defaultFilters(radiologist), radiologist, counts)?.high).toEqual({ count: 17, capped: false });
    expect(
      countsForView(defaultFilters(radiologist), radiologist, { ...counts, mineAndUnassigned: undefined }),
    ).toBeNull();
    expect(countsForView({ ...anyone, assignee: ME }, coordinator, counts)?.normal).toEqual({
      count: 30,
      capped: false,
    });
    expect(countsForView({ ...anyone, assignee: OTHER }, coordinator, counts)?.stat).toEqual({
      count: 0,
      capped: false,
    });
  });

  it('does not count views with other filters than the active queue’s', () => {
    expect(countsForView({ ...anyone, viewerStatus: 'any' }, coordinator, counts)).toBeNull();
    expect(countsForView({ ...anyone, viewerStatus: 'complete' }, coordinator, counts)).toBeNull();
    expect(countsForView({ ...anyone, includeCancelled: true }, coordinator, counts)).toBeNull();
    expect(countsForView({ ...anyone, description: 'CT' }, coordinator, counts)).toBeNull();
    expect(countsForView({ ...anyone, customer: 'none' }, coordinator, counts)).toBeNull();
    expect(
      countsForView({ ...anyone, customer: 'cus_0123456789abcdef0123456789abcdef' }, coordinator, counts),
    ).toBeNull();
    expect(countsForView({ ...anyone, assignee: 'me' }, coordinator, counts)).toBeNull();
    expect(countsForView(anyone, coordinator, undefined)).toBeNull();
  });

  it('still counts when only the shown groups differ, and says "at least" after a capped walk', () => {
    expect(countsForView({ ...anyone, groups: ['stat'] }, coordinator, counts)?.stat.count).toBe(12);
    const capped = {
      ...counts,
      capped: true,
      unread: { stat: { count: 12, capped: false }, high: { count: 40, capped: true } },
    };
    const view = countsForView(anyone, coordinator, capped);
    expect(view?.stat.capped).toBe(false);
    expect(view?.high.capped).toBe(true);
    expect(view?.normal.capped).toBe(true);
  });
});
