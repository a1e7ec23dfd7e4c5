/**
 * The keyboard shortcuts of the page: one list, one document-level keydown handler. Features add
 * theirs with `useShortcut`; the `?` overlay lists them all. The handler is where the rules live
 * that every shortcut shares: never while typing in a field or choosing in a select, never with a
 * modifier key (those belong to the browser and the system).
 */

// The type only: the entry point holds the keys, and the app imports none of its code.
import type { EarlyKeys } from './early-keys.ts';

export type ShortcutGroup = 'Worklist' | 'Study' | 'Help';

export interface Shortcut {
  /** The `KeyboardEvent.key` values that run it, e.g. `['ArrowDown', 'j']`. */
  keys: readonly string[];
  /** What it does, as the overlay says it. */
  label: string;
  group: ShortcutGroup;
  /**
   * Runs it. Returning false leaves the key to the next shortcut with the same key, and to the
   * browser (e.g. Enter on a button). Omitted: the key is only listed (handled elsewhere).
   */
  run?: ((event: KeyboardEvent) => boolean | void) | undefined;
  /** False (or a function answering false now): listed as not available here, and not run. */
  enabled?: boolean | (() => boolean) | undefined;
}

/** Whether the shortcut may run now. */
export function isEnabled(shortcut: Pick<Shortcut, 'enabled'>): boolean {
  return typeof shortcut.enabled === 'function' ? shortcut.enabled() : shortcut.enabled !== false;
}

/** Where a key press is the field's own: text entry, a select's type-ahead, an editable region. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof Element)) return false;
  if (target instanceof HTMLInputElement)
    return !['checkbox', 'radio', 'button', 'submit', 'reset', 'image'].includes(target.type);
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLElement && target.isContentEditable) return true;
  // An editable region (where `isContentEditable` is missing, as in jsdom), or a custom field (a
  // combobox, a listbox) that keeps focus on an element that is not an input.
  return (
    target.closest(
      '[contenteditable]:not([contenteditable="false"]),[role="combobox"],[role="listbox"],[role="textbox"],[role="spinbutton"],[role="slider"]',
    ) !== null
  );
}

/** Ctrl, Alt or Meta held: the key is the browser's or the system's. Shift is part of keys like `?`. */
export function hasModifier(event: Pick<KeyboardEvent, 'altKey' | 'ctrlKey' | 'metaKey'>): boolean {
  return event.altKey || event.ctrlKey || event.metaKey;
}

export interface ShortcutRegistry {
  /** Adds a shortcut; the returned function removes it. The latest added goes first for its key. */
  register: (shortcut: Shortcut) => () => void;
  /** Every shortcut added, in the order added. */
  list: () => readonly Shortcut[];
  /** Called whenever the list changes. */
  subscribe: (listener: () => void) => () => void;
  /** The one keydown handler (installed on the document while any shortcut is registered). */
  handleKeyDown: (event: KeyboardEvent) => void;
}

export function createShortcutRegistry(
  target: Pick<Document, 'addEventListener' | 'removeEventListener'> | null,
): ShortcutRegistry {
  let entries: readonly Shortcut[] = [];
  const listeners = new Set<() => void>();

  function handleKeyDown(event: KeyboardEvent) {
    if (event.defaultPrevented || event.isComposing || hasModifier(event) || isTypingTarget(event.target)) return;
    for (let index = entries.length - 1; index >= 0; index -= 1) {
      const shortcut = entries[index];
      if (!shortcut?.run || !shortcut.keys.includes(event.key) || !isEnabled(shortcut)) continue;
      if (shortcut.run(event) === false) continue;
      event.preventDefault();
      return;
    }
  }

  function changed(next: readonly Shortcut[]) {
    if (entries.length === 0 && next.length > 0) target?.addEventListener('keydown', handleKeyDown);
    if (entries.length > 0 && next.length === 0) target?.removeEventListener('keydown', handleKeyDown);
    entries = next;
    for (const listener of listeners) listener();
  }

  return {
    register(shortcut) {
      changed([...entries, shortcut]);
      return () => changed(entries.filter((entry) => entry !== shortcut));
    },
    list: () => entries,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    handleKeyDown,
  };
}

/** Whether a press of the key would run a shortcut now (in the page, not in a field). */
export function takesKey(registry: Pick<ShortcutRegistry, 'list'>, key: string): boolean {
  return registry
    .list()
    .some((shortcut) => shortcut.run !== undefined && shortcut.keys.includes(key) && isEnabled(shortcut));
}

/**
 * The keys pressed before the app was ready (held by the entry point) go to the shortcuts as they
 * are added: the entry stops holding when the first are in, and each held key is pressed again as
 * soon as a shortcut takes it (a component can add its shortcut a render or two after the first),
 * or dropped once held too long.
 */
export function pressEarlyKeys(registry: Pick<ShortcutRegistry, 'list' | 'subscribe'>, earlyKeys: EarlyKeys): void {
  let pending: ReturnType<typeof setTimeout> | undefined;
  // Components add their shortcuts one by one in an effects pass: look once the pass is over.
  const look = () => {
    pending = undefined;
    if (earlyKeys.pressReady((key) => takesKey(registry, key)) === 0) finish();
  };
  const unsubscribe = registry.subscribe(() => {
    earlyKeys.stopHolding();
    pending ??= setTimeout(look, 0);
  });
  const expiry = setTimeout(finish, earlyKeys.holdMs);
  function finish() {
    unsubscribe();
    clearTimeout(pending);
    clearTimeout(expiry);
    earlyKeys.stopHolding();
  }
  if (registry.list().length > 0) {
    earlyKeys.stopHolding();
    pending = setTimeout(look, 0);
  }
}

let pageRegistry: ShortcutRegistry | undefined;

/** The page's registry, made on first use (not on import). */
export function pageShortcuts(): ShortcutRegistry {
  pageRegistry ??= createShortcutRegistry(typeof document === 'undefined' ? null : document);
  return pageRegistry;
}
