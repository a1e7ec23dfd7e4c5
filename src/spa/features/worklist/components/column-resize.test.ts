import { describe, expect, it } from 'vitest';
import { RESIZE_STEP, RESIZE_STEP_LARGE, resizedWidth } from '../lib/grid-keyboard.ts';

describe('resizing a column from its header', () => {
  it('widens and narrows by a step, Shift by a bigger one, within the limits', () => {
    expect(resizedWidth('ArrowRight', false, 100, 60, 800)).toBe(100 + RESIZE_STEP);
    expect(resizedWidth('ArrowLeft', false, 100, 60, 800)).toBe(100 - RESIZE_STEP);
    expect(resizedWidth('ArrowRight', true, 100, 60, 800)).toBe(100 + RESIZE_STEP_LARGE);
    expect(resizedWidth('ArrowLeft', true, 100, 60, 800)).toBe(60);
    expect(resizedWidth('ArrowRight', true, 790, 60, 800)).toBe(800);
  });

  it('leaves every other key alone', () => {
    for (const key of ['ArrowUp', 'ArrowDown', 'Enter', 'j', ' ']) expect(resizedWidth(key, false, 100, 60, 800)).toBeNull();
  });
});
