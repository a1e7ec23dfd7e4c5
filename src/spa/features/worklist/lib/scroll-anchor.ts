/**
 * Scroll anchoring: when rows appear or leave above the viewport (a new STAT study, a refreshed
 * first page), the row at the top stays where it was instead of the list jumping under the reader.
 * The grid remembers the first visible item on each scroll and, after its items change, scrolls so
 * that item is again as far from the top.
 */

/** The item at the top of the viewport, and how far its start was from the scroll position. */
export interface ScrollAnchor {
  key: string;
  delta: number;
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
  return firstVisible && key ? { key, delta: firstVisible.start - scrollTop } : null;
}

/** The scroll position that puts the anchor's item back where it was; null when it is gone. */
export function anchoredScrollTop(
  anchor: ScrollAnchor,
  keys: readonly { key: string }[],
  offsets: readonly number[],
  headerHeight: number,
): number | null {
  const index = keys.findIndex((item) => item.key === anchor.key);
  const offset = offsets[index];
  if (index < 0 || offset === undefined) return null;
  return headerHeight + offset - anchor.delta;
}
