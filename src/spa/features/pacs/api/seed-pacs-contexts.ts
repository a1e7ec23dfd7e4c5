import type { QueryClient } from '@tanstack/react-query';
import type { PacsContextPage } from '../../../../contract/worklist-api.ts';
import { pacsKeys } from './pacs-keys.ts';
import { pagePacsEnabled } from './seed-pacs.ts';

function isContextPage(value: unknown): value is PacsContextPage {
  if (typeof value !== 'object' || value === null) return false;
  const studies: unknown = Reflect.get(value, 'studies');
  if (typeof studies !== 'object' || studies === null || Array.isArray(studies)) return false;
  return Object.values(studies).every(
    (context: unknown) =>
      typeof context === 'object' && context !== null && typeof Reflect.get(context, 'found') === 'boolean',
  );
}

function isUidList(value: unknown): value is string[] {
  return Array.isArray(value) && (value as unknown[]).every((uid) => typeof uid === 'string');
}

/**
 * Puts the rows' context the BFF put in the page (`pacs.contexts`: `[{studyInstanceUids, page}]`)
 * into the query cache, each page of rows under its UIDs (as `PacsRowsProvider` asks for it), so it
 * is not asked again. Anything malformed is left out (the app then asks as usual). Called from the
 * PACS columns' own code (src/spa/app/pacs-worklist-extension.ts), so the list's bundle does not carry it.
 */
export function seedPagePacsContexts(queryClient: QueryClient, pacs: unknown): void {
  if (!pagePacsEnabled(pacs)) return;
  const contexts: unknown = Reflect.get(pacs as object, 'contexts');
  if (!Array.isArray(contexts)) return;
  for (const entry of contexts as unknown[]) {
    if (typeof entry !== 'object' || entry === null) continue;
    const uids: unknown = Reflect.get(entry, 'studyInstanceUids');
    const page: unknown = Reflect.get(entry, 'page');
    if (isUidList(uids) && uids.length > 0 && isContextPage(page))
      queryClient.setQueryData(pacsKeys.context(uids), page);
  }
}
