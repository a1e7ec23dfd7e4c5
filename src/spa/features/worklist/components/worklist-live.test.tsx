import { screen, waitFor, within } from '@testing-library/react';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Study } from '../../../../contract/avara-types.ts';
import { createMockStudyService } from '../../../../mocks/api-handlers.ts';
import { liveEvents } from '../../../lib/live/live-events.ts';
import { withLiveMockServer } from '../../../testing/mock-server.ts';
import { renderRoutes } from '../../../testing/render.tsx';
import { WorklistPage } from './worklist-page.tsx';

const service = createMockStudyService({ demoStudies: 400, now: new Date('2026-03-10T12:00:00Z') });
const { events } = withLiveMockServer({ service });

// jsdom lays nothing out: give every element a size, so the virtualized grid renders its first rows.
beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 900 });
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 1400 });
  // jsdom has no CSS.escape; the grid uses it to find the row it focuses. Row keys are study IDs.
  Object.defineProperty(globalThis, 'CSS', {
    configurable: true,
    value: { ...globalThis.CSS, escape: (text: string) => text },
  });
});
afterAll(() => {
  Reflect.deleteProperty(HTMLElement.prototype, 'clientHeight');
  Reflect.deleteProperty(HTMLElement.prototype, 'clientWidth');
});

const routes = [{ path: '/', element: <WorklistPage />, children: [{ index: true, element: null }] }];

function statStudies(): Study[] {
  return service.listStudies({ severity: 'stat', isCancelled: false, studyViewerStatus: 'incomplete', limit: 100 })
    .studies;
}

describe('WorklistPage, live', () => {
  it('updates a changed study in place, takes out one that left, and marks and counts a new one', async () => {
    liveEvents.start();
    renderRoutes(routes, { route: '/?assignee=anyone' });
    const [first, second] = statStudies();
    if (!first || !second) throw new Error('the demo data has STAT studies');
    const grid = await screen.findByRole('grid', { name: 'Worklist' });
    await waitFor(() => expect(within(grid).getByText(first.studyDescription)).toBeTruthy());
    await waitFor(() => expect(liveEvents.getSnapshot().state).toBe('live'));

    const later = '2027-01-01T00:00:00.000Z';
    events.send(
      'study.changed',
      { study: { ...first, studyDescription: 'CT head, changed live', updatedAt: later }, origin: 'worklist' },
      'mock:1-0',
    );
    expect(await within(grid).findByText('CT head, changed live')).toBeTruthy();

    events.send(
      'study.changed',
      { study: { ...second, isCancelled: true, cancelledAt: later, updatedAt: later }, origin: 'worklist' },
      'mock:2-0',
    );
    await waitFor(() => expect(grid.querySelector(`[data-row-key="${second.studyId}"]`)).toBeNull());

    const arrived: Study = {
      ...first,
      studyId: 'stu_ffffffffffffffffffffffffffffffff',
      studyInstanceUid: '1.2.999',
      studyDescription: 'CT chest, just arrived',
      createdAt: '2026-03-10T12:30:00.000Z',
      updatedAt: '2026-03-10T12:30:00.000Z',
    };
    events.send('study.created', { study: arrived, origin: 'pacs' }, 'mock:3-0');
    // In sight (STAT is short here): marked new, with the word, and not counted.
    await waitFor(() => expect(grid.querySelector(`[data-row-key="${arrived.studyId}"]`)).not.toBeNull());
    const row = grid.querySelector<HTMLElement>(`[data-row-key="${arrived.studyId}"]`);
    expect(row?.dataset.new).toBe('');
    expect(within(row ?? grid).getByText('New')).toBeTruthy();
    expect(screen.queryByRole('button', { name: /new STAT/ })).toBeNull();
  });

  it('counts a new study whose place is past the loaded pages in its group header, and shows it in one click', async () => {
    liveEvents.start();
    renderRoutes(routes, { route: '/?assignee=anyone&groups=normal' });
    const grid = await screen.findByRole('grid', { name: 'Worklist' });
    await waitFor(() => expect(grid.querySelectorAll('[data-study-row]').length).toBeGreaterThan(10));
    await waitFor(() => expect(liveEvents.getSnapshot().state).toBe('live'));
    // Oldest first: a new NORMAL study belongs after everything loaded so far, out of sight.
    const created = service.createStudy({
      studyInstanceUid: '1.2.998',
      studyDescription: 'XR hand, just arrived',
      severity: 'normal',
    });
    events.send('study.created', { study: created, origin: 'pacs' }, 'mock:4-0');
    const showNew = await screen.findByRole('button', { name: 'Show 1 new Normal study' });
    expect(showNew.textContent).toContain('1 new');
    showNew.click();
    // One click loads the pages up to it and scrolls there.
    await waitFor(() => expect(grid.querySelector(`[data-row-key="${created.studyId}"]`)).not.toBeNull(), {
      timeout: 10_000,
    });
    expect(grid.querySelector<HTMLElement>(`[data-row-key="${created.studyId}"]`)?.dataset.new).toBe('');
  });
});
