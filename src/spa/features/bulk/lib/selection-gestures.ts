import type { SelectionGesture, StudySelectionState } from '../../../lib/studies/study-selection.ts';

/**
 * What a gesture makes of the selection: a click toggles one row and makes it the anchor; a
 * Shift-click gives every row from the anchor to it the state the clicked row gets (the anchor
 * stays, so a second Shift-click changes the same range); a group's checkbox selects or unselects
 * all its loaded rows; a row's Assign button opens its picker.
 */
export function applyGesture(state: StudySelectionState, gesture: SelectionGesture): StudySelectionState {
  if (gesture.kind === 'assign')
    return { ...state, inlineAssign: { studyId: gesture.studyId, anchor: gesture.anchor } };
  const ids = new Set(state.ids);
  if (gesture.kind === 'group') {
    for (const id of gesture.studyIds) {
      if (gesture.selected) ids.add(id);
      else ids.delete(id);
    }
    return { ...state, ids };
  }
  const { studyId, range } = gesture;
  const selecting = !ids.has(studyId);
  const from = range && state.anchor !== null ? range.indexOf(state.anchor) : -1;
  const to = range ? range.indexOf(studyId) : -1;
  if (!range || from < 0 || to < 0) {
    if (selecting) ids.add(studyId);
    else ids.delete(studyId);
    return { ...state, ids, anchor: studyId };
  }
  for (const id of range.slice(Math.min(from, to), Math.max(from, to) + 1)) {
    if (selecting) ids.add(id);
    else ids.delete(id);
  }
  return { ...state, ids };
}

/** Keeps only these selected (after a bulk change: the ones that did not change). */
export function keepOnly(state: StudySelectionState, studyIds: readonly string[]): StudySelectionState {
  return { ...state, ids: new Set(studyIds), anchor: null };
}
