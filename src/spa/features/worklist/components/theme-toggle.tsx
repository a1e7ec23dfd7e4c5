import { useThemeChoice } from '../lib/theme.ts';

/**
 * One button that flips between dark and light; the first press pins the opposite of what the system
 * shows. The choice is remembered in this browser.
 */
export function ThemeToggle({ compact = false }: { compact?: boolean }) {
  const { resolved, choose } = useThemeChoice();
  const next = resolved === 'dark' ? 'light' : 'dark';
  return (
    <button
      type="button"
      onClick={() => choose(next)}
      aria-label={`Switch to ${next} theme`}
      title={`Switch to ${next} theme`}
      className={`inline-flex items-center gap-1.5 rounded border border-border text-sm font-medium hover:border-accent ${compact ? 'px-2 py-1' : 'px-3 py-1.5'}`}
    >
      <span aria-hidden="true">{resolved === 'dark' ? '☾' : '☀'}</span>
      {compact ? null : <span>{resolved === 'dark' ? 'Dark' : 'Light'}</span>}
    </button>
  );
}
