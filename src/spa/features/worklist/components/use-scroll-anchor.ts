import type { Virtualizer } from '@tanstack/react-virtual';
import { useCallback, useLayoutEffect, useRef } from 'react';
import type { RefObject } from 'react';
import { COLUMN_HEADER_HEIGHT } from '../lib/grid-items.ts';
import type { WorklistItem } from '../lib/grid-items.ts';
import { anchorAt, anchorShift } from '../lib/scroll-anchor.ts';
import type { ScrollAnchor } from '../lib/scroll-anchor.ts';

/**
 * Keeps the row at the top of the viewport in place when the items change above it
 * (lib/scroll-anchor.ts). `remember` goes on the scroller's scroll event; `forget` starts a new
 * list from its top.
 */
export function useScrollAnchor(
  scrollRef: RefObject<HTMLDivElement | null>,
  virtualizer: Virtualizer<HTMLDivElement, Element>,
  items: readonly WorklistItem[],
  offsets: readonly number[],
): { remember: () => void; forget: () => void } {
  const anchorRef = useRef<ScrollAnchor | null>(null);
  const remember = useCallback(() => {
    const element = scrollRef.current;
    anchorRef.current = element
      ? anchorAt(virtualizer.getVirtualItems(), items, element.scrollTop, COLUMN_HEADER_HEIGHT)
      : null;
  }, [scrollRef, items, virtualizer]);

  useLayoutEffect(() => {
    const element = scrollRef.current;
    const anchor = anchorRef.current;
    if (!element || !anchor) return;
    const shift = anchorShift(anchor, items, offsets, COLUMN_HEADER_HEIGHT);
    // Nothing moved above the anchor (a live update in place): the scroll position is not even read,
    // which would lay the page out in the middle of the update.
    if (shift === null || Math.abs(shift) < 1) return;
    anchorRef.current = { ...anchor, start: anchor.start + shift };
    element.scrollTop += shift;
  }, [scrollRef, items, offsets]);

  const forget = useCallback(() => {
    anchorRef.current = null;
  }, []);
  return { remember, forget };
}
