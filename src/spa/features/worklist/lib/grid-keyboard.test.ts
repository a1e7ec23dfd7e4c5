import { describe, expect, it } from 'vitest';
import { nextStudyIndex } from './grid-keyboard.ts';

// Items: 0 a group header, 1-3 studies, 4 a "more" row, 5 a header, 6-7 studies.
const STUDIES = [1, 2, 3, 6, 7];

describe('moving through the rows by keyboard', () => {
  it('starts at the first study shown when no row has focus', () => {
    expect(nextStudyIndex(STUDIES, -1, 0, 1)).toBe(1);
    expect(nextStudyIndex(STUDIES, -1, 4, -1)).toBe(6);
    // Scrolled past every study: back to the first.
    expect(nextStudyIndex(STUDIES, -1, 9, 1)).toBe(1);
  });

  it('steps over headers and state rows to the next or previous study', () => {
    expect(nextStudyIndex(STUDIES, 3, 0, 1)).toBe(6);
    expect(nextStudyIndex(STUDIES, 6, 0, -1)).toBe(3);
  });

  it('stops at either end', () => {
    expect(nextStudyIndex(STUDIES, 7, 0, 1)).toBeUndefined();
    expect(nextStudyIndex(STUDIES, 1, 0, -1)).toBeUndefined();
    expect(nextStudyIndex([], -1, 0, 1)).toBeUndefined();
  });
});
