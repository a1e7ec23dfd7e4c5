import { useEffect, useState } from 'react';
import { BUTTON } from './button-styles.ts';

/** Copies `text` to the clipboard and says so for a moment (politely, for screen readers too). */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const timer = window.setTimeout(() => setState('idle'), 2000);
    return () => window.clearTimeout(timer);
  }, [state]);

  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setState('copied');
    } catch {
      // Clipboard access can be refused (an iframe without permission): the text is selectable anyway.
      setState('failed');
    }
  }

  return (
    <span className="inline-flex items-center gap-2">
      <button type="button" onClick={() => void copy()} aria-label={label} className={BUTTON.small}>
        Copy
      </button>
      <span role="status" className="text-xs text-fg-muted">
        {state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed; select the text instead' : ''}
      </span>
    </span>
  );
}
