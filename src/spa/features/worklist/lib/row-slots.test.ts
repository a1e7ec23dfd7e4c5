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
  const rendered = [0, 1, 2, 3, 4].map((index) => ({ index }));
  // Index 0 is a group header (no slot); rows 1–4 hold slots 2, 0, 3, 1.
  const slotAt = (index: number) => [undefined, 2, 0, 3, 1][index];

  it('is the list’s order at rest', () => {
    expect(inDocumentOrder(rendered, false, slotAt)).toBe(rendered);
  });

  it('puts rows in slot order after the items without a slot while scrolling', () => {
    expect(inDocumentOrder(rendered, true, slotAt).map((item) => item.index)).toEqual([0, 2, 4, 1, 3]);
  });
});
