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
 * The rendered items in document order. At rest, the list's own order, so assistive technology reads
 * the rows as they are shown. Otherwise (while the list scrolls, and a moment after), the order of
 * the previous render, kept: the items still rendered stay where they were, and the items new to the
 * document follow, in the list's order. A study row is keyed by its slot, so a row element that
 * shows another study stays where it is in the document and is only changed, not moved (a moved
 * element is styled, laid out and painted again as if new); and the start of scrolling, or its end
 * when a stall of the page outlasts the virtualizer's "scrolling" state, moves no row (sorting the
 * rows by slot there moved most of them, and the way back to the list's order all of them again).
 * Rows are placed by `top` either way.
 */
export function inDocumentOrder<T>(
  rendered: readonly T[],
  keyOf: (item: T) => string,
  previousKeys: readonly string[],
  atRest: boolean,
): readonly T[] {
  if (atRest) return rendered;
  const byKey = new Map(rendered.map((item) => [keyOf(item), item]));
  const ordered: T[] = [];
  for (const key of previousKeys) {
    const item = byKey.get(key);
    if (item === undefined) continue;
    ordered.push(item);
    byKey.delete(key);
  }
  // What is left is new to the document, still in the list's order (a Map keeps insertion order).
  ordered.push(...byKey.values());
  return ordered;
}
