import { cleanup, configure } from '@testing-library/react';
import { afterEach, beforeEach } from 'vitest';
import { connection } from '../lib/connection/connection-state.ts';
import { startConsoleGuard, stopConsoleGuard } from './console-guard.ts';

// findBy/waitFor give up after 1 s by default; on a busy 2-core CI machine a page of rows can take
// longer to render in jsdom. A longer limit costs nothing when the answer comes early.
configure({ asyncUtilTimeout: 5_000 });

beforeEach(() => {
  startConsoleGuard();
});

afterEach(() => {
  // Unmount first: errors logged while tearing down belong to this test too.
  cleanup();
  // What one test left in the page's shared state must not reach the next.
  connection.reset();
  window.sessionStorage.clear();
  const unexpected = stopConsoleGuard();
  if (unexpected.length > 0) {
    throw new Error(`console.error was called during the test:\n\n${unexpected.join('\n\n')}`);
  }
});
