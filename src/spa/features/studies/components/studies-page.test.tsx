import { screen, waitFor, within } from '@testing-library/react';
import { HttpResponse, http } from 'msw';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Study } from '../../../../contract/avara-types.ts';
import { createApiHandlers, createMockStudyService } from '../../../../mocks/api-handlers.ts';
import { createMockServer } from '../../../../mocks/node.ts';
import { renderWithProviders } from '../../../testing/render.tsx';
import { StudiesPage } from './studies-page.tsx';

// 120 studies: two full pages of 50 and a last one of 20.
const service = createMockStudyService({ demoStudies: 120, now: new Date('2026-03-10T12:00:00Z') });
const server = createMockServer(createApiHandlers({ service }));

beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function firstPage(): Study[] {
  return service.listStudies({ limit: 50 }).studies;
}

function studyRows(): HTMLElement[] {
  const table = screen.getByRole('table', { name: 'Studies' });
  // The first row is the header.
  return within(table).getAllByRole('row').slice(1);
}

/** A fresh handler each time: a `once` handler stays used up, even across `resetHandlers`. */
function serviceDownOnce() {
  return http.get(
    '*/api/studies',
    () =>
      HttpResponse.json(
        {
          type: '/problems/upstream-unavailable',
          title: 'The study service is unavailable',
          status: 503,
          detail: 'The Avara Viewer service did not answer. Try again in a moment.',
          retryable: true,
        },
        { status: 503, headers: { 'Content-Type': 'application/problem+json' } },
      ),
    { once: true },
  );
}

describe('StudiesPage', () => {
  it('shows a loading state, then the first page of studies', async () => {
    renderWithProviders(<StudiesPage />);

    expect(screen.getByRole('status').textContent).toContain('Loading studies');
    expect(await screen.findByRole('table', { name: 'Studies' })).toBeTruthy();

    const expected = firstPage();
    const rows = studyRows();
    expect(rows).toHaveLength(50);
    const [first] = expected;
    if (!first) throw new Error('the mock store has no studies');
    const firstRow = within(rows[0] ?? document.body);
    expect(firstRow.getByText(first.studyDescription)).toBeTruthy();
    expect(firstRow.getByText(first.studyInstanceUid)).toBeTruthy();
    expect(firstRow.getByText({ stat: 'STAT', high: 'High', normal: 'Normal' }[first.severity])).toBeTruthy();
    expect(screen.getByText('50 studies loaded, more available')).toBeTruthy();
  });

  it('shows severity as text and the exact creation time on hover', async () => {
    renderWithProviders(<StudiesPage />);
    await screen.findByRole('table', { name: 'Studies' });

    const severities = new Set(studyRows().map((row) => within(row).getAllByRole('cell')[0]?.textContent));
    expect([...severities].every((text) => text === 'STAT' || text === 'High' || text === 'Normal')).toBe(true);

    const created = within(studyRows()[0] ?? document.body).getAllByRole('cell')[4];
    const time = created?.querySelector('time');
    expect(time?.getAttribute('dateTime')).toBe(firstPage()[0]?.createdAt);
    expect(time?.getAttribute('title')).toMatch(/2026/);
  });

  it('appends the next page on Load more and hides the button once everything is loaded', async () => {
    const { user } = renderWithProviders(<StudiesPage />);
    await screen.findByRole('table', { name: 'Studies' });

    await user.click(screen.getByRole('button', { name: 'Load more' }));
    expect(await screen.findByText('100 studies loaded, more available')).toBeTruthy();
    expect(studyRows()).toHaveLength(100);
    // The first page is still there, in order.
    expect(within(studyRows()[0] ?? document.body).getByText(firstPage()[0]?.studyInstanceUid ?? '')).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'Load more' }));
    expect(await screen.findByText('120 studies loaded, all loaded')).toBeTruthy();
    expect(studyRows()).toHaveLength(120);
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();

    const uids = studyRows().map((row) => within(row).getAllByRole('cell')[5]?.textContent);
    expect(new Set(uids).size).toBe(120);
  });

  it("shows the problem's detail and recovers on Retry", async () => {
    server.use(serviceDownOnce());
    const { user } = renderWithProviders(<StudiesPage />);

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Studies could not be loaded');
    expect(alert.textContent).toContain('The Avara Viewer service did not answer. Try again in a moment.');

    await user.click(within(alert).getByRole('button', { name: 'Retry' }));

    expect(await screen.findByRole('table', { name: 'Studies' })).toBeTruthy();
    expect(studyRows()).toHaveLength(50);
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('keeps the loaded rows when Load more fails, and tries again on request', async () => {
    const { user } = renderWithProviders(<StudiesPage />);
    await screen.findByRole('table', { name: 'Studies' });

    server.use(serviceDownOnce());
    await user.click(screen.getByRole('button', { name: 'Load more' }));

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('More studies could not be loaded');
    expect(studyRows()).toHaveLength(50);

    await user.click(within(alert).getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(studyRows()).toHaveLength(100));
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('explains a network failure in plain words', async () => {
    server.use(http.get('*/api/studies', () => HttpResponse.error(), { once: true }));
    renderWithProviders(<StudiesPage />);

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Cannot reach the server. Check your connection and try again.');
  });

  it('says so when there are no studies', async () => {
    server.use(http.get('*/api/studies', () => HttpResponse.json({ studies: [], hasMore: false, cursor: null })));
    renderWithProviders(<StudiesPage />);

    expect(await screen.findByRole('heading', { name: 'No studies yet' })).toBeTruthy();
    expect(screen.queryByRole('table')).toBeNull();
  });

  it('sends the anti-forgery header and asks for 50 studies', async () => {
    const seen: Request[] = [];
    server.events.on('request:start', ({ request }) => {
      seen.push(request.clone());
    });
    renderWithProviders(<StudiesPage />);
    await screen.findByRole('table', { name: 'Studies' });
    server.events.removeAllListeners();

    const request = seen.find((candidate) => new URL(candidate.url).pathname === '/api/studies');
    expect(request?.headers.get('x-csrf')).toBe('1');
    expect(new URL(request?.url ?? 'http://x').searchParams.get('limit')).toBe('50');
  });
});
