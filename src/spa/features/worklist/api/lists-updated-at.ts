import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useSyncExternalStore } from 'react';
import { studyKeys } from './study-keys.ts';

/**
 * When the worklist's rows last came from the server (the latest answer of any group or of its
 * freshness poll), or null before the first: how old what is on screen is.
 */
export function useListsUpdatedAt(): number | null {
  const queryCache = useQueryClient().getQueryCache();
  const subscribe = useCallback((onChange: () => void) => queryCache.subscribe(() => onChange()), [queryCache]);
  const read = useCallback(() => {
    let latest = 0;
    for (const query of queryCache.findAll({ queryKey: studyKeys.lists() }))
      latest = Math.max(latest, query.state.dataUpdatedAt);
    return latest === 0 ? null : latest;
  }, [queryCache]);
  return useSyncExternalStore(subscribe, read, read);
}
