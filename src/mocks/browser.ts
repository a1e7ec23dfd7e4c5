import { setupWorker } from 'msw/browser';
import type { SetupWorker } from 'msw/browser';
import { createApiHandlers } from './api-handlers.ts';
import type { ApiHandlersOptions } from './api-handlers.ts';

/**
 * Serves `/api` from the mock handlers in the dev browser, when asked for (not by default). Needs
 * the worker script in public/ (`npx msw init public`). Requests the mocks do not know go through.
 */
export async function startMockWorker(options?: ApiHandlersOptions): Promise<SetupWorker> {
  const worker = setupWorker(...createApiHandlers(options));
  await worker.start({ onUnhandledFrame: 'bypass', quiet: true });
  return worker;
}
