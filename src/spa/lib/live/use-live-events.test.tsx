import { useQuery } from '@tanstack/react-query';
import { screen, waitFor } from '@testing-library/react';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import { withLiveMockServer } from '../../testing/mock-server.ts';
import { renderWithProviders } from '../../testing/render.tsx';
import { useLiveEventsMonitor, useLiveSnapshot, useWorklistEvent } from './use-live-events.ts';

const { events } = withLiveMockServer({ demoStudies: 0 });

describe('useLiveEventsMonitor', () => {
  it('follows the stream once signed in, hands events to handlers without resubscribing, and refetches on resync', async () => {
    let fetched = 0;
    function Page() {
      useLiveEventsMonitor();
      const snapshot = useLiveSnapshot();
      const [statuses, setStatuses] = useState<string[]>([]);
      const query = useQuery({
        queryKey: ['studies', 'list'],
        queryFn: () => ++fetched,
        staleTime: Number.POSITIVE_INFINITY,
      });
      // A new handler every render: each status must arrive once, not once per subscription.
      useWorklistEvent('stream.status', (data, { id }) =>
        setStatuses((previous) => [...previous, `${data.status}@${id}`]),
      );
      return <p>{`${snapshot.state} · ${statuses.join(',')} · fetched ${query.data ?? 0}`}</p>;
    }
    renderWithProviders(<Page />);
    expect(await screen.findByText('live · ok@mock:0-0 · fetched 1')).toBeTruthy();

    events.send('stream.status', { status: 'degraded' });
    expect(await screen.findByText('live · ok@mock:0-0,degraded@mock:0-0 · fetched 1')).toBeTruthy();
    events.send('resync', { reason: 'test' }, 'mock:5-0');
    await waitFor(() => expect(screen.getByText(/fetched 2$/)).toBeTruthy());
  });
});
