import { queryOptions, useQuery } from '@tanstack/react-query';
import { apiBlob } from '../../../lib/api-client.ts';
import { pacsKeys } from './pacs-keys.ts';

/** The BFF's PNG of the study's first image. */
export function pacsPreviewPath(studyInstanceUid: string): string {
  return `/api/pacs/studies/by-uid/${encodeURIComponent(studyInstanceUid)}/preview`;
}

/**
 * The preview as a Blob, shown through a blob: URL. Not an `<img src>` on the API: the BFF demands
 * the X-CSRF header on every /api request, which an image request cannot carry.
 */
export function getPacsPreview(studyInstanceUid: string, { signal }: { signal?: AbortSignal } = {}): Promise<Blob> {
  return apiBlob(pacsPreviewPath(studyInstanceUid), { signal });
}

export function pacsPreviewQueryOptions(studyInstanceUid: string) {
  return queryOptions({
    queryKey: [...pacsKeys.all, 'preview', studyInstanceUid] as const,
    queryFn: ({ signal }) => getPacsPreview(studyInstanceUid, { signal }),
    // A study's first image does not change while it is open.
    staleTime: Number.POSITIVE_INFINITY,
    refetchOnWindowFocus: false,
  });
}

export function usePacsPreview(studyInstanceUid: string, enabled: boolean) {
  return useQuery({ ...pacsPreviewQueryOptions(studyInstanceUid), enabled });
}
