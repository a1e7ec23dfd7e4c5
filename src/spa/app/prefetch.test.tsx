import { InfiniteQueryObserver } from '@tanstack/react-query';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { http, HttpResponse } from 'msw';
import { createApiHandlers } from '../../mocks/api-handlers.ts';
import { createMockServer } from '../../mocks/node.ts';
import { SEVERITIES, type Severity, type Study, type StudyListPage } from '../../contract/avara-types.ts';
import { makeStudy } from '../testing/study-factory.ts';
import type { InlineFirstPage } from '../features/worklist/api/prefetch-worklist.ts';
import { studyKeys } from '../features/worklist/api/study-keys.ts';
import { studyGroupQueryOptions } from '../features/worklist/api/get-studies.ts';
import { firstGroupFilters, shownGroupFilters } from '../../contract/worklist-filters.ts';
import { pacsKeys } from '../features/pacs/api/pacs-keys.ts';
import { seedPagePacsContexts } from '../features/pacs/api/seed-pacs-contexts.ts';
import { authKeys } from '../lib/auth/auth-keys.ts';
import { atMost, FIRST_PAGE_SCRIPT_ID, prefetchFirstScreen, readPageFirstPage, readPageMe } from './prefetch.ts';
import { createQueryClient } from './provider.tsx';

const requested: string[] = [];
const server = createMockServer([
  ...createApiHandlers({ demoStudies: 30 }),
  http.get('*/api/pacs/status', () => HttpResponse.json({ enabled: false })),
]);
server.events.on('request:start', ({ request }) => {
  const url = new URL(request.url);
  requested.push(`${url.pathname}${url.search}`);
});

beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => {
  server.resetHandlers();
  requested.length = 0;
});
afterAll(() => server.close());

function pageWith(content: string | undefined): Pick<Document, 'querySelector'> {
  const page = document.implementation.createHTMLDocument('page');
  if (content !== undefined) {
    const meta = page.createElement('meta');
    meta.name = 'rw-me';
    meta.content = content;
    page.head.append(meta);
  }
  return page;
}

const RADIOLOGIST = {
  subject: 's1',
  email: 'ana@example.org',
  name: 'Ana Lee',
  role: 'radiologist',
  userId: 'usr_1',
  authMode: 'dev',
} as const;

describe('readPageMe', () => {
  it('reads the person the server put in the page', () => {
    expect(readPageMe(pageWith(JSON.stringify(RADIOLOGIST)))).toEqual(RADIOLOGIST);
    expect(readPageMe(pageWith(JSON.stringify({ ...RADIOLOGIST, userId: null })))?.userId).toBeNull();
  });

  it('ignores a missing, malformed or unexpected value (the app then asks /api/me)', () => {
    expect(readPageMe(pageWith(undefined))).toBeUndefined();
    expect(readPageMe(pageWith('{not json'))).toBeUndefined();
    expect(readPageMe(pageWith(JSON.stringify({ ...RADIOLOGIST, role: 'admin' })))).toBeUndefined();
    expect(readPageMe(pageWith(JSON.stringify({ ...RADIOLOGIST, userId: 7 })))).toBeUndefined();
    expect(readPageMe(pageWith('null'))).toBeUndefined();
  });
});

const STUDY: Study = makeStudy({
  studyId: `stu_${'0'.repeat(32)}`,
  studyDescription: '</script><script>alert(1)</script>',
  severity: 'stat',
  createdAt: '2026-12-01T08:00:00.000Z',
  updatedAt: '2026-12-01T08:00:00.000Z',
});

function pageWithFirstPage(text: string): Document {
  const page = document.implementation.createHTMLDocument('page');
  const script = page.createElement('script');
  script.type = 'application/json';
  script.id = FIRST_PAGE_SCRIPT_ID;
  script.textContent = text;
  page.body.append(script);
  return page;
}

const RADIOLOGIST_FIRST = firstGroupFilters({ role: 'radiologist', userId: 'usr_1' }, '');

describe('readPageFirstPage', () => {
  it('reads the first page the server put in the page, once', () => {
    const page = pageWithFirstPage(
      JSON.stringify({ filters: RADIOLOGIST_FIRST, page: { studies: [STUDY], hasMore: false } }),
    );
    expect(readPageFirstPage(page)).toEqual({ filters: RADIOLOGIST_FIRST, page: { studies: [STUDY], hasMore: false } });
    expect(page.getElementById(FIRST_PAGE_SCRIPT_ID)).toBeNull();
    expect(readPageFirstPage(page)).toBeUndefined();
  });

  it('ignores a missing, malformed or unexpected block (the app then asks)', () => {
    expect(readPageFirstPage(document.implementation.createHTMLDocument('none'))).toBeUndefined();
    expect(readPageFirstPage(pageWithFirstPage('{not json'))).toBeUndefined();
    expect(
      readPageFirstPage(pageWithFirstPage(JSON.stringify({ filters: RADIOLOGIST_FIRST, page: { studies: 'x' } }))),
    ).toBeUndefined();
    expect(
      readPageFirstPage(
        pageWithFirstPage(
          JSON.stringify({ filters: { severity: { nested: 1 } }, page: { studies: [], hasMore: false } }),
        ),
      ),
    ).toBeUndefined();
    expect(
      readPageFirstPage(pageWithFirstPage(JSON.stringify({ page: { studies: [], hasMore: false } }))),
    ).toBeUndefined();
  });
});

describe('prefetchFirstScreen', () => {
  it('takes the first group from the page when it was asked with the same filters, without asking again', async () => {
    const queryClient = createQueryClient();
    const firstPage: InlineFirstPage = {
      filters: RADIOLOGIST_FIRST ?? { severity: 'stat' },
      page: { studies: [STUDY], hasMore: true, cursor: 'c1' },
    };
    await prefetchFirstScreen(queryClient, { location: { pathname: '/', search: '' }, me: RADIOLOGIST, firstPage });
    expect(requested.filter((path) => path.startsWith('/api/studies'))).toEqual([]);
    expect(queryClient.getQueryData(studyKeys.list(firstPage.filters))).toEqual({
      pages: [firstPage.page],
      pageParams: [undefined],
    });
  });

  it('ignores a page asked with other filters (another person, another address) and asks itself', async () => {
    const coordinators = firstGroupFilters({ role: 'coordinator', userId: 'usr_1' }, '');
    expect(coordinators).not.toEqual(RADIOLOGIST_FIRST);
    for (const [filters, search] of [
      [coordinators, ''],
      [RADIOLOGIST_FIRST, '?groups=high'],
    ] as const) {
      requested.length = 0;
      const queryClient = createQueryClient();
      const firstPage = {
        filters: filters ?? { severity: 'stat' as const },
        page: { studies: [STUDY], hasMore: false },
      };
      await prefetchFirstScreen(queryClient, { location: { pathname: '/', search }, me: RADIOLOGIST, firstPage });
      expect(requested.filter((path) => path.startsWith('/api/studies'))).toHaveLength(1);
      expect(queryClient.getQueryData(studyKeys.list(firstPage.filters))).toBeUndefined();
    }
  });

  it('takes the later groups and the PACS part from the page too: no list or status is asked', async () => {
    const queryClient = createQueryClient();
    const search = '?q=kenji';
    const [stat, high, normal] = shownGroupFilters(RADIOLOGIST, search);
    const uid = '1.2.826.0.1.3680043.8.498.1';
    const highPage = { studies: [{ ...STUDY, severity: 'high' as const, studyInstanceUid: uid }], hasMore: false };
    const context = { studies: { [uid]: { found: false } } };
    const page = pageWithFirstPage(
      JSON.stringify({
        filters: stat,
        page: { studies: [], hasMore: false },
        more: [
          { filters: high, page: highPage },
          { filters: { ...normal, severity: 'stat' }, page: { studies: 'x' } },
        ],
        pacs: { enabled: true, contexts: [{ studyInstanceUids: [uid], page: context }, { page: 'x' }] },
      }),
    );
    const firstPage = readPageFirstPage(page);
    expect(firstPage?.more).toEqual([{ filters: high, page: highPage }]);
    await prefetchFirstScreen(queryClient, { location: { pathname: '/', search }, me: RADIOLOGIST, firstPage });
    expect(requested.filter((path) => path.startsWith('/api/'))).toEqual([]);
    expect(queryClient.getQueryData(studyKeys.list(high ?? {}))).toEqual({
      pages: [highPage],
      pageParams: [undefined],
    });
    expect(queryClient.getQueryData(pacsKeys.status())).toEqual({ enabled: true });
    // The rows' context goes in with the PACS columns' code (src/spa/boot.tsx), the malformed entry left out.
    expect(queryClient.getQueryData(pacsKeys.context([uid]))).toBeUndefined();
    seedPagePacsContexts(queryClient, firstPage?.pacs);
    expect(queryClient.getQueryData(pacsKeys.context([uid]))).toEqual(context);
    expect(queryClient.getQueriesData({ queryKey: pacsKeys.contexts() })).toHaveLength(1);
  });

  it('seeds every group from the page as its own fetch would: each keeps its page’s cursor and pages on with it', async () => {
    const groups = shownGroupFilters(RADIOLOGIST, '');
    expect(groups.map((filters) => filters.severity)).toEqual(['stat', 'high', 'normal']);
    const firstPageOf = (severity: Severity): StudyListPage => ({
      studies: [{ ...STUDY, studyId: `stu_${String(SEVERITIES.indexOf(severity)).repeat(32)}`, severity }],
      hasMore: true,
      cursor: `cursor-${severity}`,
    });
    const asked: URLSearchParams[] = [];
    server.use(
      http.get('*/api/studies', ({ request }) => {
        const query = new URL(request.url).searchParams;
        asked.push(query);
        const severity = (query.get('severity') ?? 'stat') as Severity;
        return HttpResponse.json(query.get('cursor') ? { studies: [], hasMore: false } : firstPageOf(severity));
      }),
    );
    const [first, ...later] = groups.map((filters) => ({ filters, page: firstPageOf(filters.severity ?? 'stat') }));
    const seeded = createQueryClient();
    await prefetchFirstScreen(seeded, {
      location: { pathname: '/', search: '' },
      me: RADIOLOGIST,
      firstPage: first && { filters: first.filters, page: first.page, more: later },
    });
    expect(asked).toEqual([]);

    // The same groups fetched by the browser: the cache holds the very same thing for each.
    const fetched = createQueryClient();
    for (const filters of groups) await fetched.fetchInfiniteQuery(studyGroupQueryOptions(filters));
    expect(asked).toHaveLength(groups.length);
    asked.length = 0;
    for (const filters of groups) {
      const key = studyKeys.list(filters);
      expect(seeded.getQueryData(key)).toEqual(fetched.getQueryData(key));
      const observer = new InfiniteQueryObserver(seeded, studyGroupQueryOptions(filters));
      expect(observer.getCurrentResult().hasNextPage).toBe(true);
      // Scrolling on asks for the next page with the cursor the page brought, and that page is added.
      const next = await observer.fetchNextPage();
      expect(asked.at(-1)?.get('cursor')).toBe(`cursor-${filters.severity}`);
      expect(asked.at(-1)?.get('severity')).toBe(filters.severity);
      expect(next.data?.pages).toHaveLength(2);
      expect(next.data?.pageParams).toEqual([undefined, `cursor-${filters.severity}`]);
      expect(next.hasNextPage).toBe(false);
    }
    expect(asked).toHaveLength(groups.length);
  });

  it('with the person in the page, asks for the first group at once, without /api/me', async () => {
    const queryClient = createQueryClient();
    await prefetchFirstScreen(queryClient, { location: { pathname: '/', search: '' }, me: RADIOLOGIST });
    expect(queryClient.getQueryData(authKeys.me())).toEqual(RADIOLOGIST);
    expect(requested.some((path) => path.startsWith('/api/me'))).toBe(false);
    const lists = requested.filter((path) => path.startsWith('/api/studies'));
    // A radiologist's default list: STAT, unread, theirs and unassigned.
    expect(lists).toHaveLength(1);
    expect(lists[0]).toContain('severity=stat');
    expect(lists[0]).toContain('assignedTo=mine-or-unassigned');
  });

  it('without it, asks /api/me first; on other pages, asks for no studies', async () => {
    const queryClient = createQueryClient();
    await prefetchFirstScreen(queryClient, { location: { pathname: '/', search: '?groups=high' }, me: undefined });
    expect(requested.filter((path) => path.startsWith('/api/me'))).toHaveLength(1);
    expect(
      requested
        .filter((path) => path.startsWith('/api/studies'))
        .map((path) => new URLSearchParams(path.split('?')[1]).get('severity')),
    ).toEqual(['high']);

    requested.length = 0;
    await prefetchFirstScreen(createQueryClient(), { location: { pathname: '/sign-in', search: '' }, me: undefined });
    expect(requested.filter((path) => path.startsWith('/api/'))).toEqual([]);
  });

  it('settles when the server fails, leaving the error to the page', async () => {
    server.use(http.get('*/api/studies', () => new Response(null, { status: 500 })));
    const queryClient = createQueryClient();
    await expect(
      prefetchFirstScreen(queryClient, { location: { pathname: '/', search: '' }, me: RADIOLOGIST }),
    ).resolves.toBeUndefined();
  });
});

describe('atMost', () => {
  it('resolves with the work, or after the time limit, whichever comes first, and never rejects', async () => {
    let finish: () => void = () => undefined;
    const slow = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const started = Date.now();
    await atMost(slow, 30);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    finish();
    await expect(atMost(Promise.reject(new Error('down')), 1_000)).resolves.toBeUndefined();
  });
});
