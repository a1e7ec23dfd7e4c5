import {
  createContext,
  startTransition,
  useCallback,
  useContext,
  useEffect,
  useLayoutEffect,
  useRef,
  useState,
} from 'react';
import type { ReactNode } from 'react';
import { Router, useLocation } from 'react-router';
import type { Location } from 'react-router';
import type { GuardedHistory, ShouldBlock } from './guarded-history.ts';

const GuardContext = createContext<GuardedHistory | null>(null);
const LatestLocationContext = createContext<Location | null>(null);

/**
 * React Router's declarative `<Router>` over a history whose moves can be held (`useBlocker`). Like
 * its own `BrowserRouter` and `MemoryRouter`, it follows the history in a transition, so a page that
 * is still loading its code keeps the current one on screen meanwhile.
 */
export function AppRouter({ history, children }: { history: GuardedHistory; children: ReactNode }) {
  const [state, setState] = useState({ action: history.action, location: history.location });
  const [latest, setLatest] = useState(history.location);
  useLayoutEffect(
    () =>
      history.listen((update) => {
        setLatest(update.location);
        startTransition(() => setState({ action: update.action, location: update.location }));
      }),
    [history],
  );
  return (
    <GuardContext value={history}>
      <LatestLocationContext value={latest}>
        <Router location={state.location} navigationType={state.action} navigator={history}>
          {children}
        </Router>
      </LatestLocationContext>
    </GuardContext>
  );
}

/**
 * The query string of the address last moved to, at once: the page on screen follows it in a
 * transition (`useLocation`), which may take a moment while the new page renders or loads. Controls
 * that set the address (filters) show what was asked from it, and build the next change on it, so a
 * click shows at once and a second change right after the first keeps the first. Only while the
 * move stays on the same path; otherwise the page's own.
 */
export function useRequestedSearch(): string {
  const latest = useContext(LatestLocationContext);
  const location = useLocation();
  return latest && latest.pathname === location.pathname ? latest.search : location.search;
}

export interface Blocker {
  /** `blocked`: a move waits for `proceed` (make it) or `reset` (stay). */
  state: 'unblocked' | 'blocked';
  proceed: () => void;
  reset: () => void;
}

/**
 * Holds moves to another address while `shouldBlock` says so (links, `navigate()`, Back and
 * Forward), as React Router's data-router `useBlocker` does; a reload or a closed tab is the
 * browser's to ask (`beforeunload`).
 */
export function useBlocker(shouldBlock: ShouldBlock): Blocker {
  const history = useContext(GuardContext);
  if (!history) throw new Error('useBlocker needs the AppRouter around it');
  const [retry, setRetry] = useState<(() => void) | null>(null);
  const latest = useRef(shouldBlock);
  useLayoutEffect(() => {
    latest.current = shouldBlock;
  });
  useEffect(
    () =>
      history.block({
        shouldBlock: (transition) => latest.current(transition),
        onBlocked: (next) => setRetry(() => next),
      }),
    [history],
  );
  const proceed = useCallback(() => {
    setRetry(null);
    retry?.();
  }, [retry]);
  const reset = useCallback(() => setRetry(null), []);
  return { state: retry ? 'blocked' : 'unblocked', proceed, reset };
}
