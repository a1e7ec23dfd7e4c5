import { afterAll, afterEach, beforeAll } from 'vitest';
import type { SetupServer } from 'msw/node';
import { createApiHandlers, createMockEventStream, type ApiHandlersOptions } from '../../mocks/api-handlers.ts';
import { createMockServer } from '../../mocks/node.ts';
import { liveEvents } from '../lib/live/live-events.ts';

/** A mock server for one test file: listening from its first test (unhandled requests fail it), reset after each. */
export function withMockServer(handlers: Parameters<typeof createMockServer>[0]): SetupServer {
  const server = createMockServer(handlers);
  beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
  return server;
}

/**
 * The mock API with a mock event stream for one test file: listening from its first test (unhandled
 * requests fail it), the live connection stopped and the handlers reset after each test.
 */
export function withLiveMockServer(options: Omit<ApiHandlersOptions, 'events'> = {}) {
  const events = createMockEventStream();
  const server = createMockServer(createApiHandlers({ ...options, events }));
  beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
  afterEach(() => {
    liveEvents.stop();
    server.resetHandlers();
  });
  afterAll(() => server.close());
  return { events, server };
}
