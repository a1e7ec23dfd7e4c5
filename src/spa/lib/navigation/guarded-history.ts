import type { UNSAFE_createBrowserHistory } from 'react-router';
import { NavigationType, type Location, type To } from 'react-router';

/** React Router's history (browser or memory): the type is not exported under its own name. */
export type History = ReturnType<typeof UNSAFE_createBrowserHistory>;
type Listener = Parameters<History['listen']>[0];

/** A move from one address to another, as a blocker sees it. */
export interface Transition {
  currentLocation: Location;
  nextLocation: Location;
}

/** Asks whether a move must wait for the person's answer. */
export type ShouldBlock = (transition: Transition) => boolean;

export interface NavigationBlocker {
  shouldBlock: ShouldBlock;
  /** The move was held; `retry` makes it after all (without asking again). */
  onBlocked: (retry: () => void) => void;
}

export interface GuardedHistory extends History {
  /** Holds moves `blocker.shouldBlock` says to hold, until the retry it was given is called; returns the release. One blocker at a time, the latest. */
  block(blocker: NavigationBlocker): () => void;
}

function locationOf(history: History, to: To, state: unknown): Location {
  const url = history.createURL(to);
  return { pathname: url.pathname, search: url.search, hash: url.hash, state, key: '' };
}

/**
 * A history whose moves can be held until the person answers (the drawer's "Discard your unsaved
 * changes?"), which React Router's declarative routers do not offer (only its data router's
 * `useBlocker` does). Links and `navigate()` go through `push`/`replace`/`go`; Back and Forward
 * come as a POP, after the browser has already moved: a held POP is undone with `go(-delta)` and
 * the listeners never see it, and the retry goes the same way again.
 */
export function guardHistory(history: History): GuardedHistory {
  let blocker: NavigationBlocker | null = null;
  const listeners = new Set<Listener>();
  let current = history.location;
  // The POP that undoes a held Back or Forward: nobody is told, the address is where it was.
  let undoing = false;
  // The POP of a retried Back or Forward: let through without asking again.
  let retrying = false;

  function held(next: Location, retry: () => void): boolean {
    if (!blocker?.shouldBlock({ currentLocation: current, nextLocation: next })) return false;
    blocker.onBlocked(retry);
    return true;
  }

  let stopListening: (() => void) | null = null;
  function onUpdate(update: Parameters<Listener>[0]) {
    if (update.action === NavigationType.Pop) {
      if (undoing) {
        undoing = false;
        return;
      }
      const { delta } = update;
      if (!retrying && delta !== null && delta !== 0) {
        if (blocker?.shouldBlock({ currentLocation: current, nextLocation: update.location })) {
          undoing = true;
          history.go(-delta);
          blocker?.onBlocked(() => {
            retrying = true;
            history.go(delta);
          });
          return;
        }
      }
      retrying = false;
    }
    current = update.location;
    for (const listener of listeners) listener(update);
  }

  return {
    get action() {
      return history.action;
    },
    get location() {
      return history.location;
    },
    createHref: (to) => history.createHref(to),
    createURL: (to) => history.createURL(to),
    encodeLocation: (to) => history.encodeLocation(to),
    push(to, state) {
      if (!held(locationOf(history, to, state), () => history.push(to, state))) history.push(to, state);
    },
    replace(to, state) {
      if (!held(locationOf(history, to, state), () => history.replace(to, state))) history.replace(to, state);
    },
    // Back and Forward from the app's own code come back as a POP, and are asked about there.
    go: (delta) => history.go(delta),
    listen(listener) {
      listeners.add(listener);
      stopListening ??= history.listen(onUpdate);
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) {
          stopListening?.();
          stopListening = null;
        }
      };
    },
    block(next) {
      blocker = next;
      return () => {
        if (blocker === next) blocker = null;
      };
    },
  };
}
