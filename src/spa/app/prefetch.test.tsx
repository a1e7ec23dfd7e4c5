import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { http, HttpResponse } from 'msw';
import { createApiHandlers } from '../../mocks/api-handlers.ts';
import { createMockServer } from '../../mocks/node.ts';
import { authKeys } from '../lib/auth/auth-keys.ts';
import { atMost, prefetchFirstScreen, readPageMe } from './prefetch.ts';
import { createQueryClient } from './provider.tsx';

const requested: string[] = [];
const server = createMockServer([...createApiHandlers({ demoStudies: 30 }), http.get('*/api/pacs/status', () => HttpResponse.json({ enabled: false }))]);
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

const RADIOLOGIST = { subject: 's1', email: 'ana@example.org', name: 'Ana Lee', role: 'radiologist', userId: 'usr_1', authMode: 'dev' } as const;

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

describe('prefetchFirstScreen', () => {
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
    expect(requested.filter((path) => path.startsWith('/api/studies')).map((path) => new URLSearchParams(path.split('?')[1]).get('severity'))).toEqual(['high']);

    requested.length = 0;
    await prefetchFirstScreen(createQueryClient(), { location: { pathname: '/sign-in', search: '' }, me: undefined });
    expect(requested.filter((path) => path.startsWith('/api/'))).toEqual([]);
  });

  it('settles when the server fails, leaving the error to the page', async () => {
    server.use(http.get('*/api/studies', () => new Response(null, { status: 500 })));
    const queryClient = createQueryClient();
    await expect(prefetchFirstScreen(queryClient, { location: { pathname: '/', search: '' }, me: RADIOLOGIST })).resolves.toBeUndefined();
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
