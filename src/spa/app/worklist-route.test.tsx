import { screen, waitFor, within } from '@testing-library/react';
import { HttpResponse, http } from 'msw';
import type { RouteObject } from 'react-router';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApiHandlers, createMockStudyService } from '../../mocks/api-handlers.ts';
import { createMockServer } from '../../mocks/node.ts';
import { renderRoutes } from '../testing/render.tsx';
import { StudyRoute } from './study-route.tsx';
import { WorklistRoute } from './worklist-route.tsx';

/*
 * The worklist and the drawer as the app composes them with the PACS feature. The /api/pacs handlers
 * live here, not in src/mocks: only these tests need a PACS.
 */

const service = createMockStudyService({ demoStudies: 400, now: new Date('2026-03-10T12:00:00Z') });
const server = createMockServer(createApiHandlers({ service }));

// jsdom lays nothing out: give every element a size, so the virtualized grid renders its first rows.
beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 900 });
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 1400 });
  // jsdom has no object URLs: the preview is shown from one.
  Object.defineProperty(URL, 'createObjectURL', { configurable: true, value: () => 'blob:preview' });
  Object.defineProperty(URL, 'revokeObjectURL', { configurable: true, value: () => undefined });
  server.listen({ onUnhandledFrame: 'error' });
});
afterEach(() => {
  server.resetHandlers();
  server.events.removeAllListeners();
});
afterAll(() => {
  server.close();
  Reflect.deleteProperty(HTMLElement.prototype, 'clientHeight');
  Reflect.deleteProperty(URL, 'createObjectURL');
  Reflect.deleteProperty(URL, 'revokeObjectURL');
  // jsdom defines them on Element.prototype: removing the overrides restores its zeros.
  Reflect.deleteProperty(HTMLElement.prototype, 'clientWidth');
});

const routes: RouteObject[] = [
  {
    path: '/',
    element: <WorklistRoute />,
    children: [
      { index: true, element: null },
      { path: 'studies/:studyId', element: <StudyRoute /> },
    ],
  },
];

/** A PACS that has every study except `missing`; answers what it was asked, and records each ask. */
function pacs({
  enabled = true,
  missing = new Set<string>(),
  previews = true,
  accessions = true,
}: { enabled?: boolean; missing?: Set<string>; previews?: boolean; accessions?: boolean } = {}) {
  const contextCalls: string[][] = [];
  const previewCalls: string[] = [];
  server.use(
    http.get('*/api/pacs/status', () => HttpResponse.json({ enabled })),
    http.post('*/api/pacs/context', async ({ request }) => {
      const body: unknown = await request.json();
      const uids =
        typeof body === 'object' &&
        body !== null &&
        'studyInstanceUids' in body &&
        Array.isArray(body.studyInstanceUids)
          ? body.studyInstanceUids.map(String)
          : [];
      contextCalls.push(uids);
      const studies = Object.fromEntries(
        uids.map((uid, index) => [
          uid,
          missing.has(uid)
            ? { found: false }
            : {
                found: true,
                patientName: `Doe, Jane ${index}`,
                patientId: `MRN${1000 + index}`,
                modalities: ['CT'],
                studyDate: '2026-03-09',
                accessionNumber: accessions ? `ACC${index}` : '',
                seriesCount: 2,
                instanceCount: 14,
              },
        ]),
      );
      return HttpResponse.json({ studies });
    }),
    http.get('*/api/pacs/studies/by-uid/:uid/preview', ({ params }) => {
      previewCalls.push(String(params.uid));
      if (!previews) {
        return HttpResponse.json(
          {
            type: '/problems/not-found',
            title: 'Study not in the PACS',
            status: 404,
            detail: 'The PACS has no images for this study.',
          },
          { status: 404, headers: { 'Content-Type': 'application/problem+json' } },
        );
      }
      return new HttpResponse(new Uint8Array([0x89, 0x50, 0x4e, 0x47]), { headers: { 'content-type': 'image/png' } });
    }),
  );
  return { contextCalls, previewCalls };
}

function firstPage(severity: 'stat' | 'high' | 'normal') {
  return service.listStudies({ severity, isCancelled: false, studyViewerStatus: 'incomplete', limit: 100 }).studies;
}

/** The column headers' own text (their accessible names also carry the resize handles'). */
function columnHeaders(): string[] {
  return screen.queryAllByRole('columnheader').map((header) => header.textContent ?? '');
}

function queueCount(name: RegExp): HTMLElement {
  return within(screen.getByRole('navigation', { name: 'Queues' })).getByRole('button', { name });
}

describe('the worklist with a PACS', () => {
  it('asks the PACS once per page of rows, and shows patient and modality in the rows', async () => {
    const { contextCalls } = pacs();
    renderRoutes(routes, { route: '/?assignee=anyone' });

    await waitFor(() =>
      expect(columnHeaders()).toEqual(
        expect.arrayContaining(['Patient', 'Patient ID', 'Modality', 'Accession', 'Study date', 'Series / images']),
      ),
    );
    await waitFor(() => expect(queueCount(/^Normal/).textContent).toMatch(/\d\+?$/), { timeout: 5_000 });
    const firstStat = firstPage('stat')[0];
    if (!firstStat) throw new Error('the mock data has no STAT study');
    const row = (await screen.findByText(firstStat.studyDescription, { selector: 'a' })).closest<HTMLElement>(
      '[role="row"]',
    );
    if (!row) throw new Error('no row for the first STAT study');
    await waitFor(() => expect(within(row).getByText('Doe, Jane 0')).toBeTruthy());
    expect(within(row).getByText('CT')).toBeTruthy();
    expect(within(row).getByText('2 series · 14 images')).toBeTruthy();

    // One request per loaded page: each group's first page, each with exactly that page's studies.
    const pages = (['stat', 'high', 'normal'] as const)
      .map((severity) => firstPage(severity).map((study) => study.studyInstanceUid))
      .filter((uids) => uids.length > 0);
    await waitFor(() => expect(contextCalls).toHaveLength(pages.length));
    expect(contextCalls).toEqual(pages);
    for (const uids of contextCalls) expect(uids.length).toBeLessThanOrEqual(100);
  });

  it('says "Not in PACS" for a study the PACS does not have', async () => {
    const absent = firstPage('stat')[0];
    if (!absent) throw new Error('the mock data has no STAT study');
    pacs({ missing: new Set([absent.studyInstanceUid]) });
    renderRoutes(routes, { route: '/?assignee=anyone' });

    const row = (await screen.findByText(absent.studyDescription, { selector: 'a' })).closest<HTMLElement>(
      '[role="row"]',
    );
    if (!row) throw new Error('no row for the study');
    expect(await within(row).findByText('Not in PACS')).toBeTruthy();
    expect(within(row).queryByText('CT')).toBeNull();
    // One quiet marker, not one per PACS column; the accession the worklist's metadata holds still shows.
    expect(within(row).getAllByText('Not in PACS')).toHaveLength(1);
    const headers = columnHeaders();
    const cells = within(row).getAllByRole('gridcell');
    // A coordinator's rows start with a selection checkbox, a cell without a column header.
    const offset = cells.length - headers.length;
    expect(offset === 0 || offset === 1).toBe(true);
    for (const header of ['Patient ID', 'Modality', 'Study date', 'Series / images'])
      expect(cells[headers.indexOf(header) + offset]?.textContent).toBe('');
    const accession = absent.metadata?.accessionNumber;
    expect(accession).toBeTruthy();
    expect(within(row).getByText(accession ?? '')).toBeTruthy();
  });

  it('takes the accession number from the study’s metadata when the PACS has none', async () => {
    pacs({ accessions: false });
    renderRoutes(routes, { route: '/?assignee=anyone' });
    const study = firstPage('stat')[0];
    const accession = study?.metadata?.accessionNumber;
    if (!study || !accession) throw new Error('the mock data has no STAT study with an accession number');
    const row = (await screen.findByText(study.studyDescription, { selector: 'a' })).closest<HTMLElement>(
      '[role="row"]',
    );
    if (!row) throw new Error('no row for the study');
    await waitFor(() => expect(within(row).getByText('Doe, Jane 0')).toBeTruthy());
    expect(within(row).getByText(accession)).toBeTruthy();
  });

  it('shows the context and a preview of the first image in the drawer, from the page already fetched', async () => {
    const { contextCalls, previewCalls } = pacs();
    const study = firstPage('stat')[0];
    if (!study) throw new Error('the mock data has no STAT study');
    const { router } = renderRoutes(routes, { route: '/?assignee=anyone' });
    const row = (await screen.findByText(study.studyDescription, { selector: 'a' })).closest<HTMLElement>(
      '[role="row"]',
    );
    if (!row) throw new Error('no row for the study');
    await waitFor(() => expect(within(row).getByText('Doe, Jane 0')).toBeTruthy());
    await waitFor(() => expect(queueCount(/^Normal/).textContent).toMatch(/\d\+?$/), { timeout: 5_000 });
    await waitFor(() => expect(contextCalls).toHaveLength(3));

    await router.navigate(`/studies/${study.studyId}?assignee=anyone`);
    const panel = await screen.findByRole('region', { name: 'From the PACS' });
    expect(within(panel).getByText('Doe, Jane 0')).toBeTruthy();
    expect(within(panel).getByText('ACC0')).toBeTruthy();
    const preview = await within(panel).findByRole('img', {
      name: `Preview of ${study.studyDescription}, its first frame`,
    });
    expect(preview.getAttribute('src')).toBe('blob:preview');
    // Shown once decoded; until then the frame says it is loading.
    expect(within(panel).getByText('Loading preview…')).toBeTruthy();
    preview.dispatchEvent(new Event('load'));
    await waitFor(() => expect(within(panel).queryByText('Loading preview…')).toBeNull());
    // The drawer reused the worklist's page: no request of its own for the context.
    expect(contextCalls).toHaveLength(3);
    expect(previewCalls).toEqual([study.studyInstanceUid]);
  });

  it('says "No preview" when the PACS has no image to show', async () => {
    pacs({ previews: false });
    const study = firstPage('stat')[0];
    if (!study) throw new Error('the mock data has no STAT study');
    renderRoutes(routes, { route: `/studies/${study.studyId}?assignee=anyone` });
    const panel = await screen.findByRole('region', { name: 'From the PACS' });
    expect(await within(panel).findByText('No preview')).toBeTruthy();
    expect(within(panel).queryByRole('img')).toBeNull();
  });
});

describe('the worklist without a PACS', () => {
  it('shows no PACS columns, no drawer panel, and asks the PACS nothing', async () => {
    const { contextCalls, previewCalls } = pacs({ enabled: false });
    const study = firstPage('stat')[0];
    if (!study) throw new Error('the mock data has no STAT study');
    const { router, user } = renderRoutes(routes, { route: '/?assignee=anyone' });

    await waitFor(() => expect(queueCount(/^Normal/).textContent).toMatch(/\d\+?$/), { timeout: 5_000 });
    expect(columnHeaders()).toContain('Description');
    expect(columnHeaders()).not.toContain('Patient');
    expect(columnHeaders()).not.toContain('Modality');
    await user.click(screen.getByRole('button', { name: 'Columns' }));
    expect(within(await screen.findByRole('group', { name: 'Columns' })).queryByLabelText('Patient')).toBeNull();

    await user.keyboard('{Escape}');
    await router.navigate(`/studies/${study.studyId}?assignee=anyone`);
    expect(await screen.findByRole('heading', { level: 2, name: study.studyDescription })).toBeTruthy();
    expect(screen.queryByRole('region', { name: 'From the PACS' })).toBeNull();
    expect(screen.queryByText('Not in PACS')).toBeNull();
    expect(contextCalls).toEqual([]);
    expect(previewCalls).toEqual([]);
  });
});
