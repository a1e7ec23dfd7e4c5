import { act, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { Study } from '../../../../contract/avara-types.ts';
import { useLiveEventsMonitor, useLiveSnapshot } from '../../../lib/live/use-live-events.ts';
import { withLiveMockServer } from '../../../testing/mock-server.ts';
import { renderWithProviders } from '../../../testing/render.tsx';
import { COLLEAGUE, ME, statStudy } from '../../../testing/study-factory.ts';
import { StatAlerts } from './stat-alerts.tsx';

const { events } = withLiveMockServer({ demoStudies: 0 });
afterEach(() => {
  document.title = 'Radiology Worklist';
});

const me = ME;
const colleague = COLLEAGUE;

function studyOf(studyId: string, changes: Partial<Study> = {}): Study {
  return statStudy({
    studyId,
    studyInstanceUid: `1.2.${studyId.length}`,
    studyDescription: `CT head ${studyId}`,
    ...changes,
  });
}

function Page({ opened }: { opened: string[] }) {
  useLiveEventsMonitor();
  const { state } = useLiveSnapshot();
  return (
    <>
      <p>{state}</p>
      <StatAlerts
        me={me}
        matchesView={(study) => study.assignedTo === null}
        openStudy={(studyId) => opened.push(studyId)}
      />
    </>
  );
}

describe('StatAlerts', () => {
  it('shows a toast and a title count for a new or raised STAT under the filters, and none for one’s own change', async () => {
    document.title = 'Radiology Worklist';
    const opened: string[] = [];
    const { user } = renderWithProviders(<Page opened={opened} />);
    expect(await screen.findByText('live')).toBeTruthy();

    // Known first as High, then raised to STAT by a colleague: an alert.
    act(() => events.send('study.created', { study: studyOf('stu_a', { severity: 'high' }), origin: 'pacs' }));
    act(() => events.send('study.changed', { study: studyOf('stu_a'), origin: 'worklist', by: colleague }));
    expect(await screen.findByText('CT head stu_a')).toBeTruthy();
    await waitFor(() => expect(document.title).toBe('(1) Radiology Worklist'));

    // Raised by the person themself, or not under the filters: nothing.
    act(() => events.send('study.created', { study: studyOf('stu_b', { severity: 'normal' }), origin: 'pacs' }));
    act(() => events.send('study.changed', { study: studyOf('stu_b'), origin: 'worklist', by: me }));
    act(() =>
      events.send('study.created', {
        study: studyOf('stu_c', { assignedTo: { userId: 'usr_x', email: 'x@example.org', firstName: 'X' } }),
        origin: 'pacs',
      }),
    );
    // A new STAT from the PACS: a second alert.
    act(() => events.send('study.created', { study: studyOf('stu_d'), origin: 'pacs' }));
    expect(await screen.findByText('CT head stu_d')).toBeTruthy();
    await waitFor(() => expect(document.title).toBe('(2) Radiology Worklist'));
    expect(screen.queryByText('CT head stu_b')).toBeNull();
    expect(screen.queryByText('CT head stu_c')).toBeNull();
    expect(screen.getAllByTestId('stat-toast')).toHaveLength(2);

    // Dismissed: the count clears; Open goes to the study.
    await user.click(screen.getByRole('button', { name: 'Dismiss the alert for CT head stu_a' }));
    expect(document.title).toBe('Radiology Worklist');
    await user.click(screen.getByRole('button', { name: 'Open' }));
    expect(opened).toEqual(['stu_d']);
    expect(screen.queryAllByTestId('stat-toast')).toHaveLength(0);
  });
});
