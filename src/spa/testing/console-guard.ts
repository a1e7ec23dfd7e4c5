import { vi } from 'vitest';

/**
 * `console.error` during a component test is almost always a real problem (an act() warning, a
 * failed prop type, an uncaught render error), so the setup file fails any test that logs one.
 * A test that provokes an error on purpose declares it with {@link allowConsoleError}.
 */
interface ConsoleGuardState {
  calls: unknown[][];
  allowed: RegExp[];
}

const state: ConsoleGuardState = { calls: [], allowed: [] };

export function startConsoleGuard(): void {
  state.calls = [];
  state.allowed = [];
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    state.calls.push(args);
  });
}

/** Lets `console.error` calls whose text matches `pattern` pass, for the current test only. */
export function allowConsoleError(pattern: RegExp): void {
  state.allowed.push(pattern);
}

function render(args: unknown[]): string {
  return args.map((arg) => (arg instanceof Error ? (arg.stack ?? arg.message) : String(arg))).join(' ');
}

/** Restores `console.error` and returns what was logged that the test did not allow. */
export function stopConsoleGuard(): string[] {
  vi.mocked(console.error).mockRestore();
  const unexpected = state.calls.map(render).filter((text) => !state.allowed.some((pattern) => pattern.test(text)));
  state.calls = [];
  state.allowed = [];
  return unexpected;
}
