import { describe, expect, it } from 'vitest';
import type { Severity, Study } from '../../../../contract/avara-types.ts';
import { makeStudy } from '../../../testing/study-factory.ts';
import {
  buildItems,
  describeGroupCount,
  groupSelectionOf,
  groupSelectionsOf,
  indexesOf,
  ITEM_HEIGHT,
  SKELETON_ROWS,
} from './grid-items.ts';
import type { GroupOfItems, GroupQueryState } from './grid-items.ts';

function study(studyId: string, severity: Severity): Study {
  return makeStudy({ studyId, severity, createdAt: '2026-12-01T10:00:00.000Z', updatedAt: '2026-12-01T10:00:00.000Z' });
}

const LOADED: GroupQueryState = { isPending: false, isError: false, hasNextPage: false, isFetchNextPageError: false };

function group(
  severity: Severity,
  studyIds: string[],
  query: Partial<GroupQueryState> = {},
  collapsed = false,
): GroupOfItems {
  return {
    severity,
    collapsed,
    group: { studies: studyIds.map((id) => study(id, severity)), query: { ...LOADED, ...query } },
  };
}

const kinds = (groups: GroupOfItems[]) =>
  buildItems(groups, ITEM_HEIGHT).items.map((item) => `${item.kind}:${item.key}`);

describe('the grid items', () => {
  it("reuses a group's study items while its list of studies is the same, and builds them again for a new list", () => {
    const stat = group('stat', ['a', 'b']);
    const normal = group('normal', ['c']);
    const before = buildItems([stat, normal], ITEM_HEIGHT);
    // A live update to the STAT group: a new list for it, the same one for the others.
    const changed = { ...stat, group: { ...stat.group, studies: [...stat.group.studies] } };
    const after = buildItems([changed, normal], ITEM_HEIGHT);
    expect(after.items.find((item) => item.key === 'c')).toBe(before.items.find((item) => item.key === 'c'));
    expect(after.items.find((item) => item.key === 'a')).not.toBe(before.items.find((item) => item.key === 'a'));
    expect(after.items.map((item) => item.key)).toEqual(before.items.map((item) => item.key));
    expect(after.studyIds.get('normal')).toBe(before.studyIds.get('normal'));
  });

  it('puts each group header before its rows, and a "more" row where more pages exist', () => {
    expect(kinds([group('stat', ['a', 'b'], { hasNextPage: true }), group('normal', ['c'])])).toEqual([
      'group:group-stat',
      'study:a',
      'study:b',
      'more:more-stat',
      'group:group-normal',
      'study:c',
    ]);
  });

  it('shows skeletons while a group loads, an error when its first page failed, and "empty" when nothing matches', () => {
    expect(kinds([group('stat', [], { isPending: true })]).filter((key) => key.startsWith('skeleton'))).toHaveLength(
      SKELETON_ROWS,
    );
    expect(kinds([group('high', [], { isError: true })])).toEqual(['group:group-high', 'error:error-high']);
    expect(kinds([group('normal', [])])).toEqual(['group:group-normal', 'empty:empty-normal']);
  });

  it('keeps walking a searched list whose page matched none but has more (docs/decisions/032)', () => {
    expect(kinds([group('normal', [], { hasNextPage: true })])).toEqual(['group:group-normal', 'more:more-normal']);
  });

  it('shows only the header of a collapsed group', () => {
    expect(kinds([group('stat', ['a'], {}, true), group('high', ['b'])])).toEqual([
      'group:group-stat',
      'group:group-high',
      'study:b',
    ]);
  });

  it('gives each item its offset from the sizes of the items before it, and each group its last row', () => {
    const built = buildItems([group('stat', ['a', 'b'], { hasNextPage: true }), group('normal', ['c'])], ITEM_HEIGHT);
    expect(built.offsets).toEqual([0, 40, 76, 112, 152, 192]);
    expect(built.lastStudyIndex.get('stat')).toBe(2);
    expect(built.lastStudyIndex.get('normal')).toBe(5);
  });

  it('finds the rows of a group, and how many of them are selected', () => {
    const { items } = buildItems([group('stat', ['a', 'b']), group('normal', ['c'])], ITEM_HEIGHT);
    expect(indexesOf(items, 'group')).toEqual([0, 3]);
    expect(groupSelectionOf(['a', 'b'], new Set(['b', 'c']))).toEqual({ loaded: 2, selected: 1 });
  });

  it("lists each open group's study IDs once per build, for its header's selection", () => {
    const { studyIds } = buildItems(
      [group('stat', ['a', 'b']), group('high', ['x'], {}, true), group('normal', ['c'])],
      ITEM_HEIGHT,
    );
    expect([...studyIds]).toEqual([
      ['stat', ['a', 'b']],
      ['normal', ['c']],
    ]);
    expect(groupSelectionsOf(studyIds, new Set(['b', 'c', 'x']))).toEqual(
      new Map([
        ['stat', { loaded: 2, selected: 1 }],
        ['normal', { loaded: 1, selected: 1 }],
      ]),
    );
  });
});

describe('a group count', () => {
  it('is exact where the queue counts this view, else what is loaded', () => {
    const many = Array.from({ length: 1200 }, (_, index) => `s${index}`);
    expect(describeGroupCount(group('stat', []).group, { count: 12_000, capped: true, overdue: 0 })).toBe(
      `${(12_000).toLocaleString()}+`,
    );
    expect(describeGroupCount(group('stat', [], { isPending: true }).group)).toBe('Loading…');
    expect(describeGroupCount(group('stat', [], { isError: true }).group)).toBe('Not loaded');
    expect(describeGroupCount(group('stat', many, { hasNextPage: true }).group)).toBe(`${(1200).toLocaleString()}+`);
    expect(describeGroupCount(group('stat', ['a']).group)).toBe('1');
  });
});
