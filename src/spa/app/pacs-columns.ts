import type { WorklistExtraColumn } from '../features/worklist/components/worklist-columns.tsx';

let loaded: readonly WorklistExtraColumn[] | undefined;
let loading: Promise<readonly WorklistExtraColumn[]> | undefined;

/** The PACS columns once their code is here (loaded, or given on the server), else undefined. */
export function loadedPacsColumns(): readonly WorklistExtraColumn[] | undefined {
  return loaded;
}

/**
 * Loads the PACS columns' code (once; a failed load may be tried again). Their code is not in the
 * list's own bundle: it loads only when a PACS is connected, as early as the page says so
 * (src/spa/main.tsx), so the app's first render can show the columns the server rendered.
 */
export function loadPacsColumns(): Promise<readonly WorklistExtraColumn[]> {
  loading ??= import('./pacs-worklist-extension.ts').then(
    (module) => (loaded = module.PACS_COLUMNS),
    (error: unknown) => {
      loading = undefined;
      throw error;
    },
  );
  return loading;
}

/** The server's renderer has the columns' code in its own bundle: it gives them here before rendering. */
export function providePacsColumns(columns: readonly WorklistExtraColumn[]): void {
  loaded = columns;
}
