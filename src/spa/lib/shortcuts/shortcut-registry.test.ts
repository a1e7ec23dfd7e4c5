import { afterEach, describe, expect, it, vi } from 'vitest';
import { createShortcutRegistry, isTypingTarget } from './shortcut-registry.ts';
import type { ShortcutRegistry } from './shortcut-registry.ts';

/** Every key the app binds, list movement and actions alike. */
const ALL_KEYS = ['?', '/', 'j', 'k', 'ArrowDown', 'ArrowUp', 'Enter', 'Escape', 'n', 'v', 'm', 'a', 'l', 'e'];

/** Every kind of field a key press belongs to, as the page has them. */
function fields(): Array<[string, HTMLElement]> {
  const select = document.createElement('select');
  select.innerHTML = '<option>Anyone</option><option>Jordan Park</option>';
  const editable = document.createElement('div');
  editable.setAttribute('contenteditable', 'true');
  editable.tabIndex = 0;
  const combobox = document.createElement('div');
  combobox.setAttribute('role', 'combobox');
  combobox.tabIndex = 0;
  const textarea = document.createElement('textarea');
  const kinds: Array<[string, HTMLElement]> = [
    ['select', select],
    ['textarea', textarea],
    ['contenteditable', editable],
    ['role=combobox', combobox],
  ];
  for (const type of ['text', 'search', 'email', 'number', 'date', 'password', 'tel', 'url']) {
    const input = document.createElement('input');
    input.type = type;
    kinds.push([`input type=${type}`, input]);
  }
  return kinds;
}

function press(target: EventTarget, key: string, init: KeyboardEventInit = {}): KeyboardEvent {
  const event = new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, ...init });
  target.dispatchEvent(event);
  return event;
}

const registries: ShortcutRegistry[] = [];

/** A registry on the document, taken down after the test even when it fails. */
function documentRegistry(): ShortcutRegistry {
  const registry = createShortcutRegistry(document);
  registries.push(registry);
  return registry;
}

afterEach(() => {
  for (const registry of registries.splice(0)) {
    document.removeEventListener('keydown', registry.handleKeyDown);
  }
  document.body.innerHTML = '';
});

describe('the shortcut registry', () => {
  it.each(fields())('fires no shortcut while focus is in a %s, for any key', (_kind, field) => {
    const registry = documentRegistry();
    const run = vi.fn();
    const stop = registry.register({ keys: ALL_KEYS, label: 'Anything', group: 'Worklist', run });
    document.body.append(field);
    field.focus();
    for (const key of ALL_KEYS) {
      const event = press(field, key);
      expect(event.defaultPrevented, key).toBe(false);
    }
    expect(run).not.toHaveBeenCalled();
    stop();
  });

  it('fires from a button, a checkbox, a row and the page itself', () => {
    const registry = documentRegistry();
    const run = vi.fn();
    const stop = registry.register({ keys: ['n'], label: 'Next study', group: 'Study', run });
    const button = document.createElement('button');
    const checkbox = Object.assign(document.createElement('input'), { type: 'checkbox' });
    const row = Object.assign(document.createElement('div'), { tabIndex: 0 });
    row.setAttribute('role', 'row');
    document.body.append(button, checkbox, row);
    for (const target of [button, checkbox, row, document.body]) {
      expect(press(target, 'n').defaultPrevented).toBe(true);
    }
    expect(run).toHaveBeenCalledTimes(4);
    stop();
  });

  it.each([['ctrlKey'], ['altKey'], ['metaKey']] as const)('leaves every key with %s to the browser', (modifier) => {
    const registry = documentRegistry();
    const run = vi.fn();
    const stop = registry.register({ keys: ALL_KEYS, label: 'Anything', group: 'Worklist', run });
    for (const key of ALL_KEYS) expect(press(document.body, key, { [modifier]: true }).defaultPrevented).toBe(false);
    expect(run).not.toHaveBeenCalled();
    stop();
  });

  it('takes Shift as part of the key (? is Shift+/)', () => {
    const registry = documentRegistry();
    const run = vi.fn();
    const stop = registry.register({ keys: ['?'], label: 'Help', group: 'Help', run });
    press(document.body, '?', { shiftKey: true });
    expect(run).toHaveBeenCalledOnce();
    stop();
  });

  it('runs the latest shortcut for a key first; false passes the key on; disabled ones are skipped', () => {
    const registry = documentRegistry();
    const calls: string[] = [];
    const stops = [
      registry.register({ keys: ['m'], label: 'first', group: 'Study', run: () => void calls.push('first') }),
      registry.register({ keys: ['m'], label: 'passes', group: 'Study', run: () => (calls.push('passes'), false) }),
      registry.register({
        keys: ['m'],
        label: 'disabled',
        group: 'Study',
        enabled: false,
        run: () => void calls.push('disabled'),
      }),
      registry.register({ keys: ['m'], label: 'listed only', group: 'Study' }),
    ];
    expect(press(document.body, 'm').defaultPrevented).toBe(true);
    expect(calls).toEqual(['passes', 'first']);
    for (const stop of stops) stop();
  });

  it('lists what is registered, tells subscribers, and leaves the document when the last one goes', () => {
    const target = { addEventListener: vi.fn(), removeEventListener: vi.fn() };
    const registry = createShortcutRegistry(target);
    const listener = vi.fn();
    registry.subscribe(listener);
    const stopA = registry.register({ keys: ['a'], label: 'Assign to me', group: 'Study', run: () => undefined });
    const stopB = registry.register({ keys: ['e'], label: 'Edit', group: 'Study', run: () => undefined });
    expect(registry.list().map((shortcut) => shortcut.label)).toEqual(['Assign to me', 'Edit']);
    expect(target.addEventListener).toHaveBeenCalledOnce();
    stopA();
    stopB();
    expect(registry.list()).toEqual([]);
    expect(target.removeEventListener).toHaveBeenCalledOnce();
    expect(listener).toHaveBeenCalledTimes(4);
  });

  it('ignores a key already handled, and one typed while composing', () => {
    const registry = documentRegistry();
    const run = vi.fn();
    const stop = registry.register({ keys: ['n'], label: 'Next', group: 'Study', run });
    const handled = new KeyboardEvent('keydown', { key: 'n', cancelable: true });
    handled.preventDefault();
    registry.handleKeyDown(handled);
    registry.handleKeyDown(new KeyboardEvent('keydown', { key: 'n', isComposing: true }));
    expect(run).not.toHaveBeenCalled();
    stop();
  });

  it('names typing targets', () => {
    for (const [, field] of fields()) expect(isTypingTarget(field)).toBe(true);
    expect(isTypingTarget(document.createElement('button'))).toBe(false);
    expect(isTypingTarget(Object.assign(document.createElement('input'), { type: 'checkbox' }))).toBe(false);
    expect(isTypingTarget(null)).toBe(false);
  });
});
