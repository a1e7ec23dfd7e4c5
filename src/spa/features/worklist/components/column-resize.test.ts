import { describe, expect, it } from 'vitest';
import { RESIZE_STEP, RESIZE_STEP_LARGE, resizedWidth } from '../lib/grid-keyboard.ts';
import { COLUMN_MAX_WIDTH, COLUMN_MIN_WIDTH, columnWidthLimits, worklistColumns } from './worklist-columns.tsx';

describe('resizing a column from its header', () => {
  it('widens and narrows by a step, Shift by a bigger one, within the limits', () => {
    expect(resizedWidth('ArrowRight', false, 100, 60, 800)).toBe(100 + RESIZE_STEP);
    expect(resizedWidth('ArrowLeft', false, 100, 60, 800)).toBe(100 - RESIZE_STEP);
    expect(resizedWidth('ArrowRight', true, 100, 60, 800)).toBe(100 + RESIZE_STEP_LARGE);
    expect(resizedWidth('ArrowLeft', true, 100, 60, 800)).toBe(60);
    expect(resizedWidth('ArrowRight', true, 790, 60, 800)).toBe(800);
  });

  it('leaves every other key alone', () => {
    for (const key of ['ArrowUp', 'ArrowDown', 'Enter', 'j', ' '])
      expect(resizedWidth(key, false, 100, 60, 800)).toBeNull();
  });

  it("stops at each column's own minimum, the width it announces, never under the shared one", () => {
    for (const column of worklistColumns) {
      const limits = columnWidthLimits(column);
      expect(limits.min, column.id).toBe(column.minSize);
      expect(limits.min).toBeGreaterThanOrEqual(COLUMN_MIN_WIDTH);
      let width = column.size ?? 150;
      for (let press = 0; press < 50; press += 1)
        width = resizedWidth('ArrowLeft', true, width, limits.min, limits.max) ?? width;
      expect(width, column.id).toBe(column.minSize);
    }
    expect(columnWidthLimits({})).toEqual({ min: COLUMN_MIN_WIDTH, max: COLUMN_MAX_WIDTH });
    expect(columnWidthLimits({ minSize: 20, maxSize: 5000 })).toEqual({ min: COLUMN_MIN_WIDTH, max: COLUMN_MAX_WIDTH });
  });
});
