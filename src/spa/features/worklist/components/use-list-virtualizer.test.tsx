import { act, fireEvent, render, screen } from '@testing-library/react';
import { useRef } from 'react';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useListVirtualizer, useVirtualRange } from './use-list-virtualizer.ts';
import type { ListVirtualizerHandle } from './use-list-virtualizer.ts';

// jsdom lays nothing out: the scroller is 300 px high.
beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 300 });
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 800 });
});
afterAll(() => {
  Reflect.deleteProperty(HTMLElement.prototype, 'clientHeight');
  Reflect.deleteProperty(HTMLElement.prototype, 'clientWidth');
});

const renders = { owner: 0, rows: 0 };

function Rows({ list }: { list: ListVirtualizerHandle }) {
  useVirtualRange(list);
  renders.rows += 1;
  const items = list.virtualizer.getVirtualItems();
  return <p data-testid="first">{items[0]?.index ?? -1}</p>;
}

function Owner() {
  const scrollRef = useRef<HTMLDivElement>(null);
  const list = useListVirtualizer({
    count: 1_000,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => 30,
    overscan: 0,
  });
  renders.owner += 1;
  return (
    <div ref={scrollRef} data-testid="scroller">
      <Rows list={list} />
    </div>
  );
}

describe('useListVirtualizer', () => {
  it('renders the rows again when the range moves, and not the component that holds the virtualizer', () => {
    render(<Owner />);
    const ownerRenders = renders.owner;
    const rowRenders = renders.rows;
    expect(screen.getByTestId('first').textContent).toBe('0');

    const scroller = screen.getByTestId('scroller');
    act(() => {
      scroller.scrollTop = 3_000;
      fireEvent.scroll(scroller);
    });
    expect(screen.getByTestId('first').textContent).toBe('100');
    act(() => {
      scroller.scrollTop = 6_000;
      fireEvent.scroll(scroller);
    });
    expect(screen.getByTestId('first').textContent).toBe('200');
    expect(renders.rows).toBeGreaterThan(rowRenders);
    expect(renders.owner).toBe(ownerRenders);
  });
});
