import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isStudy, isStudyListPage } from '../../../../contract/answer-shapes.ts';
import type { Study } from '../../../../contract/avara-types.ts';
import { actorOf, mayTakeNextStudy } from '../../../../contract/permissions.ts';
import { PROBLEM_TYPES, invalidRequestProblem } from '../../../../contract/problem.ts';
import type { NextStudyAnswer } from '../../../../contract/worklist-api.ts';
import { forbidden, userOf } from '../../../auth/auth-plugin.ts';
import type { SessionUser } from '../../../auth/session-user.ts';
import type { StudyEvents } from '../../../events/study-events.ts';
import { isActive } from '../../../events/queue-snapshot.ts';
import { problemFromUpstream, sendProblem } from '../../../lib/problems.ts';
import { noteAudit } from '../../../plugins/audit-trail.ts';
import { heldLeases, releaseLease, takeLease } from '../../../reading/reading-leases.ts';
import {
  NEXT_STEPS,
  isEligible,
  leasesInTheWay,
  pickNext,
  stepFilter,
  type NextPick,
  type NextReader,
} from '../../../reading/next-study-rule.ts';
import type { HeldLease, LeaseJson } from '../../../reading/reading-rules.ts';
import type { AvaraClient, UpstreamResult } from '../../../services/avara-client.ts';
import {
  LockTimeoutError,
  SharedStateUnavailableError,
  UpdateConflictError,
  type SharedState,
} from '../../../shared-state/shared-state.ts';
import type { KnownVersions } from '../../../events/known-versions.ts';
import { changeStudy, lockProblem, sendLockProblem, withStudyLock } from '../studies/study-changes.ts';

export { DEFAULT_READING_MAX_LEASES } from '../../../reading/reading-rules.ts';
/** List pages read per step before the step counts as exhausted (100 studies each). */
const PAGES_PER_STEP = 5;
/** Candidates tried (claimed by someone else meanwhile) before the request gives up with 503. */
const MAX_ATTEMPTS = 20;
const PAGE = 100;

export interface NextStudyRoutesOptions {
  avara: AvaraClient;
  shared: SharedState;
  studyEvents: StudyEvents;
  /** How long a lease lasts without a heartbeat (READING_LEASE_SECONDS). */
  leaseMs: number;
  /** READING_MAX_LEASES. */
  maxLeases: number;
  /** Told the versions its claims read and write (see studies-routes.ts). */
  knownVersions?: KnownVersions;
}

/** Thrown inside a walk to answer with the upstream's failure. */
class UpstreamFailed extends Error {
  readonly result: Extract<UpstreamResult, { ok: false }>;
  constructor(result: Extract<UpstreamResult, { ok: false }>) {
    super(`Avara answered ${result.status}`);
    this.result = result;
  }
}

/**
 * `POST /api/reading/next`: the next study for the calling reader, by the rule of
 * src/bff/reading/next-study-rule.ts, claimed for them (when unassigned) through the same per-study
 * lock and If-Match path as PATCH, with their reading lease on it. Candidates are read from the list
 * API step by step, oldest first; one taken by someone else meanwhile is passed over for the next.
 */
export async function nextStudyRoutes(
  app: FastifyInstance,
  { avara, shared, studyEvents, leaseMs, maxLeases, knownVersions }: NextStudyRoutesOptions,
): Promise<void> {
  app.post('/api/reading/next', { config: { access: 'api', audit: 'study.next' } }, async (request, reply) => {
    if (!isEmptyBody(request.body)) {
      return sendProblem(
        reply,
        invalidRequestProblem([{ in: 'body', name: 'body', message: 'must be empty or an empty JSON object' }]),
      );
    }
    const user = userOf(request);
    const actor = actorOf(user);
    const allowed = mayTakeNextStudy(actor);
    if (!allowed.allowed) return sendProblem(reply, forbidden(allowed.detail));
    if (shared.status() === 'unavailable')
      return sendLockProblem(reply, new SharedStateUnavailableError('The shared state is unavailable'));
    const reader: NextReader = { actor, subject: user.subject };
    try {
      const leases = await heldLeases(shared);
      const reading = await leasesOnUnreadStudies(leases.filter((held) => held.subject === user.subject));
      const inTheWay = leasesInTheWay(reading, reader, maxLeases);
      if (inTheWay.length > 0) return leaseLimitReached(request, reply, inTheWay);
      const leaseOf = new Map(leases.map((held) => [held.lease.studyId, held]));
      const tried = new Set<string>();
      let attempts = 0;
      for (const step of NEXT_STEPS) {
        const { severity, assignee } = stepFilter(step);
        let cursor: string | undefined;
        for (let page = 0; page < PAGES_PER_STEP; page++) {
          const result = await avara.listStudies({
            severity,
            assignedTo: assignee === 'own' ? (user.userId ?? '') : '',
            studyViewerStatus: 'incomplete',
            isCancelled: false,
            limit: PAGE,
            ...(cursor ? { cursor } : {}),
          });
          if (!result.ok) throw new UpstreamFailed(result);
          if (!isStudyListPage(result.body)) break;
          const listed = result.body;
          const candidates = listed.studies.map((study) => ({ study, lease: leaseOf.get(study.studyId) }));
          for (
            let pick = pickNext({ [step]: candidates }, reader, tried);
            pick;
            pick = pickNext({ [step]: candidates }, reader, tried)
          ) {
            attempts += 1;
            if (attempts > MAX_ATTEMPTS) return tooBusy(request, reply);
            const answer = await give(pick, user, reader, request);
            if (answer) {
              noteAudit(request, {
                studyId: answer.study.studyId,
                studyInstanceUid: answer.study.studyInstanceUid,
                before: { assignedTo: answer.claimed ? null : user.userId, leaseHolder: null },
                after: {
                  assignedTo: user.userId,
                  leaseHolder: user.email,
                  nextStep: answer.step,
                  claimed: answer.claimed,
                },
              });
              return answer satisfies NextStudyAnswer;
            }
            tried.add(pick.candidate.study.studyId);
          }
          if (!listed.hasMore || !listed.cursor) break;
          cursor = listed.cursor;
        }
      }
      noteAudit(request, { after: { nextStep: null } });
      return { study: null } satisfies NextStudyAnswer;
    } catch (error) {
      if (error instanceof UpstreamFailed) {
        noteAudit(request, { outcome: 'failed' });
        return sendProblem(reply, problemFromUpstream(error.result, 'Study'), error.result.retryAfter);
      }
      if (error instanceof UpdateConflictError) return tooBusy(request, reply);
      if (lockProblem(error)) noteAudit(request, { outcome: 'failed' });
      return sendLockProblem(reply, error);
    }
  });

  /** The person's leases on studies still to read (a lease on a study read or cancelled since does not count). */
  async function leasesOnUnreadStudies(own: HeldLease[]): Promise<HeldLease[]> {
    const unread: HeldLease[] = [];
    for (const held of own) {
      const result = await avara.retrieveStudy(held.lease.studyId);
      if (!result.ok) {
        if (result.status === 404) continue;
        throw new UpstreamFailed(result);
      }
      if (isStudy(result.body) && isActive(result.body)) unread.push(held);
    }
    return unread;
  }

  /**
   * Gives the picked study to the person under its lock: checked again as it is now, its lease
   * taken, and (unassigned) claimed through changeStudy, the PATCH path. Undefined when it was taken
   * or changed meanwhile: the caller tries the next candidate.
   */
  async function give(
    pick: NextPick,
    user: SessionUser,
    reader: NextReader,
    request: FastifyRequest,
  ): Promise<Extract<NextStudyAnswer, { study: Study }> | undefined> {
    const { study: listed } = pick.candidate;
    const studyId = listed.studyId;
    let lease: LeaseJson | undefined;
    /** Under the lock, before anything is written: still eligible as it is now, and the lease is free. */
    const reserve = async (current: unknown): Promise<string | undefined> => {
      if (!isStudy(current) || !isEligible(pick.step, { study: current, lease: undefined }, reader))
        return 'no longer waiting for this person';
      const taken = await takeLease(shared, studyId, user, { takeOver: false, leaseMs, log: request.log });
      if (taken.outcome === 'held' || taken.renewed) {
        // Someone else is reading it (or the person already was): not the next one to give.
        return 'being read';
      }
      lease = taken.lease;
      return undefined;
    };
    try {
      return await withStudyLock(shared, studyId, 0, async (signal, release) => {
        if (!pick.claim) {
          // Theirs already: nothing to change, only to read again and reserve.
          const current = await avara.retrieveStudy(studyId);
          if (!current.ok) {
            if (current.status === 404) return undefined;
            throw new UpstreamFailed(current);
          }
          if ((await reserve(current.body)) !== undefined || !lease || !isStudy(current.body)) return undefined;
          return { study: current.body, lease, claimed: false, step: pick.step };
        }
        const outcome = await changeStudy(avara, studyEvents, {
          studyId,
          // The version the list showed: changed since, it is decided again as a later candidate would be.
          condition: listed.updatedAt ? { kind: 'version', updatedAt: listed.updatedAt } : { kind: 'any' },
          changes: { assignedTo: user.userId },
          user,
          signal,
          release,
          beforeWrite: reserve,
          ...(knownVersions ? { knownVersions } : {}),
        });
        if (outcome.kind === 'changed' && lease && isStudy(outcome.after))
          return { study: outcome.after, lease, claimed: true, step: pick.step };
        // Reserved but not claimed (the write failed): the lease goes again.
        if (lease) await releaseLease(shared, studyId, user, 'released', request.log);
        if (outcome.kind === 'upstream-failed') {
          if (outcome.result.status === 404 || outcome.result.status === 409) return undefined;
          throw new UpstreamFailed(outcome.result);
        }
        return undefined;
      });
    } catch (error) {
      // Someone else is changing this study right now (another Next, most likely): try the next one.
      if (error instanceof LockTimeoutError) return undefined;
      throw error;
    }
  }
}

/** 409: the person already reads as many studies as they may. */
function leaseLimitReached(request: FastifyRequest, reply: FastifyReply, inTheWay: HeldLease[]): FastifyReply {
  const leases = inTheWay.map((held) => held.lease);
  const names = leases.map((lease) => lease.studyId).join(', ');
  noteAudit(request, { studyIds: leases.map((lease) => lease.studyId), outcome: 'refused' });
  return sendProblem(reply, {
    type: PROBLEM_TYPES.conflict,
    title: 'You are reading already',
    status: 409,
    detail: `You are reading ${names} already: mark ${leases.length === 1 ? 'it' : 'one of them'} read or release ${leases.length === 1 ? 'it' : 'one'} first.`,
    leases,
  });
}

function tooBusy(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  noteAudit(request, { outcome: 'failed' });
  return sendProblem(
    reply,
    {
      type: PROBLEM_TYPES.busy,
      title: 'Too many people are taking studies at once',
      status: 503,
      detail: 'Every study tried was taken by someone else meanwhile. Try again in a moment.',
      retryable: true,
    },
    '1',
  );
}

/** POST /api/reading/next takes nothing: no body, or `{}`. */
function isEmptyBody(body: unknown): boolean {
  if (body === undefined || body === null) return true;
  return typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0;
}
