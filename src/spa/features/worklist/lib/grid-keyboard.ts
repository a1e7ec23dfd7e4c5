/**
 * The grid's keyboard rules, apart from the component that wires them: which row an arrow key
 * moves to, and what width an arrow key on a column header asks for.
 */

/**
 * The index of the study row that ↓/j (`step` 1) or ↑/k (-1) moves to: from the focused row to the
 * next or previous study, or, when no row has focus yet, to the first study shown at or after
 * `firstShown`. Undefined when there is none in that direction.
 */
export function nextStudyIndex(
  studyIndexes: readonly number[],
  focusedIndex: number,
  firstShown: number,
  step: 1 | -1,
): number | undefined {
  if (focusedIndex < 0) return studyIndexes.find((index) => index >= firstShown) ?? studyIndexes[0];
  if (step === 1) return studyIndexes.find((index) => index > focusedIndex);
  return studyIndexes.findLast((index) => index < focusedIndex);
}

/** Arrow-key steps for a column's width on its focused header, in pixels; Shift for the bigger one. */
export const RESIZE_STEP = 16;
export const RESIZE_STEP_LARGE = 64;

/** The width a header's arrow key asks for, within the column's limits; null for any other key. */
export function resizedWidth(key: string, shift: boolean, size: number, min: number, max: number): number | null {
  if (key !== 'ArrowLeft' && key !== 'ArrowRight') return null;
  const step = (shift ? RESIZE_STEP_LARGE : RESIZE_STEP) * (key === 'ArrowLeft' ? -1 : 1);
  return Math.max(min, Math.min(max, size + step));
}
