/**
 * Study rows are keyed by slot, not by study: as the list scrolls, the row element of a study that
 * left the rendered range shows the study that came in, so React changes the texts and attributes
 * of an element it keeps instead of removing one row's elements and building another's on every
 * frame (that was most of a scroll frame's script). A study keeps its slot while it stays
 * rendered, so the focused row (always rendered) keeps its element, and its focus.
 */

/**
 * The slot of each key in `keys` (the study rows rendered now, no key twice): the one it had in
 * `previous` if it had one, else the lowest slot no kept key holds (below the number of keys). Slots
 * stay unique.
 */
export function assignRowSlots(previous: ReadonlyMap<string, number>, keys: readonly string[]): Map<string, number> {
  const next = new Map<string, number>();
  const used = new Set<number>();
  for (const key of keys) {
    const kept = previous.get(key);
    if (kept !== undefined) {
      next.set(key, kept);
      used.add(kept);
    }
  }
  let candidate = 0;
  for (const key of keys) {
    if (next.has(key)) continue;
    while (used.has(candidate)) candidate += 1;
    next.set(key, candidate);
    used.add(candidate);
  }
  return next;
}

/**
 * The rendered items in document order: the list's own order at rest, so assistive technology
 * reads the rows as they are shown; while the list scrolls, the rows that have a slot in slot
 * order after the others (headers, states) in the list's order, so a row element that shows
 * another study stays where it is in the document and is only changed, not moved (a moved element
 * is styled, laid out and painted again as if new). Rows are placed by `top` either way; the order
 * is put right again once scrolling stops.
 */
export function inDocumentOrder<T extends { index: number }>(
  rendered: readonly T[],
  scrolling: boolean,
  slotAt: (index: number) => number | undefined,
): readonly T[] {
  if (!scrolling) return rendered;
  const slot = (item: T) => slotAt(item.index) ?? -1;
  return [...rendered].sort((a, b) => slot(a) - slot(b) || a.index - b.index);
}
