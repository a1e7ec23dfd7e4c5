import { useEffect, useLayoutEffect, useRef, useSyncExternalStore } from 'react';
import { pageShortcuts } from './shortcut-registry.ts';
import type { Shortcut } from './shortcut-registry.ts';

/**
 * Adds a keyboard shortcut to the page while the component is mounted. `run` may change on every
 * render (the latest is called); the keys, label, group and `enabled` update the overlay's list.
 */
export function useShortcut({ keys, label, group, run, enabled = true }: Shortcut): void {
  const runRef = useRef(run);
  useLayoutEffect(() => {
    runRef.current = run;
  });
  const keyList = keys.join('\u0000');
  const listed = run === undefined;
  useEffect(
    () =>
      pageShortcuts().register({
        keys: keyList.split('\u0000'),
        label,
        group,
        enabled,
        run: listed ? undefined : (event) => runRef.current?.(event),
      }),
    [keyList, label, group, enabled, listed],
  );
}

/** Every shortcut on the page now, for the overlay. */
export function useShortcutList(): readonly Shortcut[] {
  const registry = pageShortcuts();
  return useSyncExternalStore(registry.subscribe, registry.list, registry.list);
}
