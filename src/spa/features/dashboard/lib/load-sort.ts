import type { RadiologistLoad } from '../../../../contract/dashboard-api.ts';

export type LoadColumn = 'name' | 'stat' | 'high' | 'normal' | 'unread' | 'readingNow' | 'readToday';
export interface LoadSort {
  column: LoadColumn;
  direction: 'ascending' | 'descending';
}

export const DEFAULT_LOAD_SORT: LoadSort = { column: 'unread', direction: 'descending' };

export function totalUnread(person: RadiologistLoad): number {
  return person.assignedUnread.stat + person.assignedUnread.high + person.assignedUnread.normal;
}

function valueOf(person: RadiologistLoad, column: Exclude<LoadColumn, 'name'>): number {
  if (column === 'unread') return totalUnread(person);
  if (column === 'readingNow' || column === 'readToday') return person[column];
  return person.assignedUnread[column];
}

/** The people in the table's order; ties go by name, so the order never jumps between refreshes. */
export function sortLoad(people: readonly RadiologistLoad[], sort: LoadSort): RadiologistLoad[] {
  const sign = sort.direction === 'ascending' ? 1 : -1;
  const byName = (a: RadiologistLoad, b: RadiologistLoad) =>
    a.name.localeCompare(b.name) || (a.userId < b.userId ? -1 : 1);
  const { column } = sort;
  return [...people].sort((a, b) => {
    const difference = column === 'name' ? byName(a, b) : valueOf(a, column) - valueOf(b, column);
    return difference === 0 ? byName(a, b) : sign * difference;
  });
}

/** A click on a column's header: that column, the other direction when it already sorts by it. */
export function nextSort(current: LoadSort, column: LoadColumn): LoadSort {
  if (current.column === column)
    return { column, direction: current.direction === 'ascending' ? 'descending' : 'ascending' };
  return { column, direction: column === 'name' ? 'ascending' : 'descending' };
}
