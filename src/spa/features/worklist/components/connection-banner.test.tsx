import { act, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { connection } from '../../../lib/connection/connection-state.ts';
import { renderWithProviders } from '../../../testing/render.tsx';
import { ConnectionBanner } from './connection-banner.tsx';

describe('ConnectionBanner', () => {
  it('shows nothing while the server answers, or after a single failed request', () => {
    renderWithProviders(<ConnectionBanner />);
    expect(screen.queryByRole('alert')).toBeNull();
    act(() => connection.reportFailure());
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('says the connection is lost and how old the list is, then goes when the server answers', () => {
    act(() => connection.reportSuccess());
    renderWithProviders(<ConnectionBanner />);
    act(() => {
      connection.reportFailure();
      connection.reportFailure();
    });
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toMatch(/^Connection lost · last updated \d+ s ago/);
    expect(alert.textContent).toContain('The server is not answering.');
    expect(screen.getByRole('button', { name: 'Try now' })).toBeTruthy();

    act(() => connection.reportSuccess());
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('says when the browser itself has no network', () => {
    renderWithProviders(<ConnectionBanner />);
    act(() => connection.setBrowserOnline(false));
    expect(screen.getByRole('alert').textContent).toContain('This computer has no network connection.');
  });
});
