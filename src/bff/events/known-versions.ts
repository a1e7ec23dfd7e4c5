import type { IfMatch } from '../../contract/if-match.ts';
import type { BusEvent, EventBus, SharedStateLog } from '../shared-state/shared-state.ts';

/**
 * The newest version of each recently changed study this instance has seen: from every study event
 * on the bus (changes through any instance, arrivals, the queue watcher's findings) and from the
 * upstream's own answers to this instance. A study's `updatedAt` only moves forward, so a change
 * made against a version older than a known one cannot succeed whatever has happened since: it can
 * be answered 409 at once, without the study's lock and without asking the upstream
 * (docs/decisions/017). Anything else (an equal or newer version, a study not seen lately, an
 * If-Match that is not a time) goes the whole way: lock, upstream, comparison.
 */
export interface KnownVersions {
  /** Notes a study as it was at some moment (anything that is not a study with an ID and a time is ignored). */
  learn(study: unknown): void;
  /** The newest known study, when `condition` names a version older than it; otherwise undefined. */
  newerThan(studyId: string, condition: IfMatch): Record<string, unknown> | undefined;
  /** An AbortSignal that aborts as soon as a version newer than `condition` becomes known, and a function to stop watching. */
  watch(studyId: string, condition: IfMatch): { signal: AbortSignal; stop: () => void };
  close(): void;
}

/** The reason of every watch's abort: one shared value, not an error with a stack made for each waiting change. */
const NEWER_VERSION_KNOWN = new Error('A newer version of the study is known');

/** How many studies are remembered (the most recently changed); a forgotten one simply goes the whole way. */
export const KNOWN_VERSIONS_LIMIT = 10_000;

export function createKnownVersions(options: { bus: EventBus; log: SharedStateLog; limit?: number }): KnownVersions {
  const limit = options.limit ?? KNOWN_VERSIONS_LIMIT;
  const studies = new Map<string, { at: number; study: Record<string, unknown> }>();
  const watchers = new Map<string, Set<{ before: number; controller: AbortController }>>();

  function learn(value: unknown): void {
    const study = asRecord(value);
    const studyId = study?.studyId;
    const at = study ? timeOf(study.updatedAt) : undefined;
    if (!study || typeof studyId !== 'string' || at === undefined) return;
    const known = studies.get(studyId);
    if (known && known.at >= at) return;
    studies.delete(studyId);
    studies.set(studyId, { at, study });
    if (studies.size > limit) {
      const oldest = studies.keys().next();
      if (!oldest.done) studies.delete(oldest.value);
    }
    for (const watcher of watchers.get(studyId) ?? [])
      if (watcher.before < at) watcher.controller.abort(NEWER_VERSION_KNOWN);
  }

  function hear(event: BusEvent): void {
    if (event.type === 'study.changed' || event.type === 'study.created') learn(event.data.study);
  }

  let closed = false;
  const subscription = options.bus.subscribe({ onEvent: hear }).catch((error: unknown) => {
    options.log.warn(
      { err: error },
      'Known study versions are not heard from the event bus; stale changes are settled by the upstream instead',
    );
    return undefined;
  });

  return {
    learn,
    newerThan(studyId, condition) {
      const before = conditionTime(condition);
      const known = studies.get(studyId);
      return before !== undefined && known && known.at > before ? known.study : undefined;
    },
    watch(studyId, condition) {
      const controller = new AbortController();
      const before = conditionTime(condition);
      if (before === undefined) return { signal: controller.signal, stop: () => {} };
      const watcher = { before, controller };
      let set = watchers.get(studyId);
      if (!set) {
        set = new Set();
        watchers.set(studyId, set);
      }
      set.add(watcher);
      const known = studies.get(studyId);
      if (known && known.at > before) controller.abort(NEWER_VERSION_KNOWN);
      const owner = set;
      return {
        signal: controller.signal,
        stop: () => {
          owner.delete(watcher);
          if (owner.size === 0 && watchers.get(studyId) === owner) watchers.delete(studyId);
        },
      };
    },
    close() {
      if (closed) return;
      closed = true;
      void subscription.then((stop) => stop?.());
      studies.clear();
    },
  };
}

function conditionTime(condition: IfMatch): number | undefined {
  return condition.kind === 'version' ? timeOf(condition.updatedAt) : undefined;
}

/** An ISO time as epoch ms; undefined for anything else. */
function timeOf(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const at = Date.parse(value);
  return Number.isFinite(at) ? at : undefined;
}

/** The object itself, not a copy: every study event and answer passes here, and none is changed afterwards. */
function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
