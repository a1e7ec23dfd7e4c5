/**
 * Held keys older than this are dropped, not replayed: a press from long ago would act by surprise.
 * It is also within the browser's transient user activation (5 s in Chromium), so a replayed `n`
 * may still open the viewer's tab.
 */
export const EARLY_KEY_HOLD_MS = 3_000;

export interface EarlyKeys {
  /** How long a key is held at most. */
  holdMs: number;
  /** Keeps no more of the keys pressed from now on (the app's shortcuts take them). */
  stopHolding: () => void;
  /**
   * Presses again, in the order pressed, each held key that `ready` says a shortcut takes now, and
   * drops those held too long. Answers how many are still held.
   */
  pressReady: (ready: (key: string) => boolean) => number;
}

/**
 * Keeps the keys pressed while the page shows the server's first screen and the app's code is still
 * on its way (decision record 041), for the app to press again once its shortcuts are in place:
 * without it the first `n` or `j` of someone quick is lost. Until the app renders, the page holds
 * nothing to type into (the server's rows are inert), so every key is kept as it was pressed and
 * the shortcuts' own rules (no modifier keys, never in a field) apply when it is pressed again. Keys
 * repeated by holding one down are not kept.
 *
 * The entry point (`src/spa/main.tsx`) calls this first; it imports nothing, so the entry stays small.
 */
export function holdEarlyKeys(target: Document, now: () => number = () => performance.now()): EarlyKeys {
  let held: Array<{ init: KeyboardEventInit; at: number }> = [];

  function hold(event: KeyboardEvent) {
    if (event.repeat || event.isComposing) return;
    const { key, code, shiftKey, altKey, ctrlKey, metaKey } = event;
    held.push({ init: { key, code, shiftKey, altKey, ctrlKey, metaKey, bubbles: true, cancelable: true }, at: now() });
  }

  target.addEventListener('keydown', hold);
  return {
    holdMs: EARLY_KEY_HOLD_MS,
    stopHolding: () => target.removeEventListener('keydown', hold),
    pressReady(ready) {
      const at = now();
      const due = held.filter((key) => at - key.at <= EARLY_KEY_HOLD_MS);
      held = due.filter((key) => !ready(key.init.key ?? ''));
      for (const key of due) {
        if (held.includes(key)) continue;
        (target.activeElement ?? target.body).dispatchEvent(new KeyboardEvent('keydown', key.init));
      }
      return held.length;
    },
  };
}
