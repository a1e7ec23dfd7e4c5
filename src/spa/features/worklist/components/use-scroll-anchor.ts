import type { Virtualizer } from '@tanstack/react-virtual';
import { useCallback, useLayoutEffect, useRef } from 'react';
import type { RefObject } from 'react';
import { COLUMN_HEADER_HEIGHT } from '../lib/grid-items.ts';
import type { WorklistItem } from '../lib/grid-items.ts';
import { anchorAt, anchoredScrollTop } from '../lib/scroll-anchor.ts';
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
    const wanted = anchoredScrollTop(anchor, items, offsets, COLUMN_HEADER_HEIGHT);
    if (wanted !== null && Math.abs(wanted - element.scrollTop) > 1) element.scrollTop = wanted;
  }, [scrollRef, items, offsets]);

  const forget = useCallback(() => {
    anchorRef.current = null;
  }, []);
  return { remember, forget };
}
