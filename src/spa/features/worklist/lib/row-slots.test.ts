import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assignRowSlots, inDocumentOrder } from './row-slots.ts';

describe('assignRowSlots', () => {
  it('keeps the slot of a row that stays and gives a new row the slot a row that left gave up', () => {
    const first = assignRowSlots(new Map(), ['a', 'b', 'c']);
    expect([...first]).toEqual([
      ['a', 0],
      ['b', 1],
      ['c', 2],
    ]);
    // Scrolled down one row: a left, d came in and takes a's slot.
    expect([...assignRowSlots(first, ['b', 'c', 'd'])]).toEqual([
      ['b', 1],
      ['c', 2],
      ['d', 0],
    ]);
  });

  it('gives unique slots, keeps every kept row’s slot and gives a new row one below the number of rows, over any sequence of ranges', () => {
    const keyLists = fc.array(fc.uniqueArray(fc.integer({ min: 0, max: 60 }).map(String), { maxLength: 40 }), {
      minLength: 1,
      maxLength: 30,
    });
    fc.assert(
      fc.property(keyLists, (lists) => {
        let slots: ReadonlyMap<string, number> = new Map();
        for (const keys of lists) {
          const next = assignRowSlots(slots, keys);
          expect([...next.keys()].sort()).toEqual([...keys].sort());
          const values = [...next.values()];
          expect(new Set(values).size).toBe(values.length);
          for (const key of keys) {
            if (slots.has(key)) expect(next.get(key)).toBe(slots.get(key));
            else expect(next.get(key)).toBeLessThan(keys.length);
          }
          slots = next;
        }
      }),
    );
  });
});

describe('inDocumentOrder', () => {
  const key = (item: string) => item;

  it('is the list’s order at rest', () => {
    const rendered = ['header', 'slot:2', 'slot:0', 'slot:1'];
    expect(inDocumentOrder(rendered, key, ['slot:0', 'slot:1', 'slot:2', 'header'], true)).toBe(rendered);
  });

  it('keeps the previous order of the items still rendered and puts new ones after them, in the list’s order', () => {
    expect(
      inDocumentOrder(['slot:1', 'slot:0', 'more', 'header'], key, ['header', 'slot:0', 'gone', 'slot:1'], false),
    ).toEqual(['header', 'slot:0', 'slot:1', 'more']);
  });

  it('moves no row element across the scrolling state’s start, a stall that ends it, and scrolling on', () => {
    // Study rows in five slots scrolled through a row a frame, a group header on top; keyed as the
    // grid keys them (a study row by its slot).
    const studies = Array.from({ length: 20 }, (_, index) => `study-${index}`);
    let slots: ReadonlyMap<string, number> = new Map();
    let keys: readonly string[] = [];
    const frame = (first: number, atRest: boolean) => {
      const rendered = ['header', ...studies.slice(first, first + 5)];
      slots = assignRowSlots(slots, rendered.slice(1));
      const keyOf = (item: string) => (item === 'header' ? item : `slot:${slots.get(item) ?? -1}`);
      keys = inDocumentOrder(rendered, keyOf, keys, atRest).map(keyOf);
      return keys;
    };
    frame(0, true);
    for (const first of [1, 2, 3]) frame(first, false);
    // At rest three rows down: the list's order, which is not the slots' order any more.
    const atRest = frame(3, true);
    expect(atRest).toEqual(['header', 'slot:3', 'slot:4', 'slot:0', 'slot:1', 'slot:2']);
    // Scrolling again, then a stall (the virtualizer no longer "scrolling", the list not yet at
    // rest), then on: every frame has the row elements where they were.
    for (const first of [4, 5, 5, 6, 7]) expect(frame(first, false)).toEqual(atRest);
    // At rest again: the list's order.
    expect(frame(7, true)).toEqual(['header', 'slot:2', 'slot:3', 'slot:4', 'slot:0', 'slot:1']);
  });
});
