import type { AnyHandler } from 'msw';
import { setupServer } from 'msw/node';
import type { SetupServer } from 'msw/node';
import { createApiHandlers } from './api-handlers.ts';

/**
 * An MSW server for component tests, by default over a fresh in-memory store with demo data.
 * Start it with `server.listen({ onUnhandledFrame: 'error' })`.
 */
export function createMockServer(handlers: AnyHandler[] = createApiHandlers()): SetupServer {
  return setupServer(...handlers);
}
