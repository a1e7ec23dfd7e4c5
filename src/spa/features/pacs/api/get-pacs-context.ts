import { queryOptions, useQuery, useQueryClient } from '@tanstack/react-query';
import type { QueryClient } from '@tanstack/react-query';
import type { PacsContextPage, PacsStudyContext } from '../../../../contract/worklist-api.ts';
import { apiRequest } from '../../../lib/api-client.ts';
import { isLookupableUid } from '../lib/dicom-uid.ts';
import { pacsKeys } from './pacs-keys.ts';
import type { ApiAnswer } from '../../../lib/api-types.ts';

/** The PACS context of up to 100 studies (one page of worklist rows) in one request. */
export function getPacsContext(
  studyInstanceUids: readonly string[],
  { signal }: { signal?: AbortSignal } = {},
): Promise<ApiAnswer<'/api/pacs/context', 'post'>> {
  // The document's body is `{studyInstanceUids: string[]}`; this list is read-only here, so it is sent as it is.
  return apiRequest<ApiAnswer<'/api/pacs/context', 'post'>>('/api/pacs/context', {
    method: 'POST',
    body: { studyInstanceUids },
    signal,
  });
}

/** The BFF keeps a found study's context for a minute: asking sooner would only read its cache. */
export const PACS_CONTEXT_STALE_MS = 60_000;

export function pacsContextQueryOptions(studyInstanceUids: readonly string[]) {
  return queryOptions({
    queryKey: pacsKeys.context(studyInstanceUids),
    queryFn: ({ signal }) => getPacsContext(studyInstanceUids, { signal }),
    staleTime: PACS_CONTEXT_STALE_MS,
    refetchOnWindowFocus: false,
  });
}

/** A study's context from any cached page of rows that holds it. */
export function findCachedContext(queryClient: QueryClient, studyInstanceUid: string): PacsStudyContext | undefined {
  for (const [, page] of queryClient.getQueriesData<PacsContextPage>({ queryKey: pacsKeys.contexts() })) {
    const context = page?.studies[studyInstanceUid];
    if (context) return context;
  }
  return undefined;
}

/**
 * One study's context, for the drawer: taken from the worklist's page when it is there (no request),
 * otherwise asked for on its own.
 */
export function usePacsStudyContext(studyInstanceUid: string, enabled: boolean) {
  const queryClient = useQueryClient();
  const lookupable = isLookupableUid(studyInstanceUid);
  return useQuery({
    queryKey: pacsKeys.context([studyInstanceUid]),
    queryFn: ({ signal }) => getPacsContext([studyInstanceUid], { signal }),
    staleTime: PACS_CONTEXT_STALE_MS,
    enabled: enabled && lookupable,
    initialData: () => {
      const cached = findCachedContext(queryClient, studyInstanceUid);
      return cached ? { studies: { [studyInstanceUid]: cached } } : undefined;
    },
    select: (page): PacsStudyContext => page.studies[studyInstanceUid] ?? { found: false },
  });
}
