import { useCallback, useEffect, useState } from 'react';

/** `system` follows the operating system's light or dark setting. */
export type ThemeChoice = 'system' | 'dark' | 'light';

const STORAGE_KEY = 'radiology-worklist.theme';

function isThemeChoice(value: unknown): value is ThemeChoice {
  return value === 'system' || value === 'dark' || value === 'light';
}

export function readThemeChoice(): ThemeChoice {
  try {
    const stored = window.localStorage.getItem(STORAGE_KEY);
    return isThemeChoice(stored) ? stored : 'system';
  } catch {
    // Storage can be blocked (e.g. in a locked-down portal iframe): fall back to the system setting.
    return 'system';
  }
}

/**
 * Puts the choice on <html>: styles.css reads `data-theme`, and without it `color-scheme` follows the
 * system. Done in JavaScript because the CSP forbids inline scripts in index.html.
 */
export function applyThemeChoice(choice: ThemeChoice): void {
  const root = document.documentElement;
  if (choice === 'system') delete root.dataset.theme;
  else root.dataset.theme = choice;
}

function systemPrefersDark(): boolean {
  return typeof window.matchMedia === 'function' ? window.matchMedia('(prefers-color-scheme: dark)').matches : true;
}

/** The theme choice, remembered in this browser, and the theme it resolves to right now. */
export function useThemeChoice() {
  const [choice, setChoice] = useState<ThemeChoice>(readThemeChoice);
  const [prefersDark, setPrefersDark] = useState(systemPrefersDark);

  useEffect(() => {
    if (typeof window.matchMedia !== 'function') return;
    const query = window.matchMedia('(prefers-color-scheme: dark)');
    const onChange = () => setPrefersDark(query.matches);
    query.addEventListener('change', onChange);
    return () => query.removeEventListener('change', onChange);
  }, []);

  useEffect(() => applyThemeChoice(choice), [choice]);

  const choose = useCallback((next: ThemeChoice) => {
    setChoice(next);
    try {
      if (next === 'system') window.localStorage.removeItem(STORAGE_KEY);
      else window.localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // Not remembered, but still applied for this visit.
    }
  }, []);

  const resolved: 'dark' | 'light' = choice === 'system' ? (prefersDark ? 'dark' : 'light') : choice;
  return { choice, resolved, choose };
}
