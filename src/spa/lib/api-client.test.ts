import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isStudyListPage } from '../../contract/answer-shapes.ts';
import {
  ApiError,
  NETWORK_ERROR_MESSAGE,
  UNEXPECTED_ANSWER_DETAIL,
  apiRequest,
  apiRequestChecked,
} from './api-client.ts';
import { connection } from './connection/connection-state.ts';

const server = setupServer();

beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected the request to fail');
}

describe('apiRequest', () => {
  it('sends the anti-forgery and Accept headers, the query and a JSON body', async () => {
    let seen: { headers: Headers; url: URL; body: unknown } | undefined;
    server.use(
      http.patch('/api/studies/:studyId', async ({ request }) => {
        seen = { headers: request.headers, url: new URL(request.url), body: await request.json() };
        return HttpResponse.json({ ok: true });
      }),
    );

    const result = await apiRequest<{ ok: boolean }>('/api/studies/std_1', {
      method: 'PATCH',
      query: { limit: 5, assignedTo: '', cursor: undefined },
      body: { severity: 'stat' },
    });

    expect(result).toEqual({ ok: true });
    expect(seen?.headers.get('x-csrf')).toBe('1');
    expect(seen?.headers.get('accept')).toBe('application/json');
    expect(seen?.headers.get('content-type')).toBe('application/json');
    expect(seen?.url.origin).toBe(window.location.origin);
    // An empty value means "explicitly none" to the API, so it is sent; undefined is left out.
    expect(seen?.url.search).toBe('?limit=5&assignedTo=');
    expect(seen?.body).toEqual({ severity: 'stat' });
  });

  it('turns a problem+json answer into an ApiError with its fields', async () => {
    server.use(
      http.get('/api/studies', () =>
        HttpResponse.json(
          {
            type: '/problems/invalid-request',
            title: 'The request is not valid',
            status: 400,
            detail: 'limit must be <= 100',
            issues: [{ in: 'query', name: 'limit', message: 'must be <= 100' }],
          },
          { status: 400, headers: { 'Content-Type': 'application/problem+json' } },
        ),
      ),
    );

    const error = await rejection(apiRequest('/api/studies', { query: { limit: 500 } }));

    expect(error.status).toBe(400);
    expect(error.title).toBe('The request is not valid');
    expect(error.detail).toBe('limit must be <= 100');
    expect(error.type).toBe('/problems/invalid-request');
    expect(error.issues).toEqual([{ in: 'query', name: 'limit', message: 'must be <= 100' }]);
    expect(error.retryable).toBe(false);
    expect(error.message).toBe('limit must be <= 100');
  });

  it('keeps the retryable flag the server sets', async () => {
    server.use(
      http.get('/api/studies', () =>
        HttpResponse.json(
          {
            type: '/problems/rate-limited',
            title: 'Too many requests',
            status: 429,
            detail: 'Slow down.',
            retryable: true,
          },
          { status: 429, headers: { 'Content-Type': 'application/problem+json' } },
        ),
      ),
    );

    const error = await rejection(apiRequest('/api/studies'));

    expect(error.status).toBe(429);
    expect(error.retryable).toBe(true);
  });

  it('gives a non-problem 5xx a readable, retryable error', async () => {
    server.use(
      http.get(
        '/api/health',
        () => new HttpResponse('<html>Bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }),
      ),
    );

    const error = await rejection(apiRequest('/api/health'));

    expect(error.status).toBe(502);
    expect(error.title).toBe('Bad Gateway');
    expect(error.detail).toMatch(/try again/i);
    expect(error.retryable).toBe(true);
  });

  it('turns a network failure into status 0 with a clear message', async () => {
    server.use(http.get('/api/studies', () => HttpResponse.error()));

    const error = await rejection(apiRequest('/api/studies'));

    expect(error.status).toBe(0);
    expect(error.isNetworkError).toBe(true);
    expect(error.detail).toBe(NETWORK_ERROR_MESSAGE);
    expect(error.message).toBe('Cannot reach the server. Check your connection and try again.');
    expect(error.retryable).toBe(true);
  });

  it('lets an abort through as an abort, not a network error', async () => {
    server.use(http.get('/api/studies', () => new Promise<Response>(() => {})));
    const controller = new AbortController();

    const pending = apiRequest('/api/studies', { signal: controller.signal });
    controller.abort();

    await expect(pending).rejects.toSatisfy((error: unknown) => !(error instanceof ApiError));
  });

  it('tells the connection state whether the server answered', async () => {
    connection.reset();
    server.use(http.get('/api/studies', () => HttpResponse.error()));
    await rejection(apiRequest('/api/studies'));
    await rejection(apiRequest('/api/studies'));
    expect(connection.getSnapshot()).toMatchObject({ status: 'offline', failures: 2 });

    // A refusal is still an answer: the server is there.
    server.use(
      http.get('/api/studies', () =>
        HttpResponse.json(
          { status: 401, title: 'Sign-in required', detail: '', type: 'about:blank' },
          { status: 401, headers: { 'content-type': 'application/problem+json' } },
        ),
      ),
    );
    await rejection(apiRequest('/api/studies'));
    expect(connection.getSnapshot()).toMatchObject({ status: 'live', failures: 0 });

    // A gateway's own 502 page says the server behind it is not.
    server.use(
      http.get(
        '/api/studies',
        () => new HttpResponse('<html>Bad gateway</html>', { status: 502, headers: { 'content-type': 'text/html' } }),
      ),
    );
    await rejection(apiRequest('/api/studies'));
    expect(connection.getSnapshot()).toMatchObject({ status: 'reconnecting', failures: 1 });

    // An abort says nothing either way.
    server.use(http.get('/api/studies', () => new Promise<Response>(() => {})));
    const controller = new AbortController();
    const pending = apiRequest('/api/studies', { signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toBeTruthy();
    expect(connection.getSnapshot().failures).toBe(1);
  });

  it('refuses a path on another origin', async () => {
    await expect(apiRequest('https://example.com/api/studies')).rejects.toThrow(/same-origin/);
  });
});

describe('apiRequestChecked', () => {
  it('resolves with a body of the expected shape', async () => {
    server.use(http.get('/api/studies', () => HttpResponse.json({ studies: [], hasMore: false, cursor: null })));
    await expect(apiRequestChecked('/api/studies', isStudyListPage)).resolves.toEqual({
      studies: [],
      hasMore: false,
      cursor: null,
    });
  });

  it.each([
    [
      'a 200 that is not JSON',
      () => new HttpResponse('{"hasMore": tru', { status: 200, headers: { 'Content-Type': 'application/json' } }),
    ],
    ['a page without its studies', () => HttpResponse.json({ hasMore: false })],
    ['a page with a broken study', () => HttpResponse.json({ studies: [{ studyId: 'stu_1' }], hasMore: false })],
  ])('rejects %s like a retryable 502', async (_case, answer) => {
    server.use(http.get('/api/studies', answer));

    const error = await rejection(apiRequestChecked('/api/studies', isStudyListPage));

    expect(error.status).toBe(502);
    expect(error.detail).toBe(UNEXPECTED_ANSWER_DETAIL);
    expect(error.retryable).toBe(true);
  });
});
