/**
 * Scroll anchoring: when rows appear or leave above the viewport (a new STAT study, a refreshed
 * first page), the row at the top stays where it was instead of the list jumping under the reader.
 * The grid remembers the first visible item on each scroll and, after its items change, scrolls by
 * as much as that item moved.
 */

/** The item at the top of the viewport, and where it started (offsets include the column header). */
export interface ScrollAnchor {
  key: string;
  start: number;
}

/** A rendered item's place, as the virtualizer gives it (offsets include the column header). */
export interface PlacedItem {
  index: number;
  start: number;
  end: number;
}

/** The anchor for this scroll position: the first rendered item not hidden under the column header; null at the top. */
export function anchorAt(
  placed: readonly PlacedItem[],
  keys: readonly { key: string }[],
  scrollTop: number,
  headerHeight: number,
): ScrollAnchor | null {
  if (scrollTop <= 0) return null;
  const firstVisible = placed.find((item) => item.end > scrollTop + headerHeight);
  const key = firstVisible ? keys[firstVisible.index]?.key : undefined;
  return firstVisible && key ? { key, start: firstVisible.start } : null;
}

/**
 * How far the anchor's item moved when the items changed (0 when nothing above it did, null when it
 * is gone): the list scrolls by as much. A shift, not a position: a scroll the browser made after the
 * anchor was taken (its scroll event not yet dispatched) is kept, not undone; and a change that moved
 * nothing (a study updated in place) needs no scroll, and so no layout, at all.
 */
export function anchorShift(
  anchor: ScrollAnchor,
  keys: readonly { key: string }[],
  offsets: readonly number[],
  headerHeight: number,
): number | null {
  const index = keys.findIndex((item) => item.key === anchor.key);
  const offset = offsets[index];
  if (index < 0 || offset === undefined) return null;
  return headerHeight + offset - anchor.start;
}
