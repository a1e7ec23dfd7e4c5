import type { FastifyInstance } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { firstGroupFilters, shownGroupFilters } from '../../contract/worklist-filters.ts';
import { DEMO_COORDINATOR, DEMO_RADIOLOGIST, studyFixture } from '../../../test/support/study-fixture.ts';
import { json, type RecordingUpstream, type UpstreamResponder } from '../../../test/support/recording-upstream.ts';
import { spaRootWith, useBffOverUpstream } from '../../../test/support/test-bff.ts';
import {
  escapeScriptJson,
  firstPageQuery,
  firstPageScript,
  FIRST_PAGE_SCRIPT_ID,
  FIRST_PAGE_WAIT_MS,
  pageLookupUids,
} from './static-spa.ts';

const HOSTILE = '</script><script>alert(1)</script><!-- <SCRIPT> & \u2028\u2029 "quoted" \\ back';
const STUDY = studyFixture(`stu_${'0123456789abcdef'.repeat(2)}`, { studyDescription: HOSTILE });
const PAGE = { studies: [STUDY], hasMore: true, cursor: 'next-1' };

let upstream: RecordingUpstream;
let app: FastifyInstance;
let coordinator: Record<string, string>;
let radiologist: Record<string, string>;
const auditLines: string[] = [];

const rig = useBffOverUpstream(
  () => ({
    apiKey: 'test-key-0123456789',
    timeoutMs: 2_000,
    spaRoot: spaRootWith({
      'index.html':
        '<!doctype html><html><head><title>Radiology Worklist</title></head><body><div id="root"></div></body></html>',
    }),
    auditLines,
  }),
  () => json(200, PAGE),
);
beforeAll(() => ({ upstream, app, coordinator, radiologist } = rig));

/** The page's inline block, as the browser would read it (textContent, then JSON.parse), or undefined. */
function inlineBlock(
  html: string,
): { filters: unknown; page: unknown; more?: { filters: unknown; page: unknown }[]; pacs?: unknown } | undefined {
  const match = new RegExp(`<script type="application/json" id="${FIRST_PAGE_SCRIPT_ID}">([^<]*)</script>`).exec(html);
  return match?.[1] === undefined ? undefined : JSON.parse(match[1]);
}

function page(url: string, headers: Record<string, string> = {}) {
  return app.inject({ url, headers: { accept: 'text/html', ...headers } });
}

describe('escapeScriptJson', () => {
  it('leaves nothing that can end or change a script element, and means the same JSON', () => {
    const json = JSON.stringify({ text: HOSTILE });
    const escaped = escapeScriptJson(json);
    expect(escaped).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(escaped)).toEqual({ text: HOSTILE });
  });

  it('escapes even text that is not JSON', () => {
    expect(escapeScriptJson('}</script><img src=x>')).toBe('}\\u003c/script\\u003e\\u003cimg src=x\\u003e');
  });
});

describe('firstPageScript and pageLookupUids', () => {
  it('writes the later groups and the PACS part as JSON the SPA reads, escaped like the rest', () => {
    const uid = '1.2.840.10008.1';
    const pageJson = JSON.stringify({ studies: [{ ...STUDY, studyInstanceUid: uid }], hasMore: false });
    const context = JSON.stringify({ studies: { [uid]: { found: true, patientName: HOSTILE } } });
    const html = firstPageScript({
      pages: [
        { filters: { severity: 'stat' }, json: JSON.stringify({ studies: [], hasMore: false }) },
        { filters: { severity: 'high' }, json: pageJson },
      ],
      pacs: { contexts: [{ studyInstanceUids: [uid], json: context }] },
    });
    expect(html).not.toContain('<script>alert');
    expect(inlineBlock(html)).toEqual({
      filters: { severity: 'stat' },
      page: { studies: [], hasMore: false },
      more: [{ filters: { severity: 'high' }, page: JSON.parse(pageJson) }],
      pacs: { enabled: true, contexts: [{ studyInstanceUids: [uid], page: JSON.parse(context) }] },
    });
    // Without a PACS and with one group, the block is the first group's alone.
    expect(inlineBlock(firstPageScript({ pages: [{ filters: {}, json: '{"studies":[],"hasMore":false}' }] }))).toEqual({
      filters: {},
      page: { studies: [], hasMore: false },
    });
  });

  it('asks the PACS about a page’s valid UIDs, each once, in row order, as the rows provider does', () => {
    const studies = ['1.2.3', 'not-a-uid', '1.2.4', '1.2.3'].map((studyInstanceUid) => ({ studyInstanceUid }));
    expect(pageLookupUids(JSON.stringify({ studies }))).toEqual(['1.2.3', '1.2.4']);
    expect(pageLookupUids('{not json')).toEqual([]);
    expect(pageLookupUids('{"studies":"x"}')).toEqual([]);
  });
});

describe('firstPageQuery', () => {
  it('sends what the app sends for a first page: set filters, empty strings kept, the page size', () => {
    const query = firstPageQuery({
      severity: 'stat',
      assignedTo: '',
      isCancelled: false,
      studyViewerStatus: 'incomplete',
    });
    expect(Object.fromEntries(query)).toEqual({
      severity: 'stat',
      assignedTo: '',
      isCancelled: 'false',
      studyViewerStatus: 'incomplete',
      limit: '100',
    });
  });
});

describe('the worklist page with its first studies', () => {
  it('carries the first group of the person’s default view, asked through the list route, escaped', async () => {
    const response = await page('/', { cookie: radiologist.cookie ?? '' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['content-type']).toContain('text/html');
    // The study's hostile description is inside the block, and nothing of it escaped the element.
    expect(response.body).not.toContain('<script>alert');
    expect(response.body.match(/<script/g)).toHaveLength(1);
    const block = inlineBlock(response.body);
    const viewer = { role: 'radiologist', userId: DEMO_RADIOLOGIST.userId } as const;
    expect(block?.filters).toEqual(firstGroupFilters(viewer, ''));
    // The page as the list route answers it (here: its merge of the two walks), the text intact.
    const answer = await app.inject({
      url: `/api/studies?${firstPageQuery(firstGroupFilters(viewer, '') ?? { severity: 'stat' }).toString()}`,
      headers: radiologist,
    });
    expect(block?.page).toEqual(answer.json());
    expect(answer.json().studies[0].studyDescription).toBe(HOSTILE);
    auditLines.length = 0;
    await page('/', { cookie: radiologist.cookie ?? '' });
    expect(response.body.endsWith('</body></html>')).toBe(true);
    // A radiologist's default view (theirs and unassigned, which the list route merges), audited as
    // one list request per group: the later groups' first pages are in the block too (`more`).
    expect(block?.filters).toMatchObject({ severity: 'stat', assignedTo: 'mine-or-unassigned' });
    expect(block?.more?.map((group) => group.filters)).toEqual(shownGroupFilters(viewer, '').slice(1));
    expect(block?.more?.map((group) => group.filters)).toMatchObject([{ severity: 'high' }, { severity: 'normal' }]);
    // Without a PACS, the block says nothing about one.
    expect(block?.pacs).toBeUndefined();
    const lists = auditLines.map((line) => JSON.parse(line)).filter((line) => line.action === 'study.list');
    expect(lists).toHaveLength(3);
    for (const line of lists)
      expect(line).toMatchObject({ user: { email: DEMO_RADIOLOGIST.email, role: 'radiologist' }, outcome: 'ok' });
  });

  it('asks upstream with exactly the filters of the app’s own first request', async () => {
    const response = await page('/', { cookie: coordinator.cookie ?? '' });
    expect(inlineBlock(response.body)?.filters).toEqual(
      firstGroupFilters({ role: 'coordinator', userId: DEMO_COORDINATOR.userId }, ''),
    );
    // One request per group, each with exactly that group's filters.
    expect(upstream.requests).toHaveLength(3);
    const sent = upstream.requests.map((request) =>
      Object.fromEntries(new URL(request.url, upstream.url).searchParams),
    );
    expect(sent).toEqual(
      expect.arrayContaining(
        ['stat', 'high', 'normal'].map((severity) => ({
          severity,
          studyViewerStatus: 'incomplete',
          isCancelled: 'false',
          limit: '100',
        })),
      ),
    );
  });

  it('reads the filters from the address, as the app does, for the drawer addresses too', async () => {
    const response = await page('/studies/stu_x?groups=high,normal&assignee=unassigned&status=any', {
      cookie: coordinator.cookie ?? '',
    });
    const block = inlineBlock(response.body);
    expect(block?.filters).toEqual({ severity: 'high', assignedTo: '', isCancelled: false });
    expect(block?.filters).toEqual(
      firstGroupFilters(
        { role: 'coordinator', userId: DEMO_COORDINATOR.userId },
        '?groups=high,normal&assignee=unassigned&status=any',
      ),
    );
  });

  it('leaves the block out without a session, on the sign-in page, and for an unknown address', async () => {
    for (const response of [
      await page('/'),
      await page('/', { cookie: 'rw_session=forged' }),
      await page('/sign-in', { cookie: radiologist.cookie ?? '' }),
      await page('/nothing-here', { cookie: radiologist.cookie ?? '' }),
    ]) {
      expect(response.body).not.toContain(FIRST_PAGE_SCRIPT_ID);
    }
    expect(upstream.requests).toHaveLength(0);
    expect(auditLines.filter((line) => line.includes('study.list'))).toHaveLength(0);
  });

  it('leaves the block out when the list fails, and the page still ends', async () => {
    upstream.respond(json(503, { type: 'about:blank', title: 'Unavailable', status: 503, detail: 'down' }));
    const response = await page('/', { cookie: radiologist.cookie ?? '' });
    expect(response.statusCode).toBe(200);
    expect(response.body).not.toContain(FIRST_PAGE_SCRIPT_ID);
    expect(response.body.endsWith('</body></html>')).toBe(true);
  });

  it('does not wait for a slow list longer than its bound', async () => {
    const slow: UpstreamResponder = (_request, reply) => {
      setTimeout(() => json(200, PAGE)(_request, reply), FIRST_PAGE_WAIT_MS + 600);
    };
    upstream.respond(slow);
    const started = performance.now();
    const response = await page('/', { cookie: radiologist.cookie ?? '' });
    expect(performance.now() - started).toBeLessThan(FIRST_PAGE_WAIT_MS + 500);
    expect(response.body).not.toContain(FIRST_PAGE_SCRIPT_ID);
    expect(response.body.endsWith('</body></html>')).toBe(true);
  });
});
