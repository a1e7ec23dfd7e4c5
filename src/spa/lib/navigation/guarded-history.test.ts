import { UNSAFE_createMemoryHistory } from 'react-router';
import { describe, expect, it } from 'vitest';
import { guardHistory } from './guarded-history.ts';
import type { Transition } from './guarded-history.ts';

/** A guarded memory history at /studies/a (after /), and what its listeners and blocker saw. */
function setUp(
  block: (transition: Transition) => boolean = ({ nextLocation }) => nextLocation.pathname !== '/studies/a',
) {
  const history = guardHistory(
    UNSAFE_createMemoryHistory({ initialEntries: ['/?q=ct', '/studies/a?q=ct'], initialIndex: 1, v5Compat: true }),
  );
  const seen: string[] = [];
  history.listen(({ action, location }) => seen.push(`${action} ${location.pathname}${location.search}`));
  const asked: Transition[] = [];
  let retry: (() => void) | null = null;
  const release = history.block({
    shouldBlock: (transition) => {
      asked.push(transition);
      return block(transition);
    },
    onBlocked: (next) => {
      retry = next;
    },
  });
  return { history, seen, asked, release, retry: () => retry };
}

describe('a guarded history', () => {
  it('holds a push the blocker refuses, and makes it on retry without asking again', () => {
    const { history, seen, asked, retry } = setUp();
    history.push('/?q=ct');
    expect(history.location.pathname).toBe('/studies/a');
    expect(seen).toEqual([]);
    expect(
      asked.map(({ currentLocation, nextLocation }) => [
        currentLocation.pathname,
        nextLocation.pathname,
        nextLocation.search,
      ]),
    ).toEqual([['/studies/a', '/', '?q=ct']]);

    retry()?.();
    expect(history.location.pathname).toBe('/');
    expect(seen).toEqual(['PUSH /?q=ct']);
    expect(asked).toHaveLength(1);
  });

  it('lets through what the blocker allows, and everything once released', () => {
    const { history, seen, release } = setUp();
    history.replace('/studies/a?q=mr');
    expect(seen).toEqual(['REPLACE /studies/a?q=mr']);
    release();
    history.push('/dashboard');
    expect(seen).toEqual(['REPLACE /studies/a?q=mr', 'PUSH /dashboard']);
  });

  it('undoes a held Back, unseen by the listeners, and goes back on retry', () => {
    const { history, seen, retry } = setUp();
    history.go(-1);
    expect(history.location.pathname).toBe('/studies/a');
    expect(seen).toEqual([]);

    retry()?.();
    expect(history.location.pathname).toBe('/');
    expect(seen).toEqual(['POP /?q=ct']);
    // After the retry, Forward is asked about as any other move.
    history.go(1);
    expect(seen).toEqual(['POP /?q=ct', 'POP /studies/a?q=ct']);
  });

  it('holds a replace too', () => {
    const { history, seen, retry } = setUp();
    history.replace('/');
    expect(seen).toEqual([]);
    retry()?.();
    expect(seen).toEqual(['REPLACE /']);
  });
});
