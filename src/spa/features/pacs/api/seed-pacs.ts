import type { QueryClient } from '@tanstack/react-query';
import { pacsKeys } from './pacs-keys.ts';
import type { PacsStatus } from './get-pacs-status.ts';

/**
 * Whether the page's data says a PACS is connected (`{enabled: true, ...}`, as the BFF writes it
 * only when one is).
 */
export function pagePacsEnabled(pacs: unknown): boolean {
  return typeof pacs === 'object' && pacs !== null && Reflect.get(pacs, 'enabled') === true;
}

/** When the page says a PACS is connected, puts that in the query cache: the app does not ask. */
export function seedPagePacsStatus(queryClient: QueryClient, pacs: unknown): void {
  const status: PacsStatus = { enabled: true };
  if (pagePacsEnabled(pacs)) queryClient.setQueryData(pacsKeys.status(), status);
}
