import { lazy, Suspense, useState } from 'react';
import { useShortcut } from './use-shortcut.ts';

// The overlay is not part of the first screen: its code loads the first time `?` is pressed.
const ShortcutOverlay = lazy(async () => ({ default: (await import('./shortcut-overlay.tsx')).ShortcutOverlay }));

/** `?` opens the list of every keyboard shortcut on the page. */
export function ShortcutHelp() {
  const [open, setOpen] = useState(false);
  useShortcut({ keys: ['?'], label: 'Show keyboard shortcuts', group: 'Help', run: () => setOpen(true) });
  return open ? (
    <Suspense fallback={null}>
      <ShortcutOverlay onClose={() => setOpen(false)} />
    </Suspense>
  ) : null;
}
