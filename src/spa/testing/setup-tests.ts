import { cleanup } from '@testing-library/react';
import { afterEach, beforeEach } from 'vitest';
import { startConsoleGuard, stopConsoleGuard } from './console-guard.ts';

beforeEach(() => {
  startConsoleGuard();
});

afterEach(() => {
  // Unmount first: errors logged while tearing down belong to this test too.
  cleanup();
  const unexpected = stopConsoleGuard();
  if (unexpected.length > 0) {
    throw new Error(`console.error was called during the test:\n\n${unexpected.join('\n\n')}`);
  }
});
