import { useCallback, useEffect } from 'react';
import { useBlocker } from '../../../lib/navigation/app-router.tsx';
import type { ShouldBlock } from '../../../lib/navigation/guarded-history.ts';

/**
 * Leaving the study with unsaved edits (Esc, Close, another row, Back) is held until the person
 * answers (the returned blocker); a reload or a closed tab cannot be asked in the page, so the
 * browser's own prompt covers them.
 */
export function useUnsavedGuard(dirty: boolean) {
  const shouldBlock = useCallback<ShouldBlock>(
    ({ currentLocation, nextLocation }) => dirty && currentLocation.pathname !== nextLocation.pathname,
    [dirty],
  );
  const blocker = useBlocker(shouldBlock);
  useEffect(() => {
    if (!dirty) return;
    const onBeforeUnload = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => window.removeEventListener('beforeunload', onBeforeUnload);
  }, [dirty]);
  return blocker;
}
