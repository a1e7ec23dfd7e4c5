import { describe, expect, it } from 'vitest';
import { anchorAt, anchoredScrollTop } from './scroll-anchor.ts';

const HEADER = 34;
const keys = (...names: string[]) => names.map((key) => ({ key }));

describe('scroll anchoring', () => {
  it('anchors on the first item not under the column header, and nothing at the top of the list', () => {
    // Offsets include the column header (the virtualizer's scroll margin).
    const placed = [
      { index: 0, start: 34, end: 74 },
      { index: 1, start: 74, end: 110 },
      { index: 2, start: 110, end: 146 },
    ];
    expect(anchorAt(placed, keys('g', 'a', 'b'), 0, HEADER)).toBeNull();
    expect(anchorAt(placed, keys('g', 'a', 'b'), 50, HEADER)).toEqual({ key: 'a', delta: 24 });
  });

  it('puts the anchored row back where it was after rows arrive above it', () => {
    const anchor = { key: 'a', delta: 24 };
    // Before: a at offset 40 (scrollTop 50). A 36 px row arrived above it: a is now at 76.
    expect(anchoredScrollTop(anchor, keys('g', 'new', 'a'), [0, 40, 76], HEADER)).toBe(HEADER + 76 - 24);
    expect(anchoredScrollTop(anchor, keys('g', 'b'), [0, 40], HEADER)).toBeNull();
  });
});
