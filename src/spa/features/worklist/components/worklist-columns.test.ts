import { describe, expect, it } from 'vitest';
import {
  cellComponentsWith,
  COLUMN_IDS,
  DEFAULT_COLUMN_LAYOUT,
  PLAIN_CELLS,
  worklistColumns,
  WORKLIST_COLUMNS,
} from './worklist-columns.tsx';

describe('the column definitions', () => {
  it('give every column exactly one cell: plain text or a component', () => {
    const components = cellComponentsWith([]);
    for (const id of COLUMN_IDS) expect(Number(id in PLAIN_CELLS) + Number(id in components), id).toBe(1);
  });

  it('make the table, the order and the hidden columns from the one list', () => {
    expect(worklistColumns.map((column) => column.id)).toEqual(WORKLIST_COLUMNS.map((column) => column.id));
    expect(DEFAULT_COLUMN_LAYOUT.order).toEqual([...COLUMN_IDS]);
    expect(DEFAULT_COLUMN_LAYOUT.visibility).toEqual({ updated: false, studyInstanceUid: false, metadata: false });
    expect(worklistColumns.find((column) => column.id === 'description')?.enableHiding).toBe(false);
  });
});
