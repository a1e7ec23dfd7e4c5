import type { QueryClient } from '@tanstack/react-query';
import type { Study } from '../../../../contract/avara-types.ts';
import { apiRequest } from '../../../lib/api-client.ts';
import { isOlderThan, isStudyPages } from '../../../lib/studies/study-list-pages.ts';
import type { StudyRequest } from '../lib/bulk-change.ts';

/**
 * One study's part of a bulk change, through the same route as a single edit: PATCH, or the cancel
 * route, with `If-Match` naming the version the person confirmed (a 409 if it moved on since).
 */
export function sendStudyChange(study: Study, request: StudyRequest, signal?: AbortSignal): Promise<unknown> {
  const path = `/api/studies/${encodeURIComponent(study.studyId)}`;
  const headers = { 'If-Match': `"${study.updatedAt}"` };
  if (request.method === 'cancel') return apiRequest(`${path}/cancel`, { method: 'POST', headers, signal });
  return apiRequest<Study>(path, { method: 'PATCH', body: request.body, headers, signal });
}

/** After a bulk change: every list and drawer refetches (all features agree on the `['studies']` prefix). */
export function invalidateStudies(queryClient: QueryClient): Promise<void> {
  return queryClient.invalidateQueries({ queryKey: ['studies'] });
}

/**
 * Every study the loaded lists hold, by ID, the newest version where several lists hold one.
 * (`_version` only says when to read again.)
 */
export function loadedStudies(queryClient: QueryClient, _version?: number): Map<string, Study> {
  const byId = new Map<string, Study>();
  for (const [, data] of queryClient.getQueriesData({ queryKey: ['studies', 'list'] })) {
    if (!isStudyPages(data)) continue;
    for (const page of data.pages) {
      for (const study of page.studies) {
        const held = byId.get(study.studyId);
        if (!held || isOlderThan(held, study)) byId.set(study.studyId, study);
      }
    }
  }
  return byId;
}
