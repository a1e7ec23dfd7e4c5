import { describe, expect, it } from 'vitest';
import { anchorAt, anchorShift } from './scroll-anchor.ts';

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
    expect(anchorAt(placed, keys('g', 'a', 'b'), 50, HEADER)).toEqual({ key: 'a', start: 74 });
  });

  it('moves the list by as much as the anchored row moved when rows arrive or leave above it', () => {
    // Before: a at offset 40 below the column header. A 36 px row arrived above it: a is now at 76.
    const anchor = { key: 'a', start: HEADER + 40 };
    expect(anchorShift(anchor, keys('g', 'new', 'a'), [0, 40, 76], HEADER)).toBe(36);
    expect(anchorShift(anchor, keys('a'), [4], HEADER)).toBe(-36);
    expect(anchorShift(anchor, keys('g', 'b'), [0, 40], HEADER)).toBeNull();
  });

  it('needs no scroll when a study changed in place', () => {
    expect(anchorShift({ key: 'a', start: HEADER + 40 }, keys('g', 'a'), [0, 40], HEADER)).toBe(0);
  });
});
