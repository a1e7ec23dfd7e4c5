/**
 * Which worklist rows a coordinator has selected for a bulk change, and which row asked for the
 * inline assignee picker. The first screen carries only this store and the rows' checkboxes; what a
 * gesture does (ranges, a group at once) comes with the bulk bar, which loads on the first gesture
 * and then answers the ones made meanwhile (features/bulk/lib/selection-gestures.ts).
 */
export interface StudySelectionState {
  /** Selected studies, in the order they were selected. */
  readonly ids: ReadonlySet<string>;
  /** The last row clicked without Shift: a Shift-click selects the range from it. */
  readonly anchor: string | null;
  /** The row whose assignee picker is open (from its Assign button), and where that button is. */
  readonly inlineAssign: { studyId: string; anchor: DOMRect } | null;
  /** A gesture has been made: the bulk layer is wanted (and stays, once loaded). */
  readonly requested: boolean;
}

/** What a person did to the selection. */
export type SelectionGesture =
  /** A row's checkbox or `x`; with `range` (the rows in list order) for a Shift-click. */
  | { kind: 'toggle'; studyId: string; range?: readonly string[] | undefined }
  /** "Select all loaded" of a group. */
  | { kind: 'group'; studyIds: readonly string[]; selected: boolean }
  /** A row's Assign button. */
  | { kind: 'assign'; studyId: string; anchor: DOMRect };

export interface StudySelection {
  get: () => StudySelectionState;
  subscribe: (listener: () => void) => () => void;
  set: (next: StudySelectionState) => void;
  /** A gesture, answered by the installed handler, or kept until one is installed. */
  request: (gesture: SelectionGesture) => void;
  /** The bulk layer's handler of gestures; the ones waiting are answered at once. */
  install: (handler: (gesture: SelectionGesture) => void) => void;
}

export const NO_STUDIES: ReadonlySet<string> = new Set();

/** A new, empty selection (one per worklist page). */
export function createStudySelection(): StudySelection {
  let state: StudySelectionState = { ids: NO_STUDIES, anchor: null, inlineAssign: null, requested: false };
  let handler: ((gesture: SelectionGesture) => void) | undefined;
  const waiting: SelectionGesture[] = [];
  const listeners = new Set<() => void>();
  const set = (next: StudySelectionState) => {
    state = next;
    for (const listener of listeners) listener();
  };
  return {
    get: () => state,
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    set,
    request: (gesture) => {
      if (handler) return handler(gesture);
      waiting.push(gesture);
      if (!state.requested) set({ ...state, requested: true });
    },
    install: (next) => {
      handler = next;
      for (const gesture of waiting.splice(0)) next(gesture);
    },
  };
}
