import { useSyncExternalStore } from 'react';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('online', onChange);
  window.addEventListener('offline', onChange);
  return () => {
    window.removeEventListener('online', onChange);
    window.removeEventListener('offline', onChange);
  };
}

/** Whether the browser believes it has a network connection. */
export function useOnline(): boolean {
  return useSyncExternalStore(subscribe, () => navigator.onLine, () => true);
}

/** Says plainly that what is on screen may be stale, rather than letting the list silently age. */
export function OfflineBanner() {
  const online = useOnline();
  if (online) return null;
  return (
    <div role="status" className="rounded-md border border-warning-fg/40 bg-warning-bg px-3 py-1.5 text-sm text-warning-fg">
      <strong className="font-semibold">You are offline.</strong> The list shows what was loaded before; it updates again
      when the connection is back.
    </div>
  );
}
