import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EARLY_KEY_HOLD_MS, holdEarlyKeys } from './early-keys.ts';
import { createShortcutRegistry, pressEarlyKeys } from './shortcut-registry.ts';

function press(target: EventTarget, key: string, init: KeyboardEventInit = {}): KeyboardEvent {
  const event = new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, ...init });
  target.dispatchEvent(event);
  return event;
}

let clock = 0;
const cleanups: Array<() => void> = [];

/** The page as the entry leaves it: keys held, released once the app's first shortcuts are in. */
function loadingPage(): { pressed: string[]; register: (...keys: string[]) => void } {
  const registry = createShortcutRegistry(document);
  const pressed: string[] = [];
  const earlyKeys = holdEarlyKeys(document, () => clock);
  cleanups.push(earlyKeys.stopHolding);
  pressEarlyKeys(registry, earlyKeys);
  const register = (...keys: string[]) => {
    for (const key of keys) {
      cleanups.push(
        registry.register({ keys: [key], label: key, group: 'Worklist', run: () => void pressed.push(key) }),
      );
    }
  };
  return { pressed, register };
}

beforeEach(() => {
  vi.useFakeTimers();
  clock = 0;
});

afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
  vi.useRealTimers();
  document.body.innerHTML = '';
});

describe('keys pressed before the app is ready', () => {
  it('are pressed again, in order, once the first render has added its shortcuts', () => {
    const { pressed, register } = loadingPage();
    press(document.body, 'j');
    press(document.body, 'n');
    expect(pressed).toEqual([]);
    // The first render's shortcuts are added in one effects pass.
    register('j');
    register('n');
    expect(pressed).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(pressed).toEqual(['j', 'n']);
  });

  it('are pressed again once only, and later keys go straight to the shortcuts', () => {
    const { pressed, register } = loadingPage();
    press(document.body, 'n');
    register('n');
    vi.advanceTimersByTime(1);
    press(document.body, 'n');
    register('k');
    vi.advanceTimersByTime(1);
    expect(pressed).toEqual(['n', 'n']);
  });

  it("meet the shortcuts' own rules when pressed again: a key with a modifier runs nothing", () => {
    const { pressed, register } = loadingPage();
    press(document.body, 'n', { ctrlKey: true });
    press(document.body, 'n', { metaKey: true });
    press(document.body, 'n', { altKey: true });
    register('n');
    vi.advanceTimersByTime(1);
    expect(pressed).toEqual([]);
  });

  it('leave out the repeats of a key held down', () => {
    const { pressed, register } = loadingPage();
    press(document.body, 'j');
    press(document.body, 'j', { repeat: true });
    press(document.body, 'j', { repeat: true });
    register('j');
    vi.advanceTimersByTime(1);
    expect(pressed).toEqual(['j']);
  });

  it(`drop a key pressed more than ${EARLY_KEY_HOLD_MS} ms before the app was ready`, () => {
    const { pressed, register } = loadingPage();
    press(document.body, 'j');
    clock = 1_000;
    press(document.body, 'n');
    clock = 1_000 + EARLY_KEY_HOLD_MS;
    register('j', 'n');
    vi.advanceTimersByTime(1);
    expect(pressed).toEqual(['n']);
  });

  it('wait for a shortcut added after the first ones, and keep their order', () => {
    const { pressed, register } = loadingPage();
    press(document.body, 'n');
    press(document.body, 'j');
    press(document.body, 'k');
    register('j');
    vi.advanceTimersByTime(1);
    expect(pressed).toEqual(['j']);
    // Next study's button comes a render later.
    register('n', 'k');
    vi.advanceTimersByTime(1);
    expect(pressed).toEqual(['j', 'n', 'k']);
  });

  it('are not held once the first shortcuts are in: later keys are pressed once', () => {
    const { pressed, register } = loadingPage();
    register('j');
    vi.advanceTimersByTime(1);
    press(document.body, 'j');
    register('n');
    vi.advanceTimersByTime(1);
    expect(pressed).toEqual(['j']);
  });

  it(`are dropped, and no longer looked for, ${EARLY_KEY_HOLD_MS} ms after the app is ready`, () => {
    const { pressed, register } = loadingPage();
    press(document.body, 'n');
    register('j');
    vi.advanceTimersByTime(EARLY_KEY_HOLD_MS);
    register('n');
    vi.advanceTimersByTime(1);
    expect(pressed).toEqual([]);
  });

  it('reach the element that has focus when they are pressed again', () => {
    const { register } = loadingPage();
    const button = document.createElement('button');
    document.body.append(button);
    const seen = vi.fn();
    button.addEventListener('keydown', (event) => seen(event.key));
    press(document.body, 'n');
    register('n');
    button.focus();
    vi.advanceTimersByTime(1);
    expect(seen).toHaveBeenCalledWith('n');
  });
});
