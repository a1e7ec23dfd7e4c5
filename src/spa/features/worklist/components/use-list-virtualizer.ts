import { elementScroll, observeElementOffset, observeElementRect, Virtualizer } from '@tanstack/react-virtual';
import type { PartialKeys, VirtualizerOptions } from '@tanstack/react-virtual';
import { useEffect, useLayoutEffect, useReducer, useState } from 'react';
import { flushSync } from 'react-dom';

export type ListVirtualizer = Virtualizer<HTMLDivElement, Element>;

export type ListVirtualizerOptions = PartialKeys<
  VirtualizerOptions<HTMLDivElement, Element>,
  'observeElementRect' | 'observeElementOffset' | 'scrollToFn' | 'onChange'
>;

/** Tells a subscriber that the virtualizer's range moved; `sync` when it moved in a scroll event. */
type RangeListener = (sync: boolean) => void;

export interface ListVirtualizerHandle {
  virtualizer: ListVirtualizer;
  /** For useVirtualRange: the component that renders the rows renders again when the range moves. */
  subscribe: (listener: RangeListener) => () => void;
}

const useIsomorphicLayoutEffect = typeof document === 'undefined' ? useEffect : useLayoutEffect;

/**
 * An element scroller's virtualizer that does not render its owner again when the list scrolls.
 * `useVirtualizer` renders the component that calls it on every move of the range; here the owner
 * (the grid, with its table, keys and scroll anchoring) only holds the virtualizer, and the one
 * component that renders the rows subscribes (useVirtualRange), so a scroll frame renders that
 * component and the rows that change, nothing above them.
 */
export function useListVirtualizer(options: ListVirtualizerOptions): ListVirtualizerHandle {
  const [handle] = useState<ListVirtualizerHandle>(() => {
    const listeners = new Set<RangeListener>();
    const virtualizer = new Virtualizer<HTMLDivElement, Element>({
      observeElementRect,
      observeElementOffset,
      scrollToFn: elementScroll,
      ...options,
      onChange: (_, sync) => notify(sync),
    });
    function notify(sync: boolean) {
      for (const listener of listeners) listener(sync);
    }
    return {
      virtualizer,
      subscribe: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    };
  });
  const { virtualizer } = handle;
  // The options of this render (count, key, range extractor): the listeners stay those of the handle.
  const onChange = virtualizer.options.onChange;
  virtualizer.setOptions({
    observeElementRect,
    observeElementOffset,
    scrollToFn: elementScroll,
    ...options,
    onChange,
  });
  useIsomorphicLayoutEffect(() => virtualizer._didMount(), [virtualizer]);
  useIsomorphicLayoutEffect(() => virtualizer._willUpdate());
  return handle;
}

/**
 * Renders the calling component again whenever the virtualizer's range moves (or it starts or stops
 * scrolling). A move in a scroll event is rendered before that event returns, as `useVirtualizer`
 * does, so the frame that paints the new scroll position already has its rows.
 */
export function useVirtualRange({ subscribe }: ListVirtualizerHandle): void {
  const rerender = useReducer((count: number) => count + 1, 0)[1];
  useIsomorphicLayoutEffect(
    () =>
      subscribe((sync) => {
        if (sync) flushSync(rerender);
        else rerender();
      }),
    [subscribe],
  );
}
