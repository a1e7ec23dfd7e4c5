import { useQuery } from '@tanstack/react-query';
import { act, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderWithProviders } from '../../testing/render.tsx';
import { connection } from './connection-state.ts';
import { useConnection, useConnectionMonitor } from './use-connection.ts';

describe('useConnectionMonitor', () => {
  it('refetches what is on screen when the server answers again after an outage', async () => {
    const fetched: number[] = [];
    function Counting() {
      useConnectionMonitor();
      const { status } = useConnection();
      const query = useQuery({
        queryKey: ['studies', 'list'],
        queryFn: () => {
          fetched.push(Date.now());
          return fetched.length;
        },
        staleTime: Number.POSITIVE_INFINITY,
      });
      return <p>{`${status} · fetched ${query.data ?? 0}`}</p>;
    }
    renderWithProviders(<Counting />);
    expect(await screen.findByText('live · fetched 1')).toBeTruthy();

    act(() => {
      connection.reportFailure();
      connection.reportFailure();
    });
    expect(screen.getByText('offline · fetched 1')).toBeTruthy();
    act(() => connection.reportSuccess());
    await waitFor(() => expect(screen.getByText('live · fetched 2')).toBeTruthy());

    // A blip (one failure) is not an outage: nothing is refetched.
    act(() => {
      connection.reportFailure();
      connection.reportSuccess();
    });
    expect(fetched).toHaveLength(2);
  });
});
