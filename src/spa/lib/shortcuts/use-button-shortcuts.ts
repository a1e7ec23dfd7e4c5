import { useEffect } from 'react';
import { pageShortcuts } from './shortcut-registry.ts';
import type { ShortcutGroup } from './shortcut-registry.ts';

/** A shortcut that presses a button: the button names its key with `aria-keyshortcuts`. */
export interface ButtonShortcut {
  key: string;
  label: string;
  group: ShortcutGroup;
}

/** The enabled button inside the container that names this key, if one is on screen. */
export function buttonFor(container: Element | null, key: string): HTMLButtonElement | null {
  const buttons = container?.querySelectorAll<HTMLButtonElement>('button[aria-keyshortcuts]:not(:disabled)') ?? [];
  return [...buttons].find((button) => button.getAttribute('aria-keyshortcuts')?.split(' ').includes(key)) ?? null;
}

/**
 * Keys that press the buttons inside the container which name them (`aria-keyshortcuts="m"`): a
 * button added later gets its key by naming it, and the overlay lists the key as unavailable while
 * no such button is there.
 */
export function useButtonShortcuts(
  containerRef: { readonly current: Element | null },
  shortcuts: readonly ButtonShortcut[],
): void {
  useEffect(() => {
    const stops = shortcuts.map(({ key, label, group }) =>
      pageShortcuts().register({
        keys: [key],
        label,
        group,
        enabled: () => buttonFor(containerRef.current, key) !== null,
        run: () => buttonFor(containerRef.current, key)?.click(),
      }),
    );
    return () => {
      for (const stop of stops) stop();
    };
  }, [containerRef, shortcuts]);
}
