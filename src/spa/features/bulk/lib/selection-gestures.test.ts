import { describe, expect, it } from 'vitest';
import { NO_STUDIES, createStudySelection, type StudySelectionState } from '../../../lib/studies/study-selection.ts';
import { applyGesture, keepOnly } from './selection-gestures.ts';

const EMPTY: StudySelectionState = { ids: NO_STUDIES, anchor: null, inlineAssign: null, requested: true };
const ROWS = ['a', 'b', 'c', 'd', 'e'];

function run(...gestures: Parameters<typeof applyGesture>[1][]): StudySelectionState {
  return gestures.reduce(applyGesture, EMPTY);
}

describe('selection gestures', () => {
  it('toggles a row and makes it the anchor', () => {
    expect([...run({ kind: 'toggle', studyId: 'b' }).ids]).toEqual(['b']);
    expect(run({ kind: 'toggle', studyId: 'b' }).anchor).toBe('b');
    expect([...run({ kind: 'toggle', studyId: 'b' }, { kind: 'toggle', studyId: 'b' }).ids]).toEqual([]);
  });

  it('selects the range from the anchor on Shift-click, either way up the list', () => {
    expect(
      [...run({ kind: 'toggle', studyId: 'b' }, { kind: 'toggle', studyId: 'd', range: ROWS }).ids].sort(),
    ).toEqual(['b', 'c', 'd']);
    expect(
      [...run({ kind: 'toggle', studyId: 'e' }, { kind: 'toggle', studyId: 'a', range: ROWS }).ids].sort(),
    ).toEqual(ROWS);
  });

  it('keeps the anchor, so a second Shift-click changes the range from the same row', () => {
    const state = run(
      { kind: 'toggle', studyId: 'a' },
      { kind: 'toggle', studyId: 'e', range: ROWS },
      { kind: 'toggle', studyId: 'c', range: ROWS },
    );
    // c was selected, so the range a–c is unselected (the clicked row's new state).
    expect([...state.ids].sort()).toEqual(['d', 'e']);
    expect(state.anchor).toBe('a');
  });

  it('treats a Shift-click without an anchor in the list as a click', () => {
    expect([...run({ kind: 'toggle', studyId: 'c', range: ROWS }).ids]).toEqual(['c']);
    expect(run({ kind: 'toggle', studyId: 'x' }, { kind: 'toggle', studyId: 'c', range: ROWS }).anchor).toBe('c');
  });

  it('selects and unselects a group at once, leaving other rows as they are', () => {
    const state = run({ kind: 'toggle', studyId: 'z' }, { kind: 'group', studyIds: ['a', 'b'], selected: true });
    expect([...state.ids].sort()).toEqual(['a', 'b', 'z']);
    expect([...applyGesture(state, { kind: 'group', studyIds: ['a', 'b'], selected: false }).ids]).toEqual(['z']);
  });

  it('keeps only the given rows after a bulk change', () => {
    expect([...keepOnly(run({ kind: 'group', studyIds: ROWS, selected: true }), ['c']).ids]).toEqual(['c']);
  });
});

describe('the selection store', () => {
  it('keeps gestures made before the bulk layer loads, and answers them once it is installed', () => {
    const selection = createStudySelection();
    let notified = 0;
    selection.subscribe(() => (notified += 1));
    selection.request({ kind: 'toggle', studyId: 'a' });
    selection.request({ kind: 'toggle', studyId: 'b' });
    expect(selection.get().requested).toBe(true);
    expect(selection.get().ids.size).toBe(0);
    selection.install((gesture) => selection.set(applyGesture(selection.get(), gesture)));
    expect([...selection.get().ids]).toEqual(['a', 'b']);
    selection.request({ kind: 'toggle', studyId: 'a' });
    expect([...selection.get().ids]).toEqual(['b']);
    expect(notified).toBeGreaterThan(2);
  });
});
