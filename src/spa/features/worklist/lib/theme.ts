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
  rememberForServer(choice);
}

/** The cookie the BFF reads the choice from, to put it on the page's <html> (src/bff/plugins/static-spa.ts). */
const THEME_COOKIE = 'rw-theme';

/**
 * The choice in a cookie too: the BFF then sends the page with `data-theme` already set, so the
 * first screen it renders into the page is painted in this theme before any script runs. A year,
 * the whole site; framed in the portal over TLS, sent there too (SameSite=None, as the session's).
 */
function rememberForServer(choice: ThemeChoice): void {
  const secure = window.location.protocol === 'https:';
  const attributes = `Path=/; SameSite=${secure ? 'None; Secure' : 'Lax'}`;
  document.cookie =
    choice === 'system'
      ? `${THEME_COOKIE}=; Max-Age=0; ${attributes}`
      : `${THEME_COOKIE}=${choice}; Max-Age=31536000; ${attributes}`;
}

function systemPrefersDark(): boolean {
  // On the server (the first screen rendered into the page) there is no window: dark, as without matchMedia.
  return typeof window !== 'undefined' && typeof window.matchMedia === 'function'
    ? window.matchMedia('(prefers-color-scheme: dark)').matches
    : true;
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
