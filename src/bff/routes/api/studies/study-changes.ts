/**
 * The one path by which the BFF changes a study (PATCH /api/studies/:id, and the claim of Next
 * study): under the study's lock (`study:<id>`, every instance takes the same one), read the study as
 * it is now, compare it with the version the change was made against (If-Match), apply the
 * permissions rule, write, and publish the change to every screen. See docs/decisions/017.
 */
import type { FastifyReply } from 'fastify';
import { ifMatchHolds, type IfMatch } from '../../../../contract/if-match.ts';
import { actorOf, mayChange } from '../../../../contract/permissions.ts';
import { PROBLEM_TYPES, type Problem } from '../../../../contract/problem.ts';
import type { SessionUser } from '../../../auth/session-user.ts';
import type { KnownVersions } from '../../../events/known-versions.ts';
import { asJsonObject, type StudyEvents } from '../../../events/study-events.ts';
import { sendProblem } from '../../../lib/problems.ts';
import { parseUpstreamJson, type AvaraClient, type UpstreamResult } from '../../../services/avara-client.ts';
import {
  LockLostError,
  LockTimeoutError,
  SharedStateUnavailableError,
  type JsonObject,
  type LockOptions,
  type LockTask,
  type SharedState,
} from '../../../shared-state/shared-state.ts';

/** How long a change may hold its study's lock before it lapses (a crashed instance frees it then). */
export const STUDY_LOCK_TTL_MS = 15_000;
/** How long a change waits for someone else's change of the same study to finish. */
export const STUDY_LOCK_WAIT_MS = 5_000;

/**
 * Runs `change` holding the study's lock; throws LockTimeoutError when it stays held for `waitMs`
 * or `waiting.signal` aborts first (a newer version became known: the change cannot succeed).
 * `waiting.heard` is told what a release heard meanwhile left (LockOptions.heard).
 */
export function withStudyLock<T>(
  shared: SharedState,
  studyId: string,
  waitMs: number,
  change: LockTask<T>,
  waiting?: Pick<LockOptions, 'signal' | 'heard'>,
): Promise<T> {
  return shared.locks.withLock(`study:${studyId}`, { ttlMs: STUDY_LOCK_TTL_MS, waitMs, ...waiting }, change);
}

/**
 * The answer for a lock that could not be had or kept, or a shared store out of reach: 503 with
 * Retry-After, nothing written. Undefined for any other error (the caller rethrows it).
 */
export function lockProblem(error: unknown): { problem: Problem; retryAfter: string } | undefined {
  if (error instanceof LockTimeoutError || error instanceof LockLostError) {
    return {
      problem: {
        type: PROBLEM_TYPES.busy,
        title: 'Someone else is changing this study',
        status: 503,
        detail: 'Another change to this study is still being made. Try again in a moment.',
        retryable: true,
      },
      retryAfter: '1',
    };
  }
  if (error instanceof SharedStateUnavailableError) {
    return {
      problem: {
        type: PROBLEM_TYPES.upstreamUnavailable,
        title: 'Changes are paused',
        status: 503,
        detail:
          'The worklist cannot reach its shared store, so it cannot make sure nobody else is changing this study. Nothing was changed; try again in a moment.',
        retryable: true,
      },
      retryAfter: String(error.retryAfterSeconds),
    };
  }
  return undefined;
}

/** Sends lockProblem's answer, or rethrows an error that is not about the lock or the shared store. */
export function sendLockProblem(reply: FastifyReply, error: unknown): FastifyReply {
  const answer = lockProblem(error);
  if (!answer) throw error;
  return sendProblem(reply, answer.problem, answer.retryAfter);
}

export interface StudyChange {
  studyId: string;
  /** The version the change was made against. */
  condition: IfMatch;
  /** The PATCH body (fields sent are fields changed). */
  changes: Record<string, unknown>;
  user: SessionUser;
  /** The lock's signal: aborted when the lock could not be kept. */
  signal: AbortSignal;
  /**
   * Lets the study's lock go (withStudyLock's `release`): called once the study is written, so the
   * release goes out together with the change's event, in one round trip to the shared store. It
   * leaves the study as written for the lock's next holder (docs/decisions/043).
   */
  release?: (note?: JsonObject) => void;
  /**
   * Called once the change is known to be allowed, just before it is written (still under the lock):
   * a refusal (its words) stops it. Next study takes the reading lease here.
   */
  beforeWrite?: (current: Record<string, unknown>) => Promise<string | undefined>;
  /** Told every version read and written here, so stale changes waiting for this lock are answered at once. */
  knownVersions?: KnownVersions;
}

export type ChangeOutcome =
  /** Written and published; `before` and `after` as Avara answered them. */
  | {
      kind: 'changed';
      before: Record<string, unknown>;
      after: Record<string, unknown>;
      result: Extract<UpstreamResult, { ok: true }>;
    }
  /** Reading (`before` absent) or writing the study failed upstream. */
  | { kind: 'upstream-failed'; result: Extract<UpstreamResult, { ok: false }>; before?: Record<string, unknown> }
  /** The study is no longer the version the change was made against. */
  | { kind: 'changed-meanwhile'; current: Record<string, unknown> }
  /** The permissions rule refuses the change (`detail`), or `beforeWrite` did (`stopped`). */
  | { kind: 'refused' | 'stopped'; current: Record<string, unknown>; detail: string };

/**
 * Makes one change of a study; call it holding the study's lock (withStudyLock). The study is read
 * under the lock, so the If-Match comparison and the permissions rule see what the write changes.
 */
export async function changeStudy(
  avara: AvaraClient,
  studyEvents: StudyEvents,
  change: StudyChange,
): Promise<ChangeOutcome> {
  const { studyId, condition, changes, user, signal } = change;
  const current = await avara.retrieveStudy(studyId);
  if (!current.ok) return { kind: 'upstream-failed', result: current };
  const before = asRecord(parseUpstreamJson(current));
  change.knownVersions?.learn(before);
  if (!ifMatchHolds(condition, before.updatedAt)) return { kind: 'changed-meanwhile', current: before };
  const refusal = permissionRefusal(user, changes, before);
  if (refusal) return { kind: 'refused', current: before, detail: refusal };
  const stopped = change.beforeWrite ? await change.beforeWrite(before) : undefined;
  if (stopped) return { kind: 'stopped', current: before, detail: stopped };
  // The lock could not be kept (the shared store went away): never write unserialized.
  signal.throwIfAborted();
  const result = await avara.updateStudy(studyId, changes);
  if (!result.ok) return { kind: 'upstream-failed', result, before };
  const after = asRecord(parseUpstreamJson(result));
  // Before the lock is released: whoever waits for it on this instance sees this version at once.
  change.knownVersions?.learn(after);
  // Nothing is left to guard: the event and the lock's release go out together, the event first, so
  // a change waiting on another instance hears of this version no later than it could take the lock.
  // The answer does not wait for theirs (docs/decisions/047): the event is sent before it, ahead of
  // anything this instance sends later, and one that cannot be published never failed the change.
  void studyEvents.changed(parseUpstreamJson(result), 'worklist', user);
  change.release?.(asJsonObject(parseUpstreamJson(result)));
  return { kind: 'changed', before, after, result };
}

/** Why this person may not make this change, or undefined when they may (the rule: contract/permissions.ts). */
function permissionRefusal(
  user: SessionUser,
  changes: Record<string, unknown>,
  current: Record<string, unknown>,
): string | undefined {
  // An assignee the upstream names without a readable ID counts as someone else, never as nobody.
  const assignee = asRecord(current.assignedTo).userId;
  const study = {
    assignedTo: current.assignedTo == null ? null : { userId: typeof assignee === 'string' ? assignee : '' },
    metadata: asRecord(current.metadata),
  };
  const decision = mayChange(actorOf(user), study, changes);
  return decision.allowed ? undefined : decision.detail;
}

export function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? Object.fromEntries(Object.entries(value))
    : {};
}
