import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ShortcutHelp } from './shortcut-help.tsx';
import { keyNames } from './shortcut-overlay.tsx';
import { useShortcut } from './use-shortcut.ts';

function Page({ onNext }: { onNext: () => void }) {
  useShortcut({ keys: ['ArrowDown', 'j'], label: 'Next row', group: 'Worklist', run: () => undefined });
  useShortcut({ keys: ['n'], label: 'Next study', group: 'Study', run: onNext });
  useShortcut({
    keys: ['l'],
    label: 'Release the reading lease',
    group: 'Study',
    enabled: false,
    run: () => undefined,
  });
  return (
    <>
      <button type="button">Somewhere</button>
      <ShortcutHelp />
    </>
  );
}

afterEach(() => {
  document.body.innerHTML = '';
});

describe('the shortcut overlay', () => {
  it('opens on ?, lists every registered shortcut by group, closes on Esc and gives focus back', async () => {
    const user = userEvent.setup();
    const onNext = vi.fn();
    render(<Page onNext={onNext} />);
    const origin = screen.getByRole('button', { name: 'Somewhere' });
    origin.focus();
    await user.keyboard('?');
    const dialog = await screen.findByRole('dialog', { name: 'Keyboard shortcuts' });
    expect(screen.getByRole('region', { name: 'Worklist' }).textContent).toContain('Next row');
    expect(screen.getByRole('region', { name: 'Study' }).textContent).toContain('Next study');
    expect(screen.getByRole('region', { name: 'Study' }).textContent).toContain(
      'Release the reading lease(not available now)',
    );
    expect(screen.getByRole('region', { name: 'Help' }).textContent).toContain('Show keyboard shortcuts');
    expect(dialog.contains(document.activeElement)).toBe(true);
    // The page's keys wait while the overlay is open.
    await user.keyboard('n');
    expect(onNext).not.toHaveBeenCalled();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(origin);
    await user.keyboard('n');
    expect(onNext).toHaveBeenCalledOnce();
  });

  it('names keys as people read them', () => {
    expect(keyNames({ keys: ['ArrowDown', 'j'] })).toEqual(['↓', 'j']);
    expect(keyNames({ keys: ['Escape'] })).toEqual(['Esc']);
  });
});
