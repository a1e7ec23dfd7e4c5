import { pacsWorklistColumns } from '../features/pacs/components/pacs-worklist-columns.tsx';

/** The PACS columns: their code loads only when a PACS is connected. */
export const PACS_COLUMNS = pacsWorklistColumns;
