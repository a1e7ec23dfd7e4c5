import { PACS_COLUMN_SLOTS } from '../features/pacs/lib/pacs-column-slots.ts';
import type { WorklistExtraColumn } from '../features/worklist/components/worklist-columns.tsx';

let loaded: readonly WorklistExtraColumn[] | undefined;
type PacsExtension = typeof import('./pacs-worklist-extension.ts');

/**
 * The PACS columns while their code is on its way: their slots with empty cells. The worklist shows
 * them from its first render whenever a PACS is connected (as the server does with the cells), so
 * the columns beside them keep their places; only the cells come later.
 */
export const PENDING_PACS_COLUMNS: readonly WorklistExtraColumn[] = PACS_COLUMN_SLOTS.map((slot) => ({
  ...slot,
  Cell: () => null,
}));

/** The PACS columns once their code is here (loaded, or given on the server), else undefined. */
export function loadedPacsColumns(): readonly WorklistExtraColumn[] | undefined {
  return loaded;
}

/**
 * Loads the PACS columns' code (their cells). It is not in the list's own bundle: it loads only when
 * a PACS is connected, as early as the page says so (src/spa/boot.tsx, which also seeds the rows'
 * context the page carries with it), so the app's first render can show the cells the server
 * rendered, not only their slots.
 */
export function loadPacsExtension(): Promise<PacsExtension> {
  // The browser keeps a module it has loaded: asking again costs no request.
  return import('./pacs-worklist-extension.ts').then((module) => {
    loaded = module.PACS_COLUMNS;
    return module;
  });
}

/** The server's renderer has the columns' code in its own bundle: it gives them here before rendering. */
export function providePacsColumns(columns: readonly WorklistExtraColumn[]): void {
  loaded = columns;
}
