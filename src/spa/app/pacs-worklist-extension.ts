import { seedPagePacsContexts } from '../features/pacs/api/seed-pacs-contexts.ts';
import { pacsWorklistColumns } from '../features/pacs/components/pacs-worklist-columns.tsx';

/** The PACS columns: their code loads only when a PACS is connected. */
export const PACS_COLUMNS = pacsWorklistColumns;

/** Puts the rows' context the page carries into the query cache (only needed with a PACS, so here). */
export const seedPacsContexts = seedPagePacsContexts;
