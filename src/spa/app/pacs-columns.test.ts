import { describe, expect, it } from 'vitest';
import { defaultLayoutWith } from '../features/worklist/components/worklist-columns.tsx';
import { PENDING_PACS_COLUMNS } from './pacs-columns.ts';
import { PACS_COLUMNS } from './pacs-worklist-extension.ts';
import type { PacsColumnSlot } from '../features/pacs/lib/pacs-column-slots.ts';

const slot = ({ id, header, size, minSize, after }: PacsColumnSlot) => ({
  id,
  header,
  size,
  minSize,
  after,
});

describe('the PACS columns’ slots', () => {
  it('are the loaded columns’ own places, so nothing moves when the cells’ code arrives', () => {
    expect(PENDING_PACS_COLUMNS.map(slot)).toEqual(PACS_COLUMNS.map(slot));
    expect(defaultLayoutWith(PENDING_PACS_COLUMNS)).toEqual(defaultLayoutWith(PACS_COLUMNS));
  });
});
