import type { WorklistExtraColumn } from '../features/worklist/components/worklist-columns.tsx';

/**
 * The "Reading" column (who reads each study, or has it open) without its cells. The worklist shows it
 * from its first render, on the server too, with empty cells until the reading room's code arrives
 * (src/spa/app/reading-room-extension.tsx): the columns beside it keep their width and nothing moves
 * when who reads what appears.
 */
export const READING_COLUMN: Omit<WorklistExtraColumn, 'Cell'> = {
  id: 'reading',
  header: 'Reading',
  size: 230,
  minSize: 110,
  after: 'viewerStatus',
};

/** The column's cells while the reading room's code is on its way: empty. */
export const PENDING_READING_COLUMNS: readonly WorklistExtraColumn[] = [{ ...READING_COLUMN, Cell: () => null }];
