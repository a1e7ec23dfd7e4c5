import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { SavedView, SavedViewInput, SavedViewList } from '../../../../contract/worklist-api.ts';
import { apiRequest, apiRequestChecked } from '../../../lib/api-client.ts';

/** The signed-in person's views: one query for the menu and the default view's columns. */
export const SAVED_VIEWS_KEY = ['saved-views'] as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isSavedView(value: unknown): value is SavedView {
  return (
    isRecord(value) &&
    typeof value.viewId === 'string' &&
    typeof value.name === 'string' &&
    typeof value.filters === 'string' &&
    Array.isArray(value.collapsed)
  );
}

function isSavedViewList(value: unknown): value is SavedViewList {
  return (
    isRecord(value) &&
    Array.isArray(value.views) &&
    value.views.every(isSavedView) &&
    (value.defaultViewId === null || typeof value.defaultViewId === 'string')
  );
}

export function fetchSavedViews(signal?: AbortSignal): Promise<SavedViewList> {
  return apiRequestChecked('/api/views', isSavedViewList, signal ? { signal } : {});
}

export function savedViewsQuery(client: QueryClient): Promise<SavedViewList> {
  return client.fetchQuery({
    queryKey: SAVED_VIEWS_KEY,
    queryFn: ({ signal }) => fetchSavedViews(signal),
    staleTime: 30_000,
  });
}

export function useSavedViews() {
  return useQuery({
    queryKey: SAVED_VIEWS_KEY,
    queryFn: ({ signal }) => fetchSavedViews(signal),
    staleTime: 30_000,
    retry: 1,
  });
}

export type ViewAction =
  | { kind: 'create'; input: SavedViewInput & { name: string; filters: string; isDefault?: boolean } }
  | { kind: 'update'; viewId: string; input: SavedViewInput }
  | { kind: 'delete'; viewId: string }
  | { kind: 'default'; viewId: string | null };

function send(action: ViewAction): Promise<unknown> {
  switch (action.kind) {
    case 'create':
      return apiRequestChecked('/api/views', isSavedView, { method: 'POST', body: action.input });
    case 'update':
      return apiRequestChecked(`/api/views/${action.viewId}`, isSavedView, { method: 'PATCH', body: action.input });
    case 'delete':
      return apiRequest(`/api/views/${action.viewId}`, { method: 'DELETE' });
    case 'default':
      return apiRequestChecked('/api/views/default', isSavedViewList, {
        method: 'PUT',
        body: { viewId: action.viewId },
      });
  }
}

/** Every change of the person's views; the list is asked again after each, whatever the outcome. */
export function useViewAction() {
  const client = useQueryClient();
  return useMutation({ mutationFn: send, onSettled: () => client.invalidateQueries({ queryKey: SAVED_VIEWS_KEY }) });
}
