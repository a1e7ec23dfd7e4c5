import { describe, expect, it } from 'vitest';
import type { RadiologistLoad } from '../../../../contract/dashboard-api.ts';
import { DEFAULT_LOAD_SORT, nextSort, sortLoad } from './load-sort.ts';

const person = (name: string, stat: number, normal: number, readToday: number): RadiologistLoad => ({
  userId: `usr_${name.padEnd(32, '0')}`,
  name,
  assignedUnread: { stat, high: 0, normal },
  readingNow: 0,
  readToday,
});
const people = [person('Cole', 1, 5, 3), person('Abel', 2, 0, 9), person('Baker', 0, 6, 3)];
const names = (sorted: RadiologistLoad[]) => sorted.map((each) => each.name);

describe('the load table order', () => {
  it('starts with the most unread first; ties by name', () => {
    expect(names(sortLoad(people, DEFAULT_LOAD_SORT))).toEqual(['Baker', 'Cole', 'Abel']);
  });

  it('a header click sorts by that column (names A to Z, numbers largest first), a second click turns it round', () => {
    const byName = nextSort(DEFAULT_LOAD_SORT, 'name');
    expect(names(sortLoad(people, byName))).toEqual(['Abel', 'Baker', 'Cole']);
    expect(names(sortLoad(people, nextSort(byName, 'name')))).toEqual(['Cole', 'Baker', 'Abel']);
    const byRead = nextSort(byName, 'readToday');
    expect(byRead).toEqual({ column: 'readToday', direction: 'descending' });
    expect(names(sortLoad(people, byRead))).toEqual(['Abel', 'Baker', 'Cole']);
    expect(names(sortLoad(people, { column: 'stat', direction: 'ascending' }))).toEqual(['Baker', 'Cole', 'Abel']);
  });
});
