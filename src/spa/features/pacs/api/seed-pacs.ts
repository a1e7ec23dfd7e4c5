import type { QueryClient } from '@tanstack/react-query';
import type { PacsContextPage } from '../../../../contract/worklist-api.ts';
import { pacsKeys } from './pacs-keys.ts';
import type { PacsStatus } from './get-pacs-status.ts';

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
 * Whether the page's data says a PACS is connected (`{enabled: true, ...}`, as the BFF writes it
 * only when one is).
 */
export function pagePacsEnabled(pacs: unknown): boolean {
  return typeof pacs === 'object' && pacs !== null && Reflect.get(pacs, 'enabled') === true;
}

/**
 * Puts what the BFF put in the page about the PACS (`{enabled: true, contexts: [{studyInstanceUids,
 * page}]}`) into the query cache, under the keys the app asks with: the status, and each page of
 * rows' context under its UIDs (as `PacsRowsProvider` asks for it), so neither is asked again.
 * Anything malformed is left out (the app then asks as usual).
 */
export function seedPagePacs(queryClient: QueryClient, pacs: unknown): void {
  if (!pagePacsEnabled(pacs)) return;
  const status: PacsStatus = { enabled: true };
  queryClient.setQueryData(pacsKeys.status(), status);
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
