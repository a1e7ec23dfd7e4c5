import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ContractValidator } from '../../../../contract/contract-validator.ts';
import { actorOf, mayBreakLease, mayTakeLease } from '../../../../contract/permissions.ts';
import { PROBLEM_TYPES, invalidRequestProblem } from '../../../../contract/problem.ts';
import type { LeaseAnswer, LeaseList, PresenceAnswer } from '../../../../contract/worklist-api.ts';
import type { AuditDetails } from '../../../plugins/audit-trail.ts';
import { forbidden, userOf } from '../../../auth/auth-plugin.ts';
import { checkInput } from '../../../lib/contract-input.ts';
import { problemFromUpstream, sendProblem } from '../../../lib/problems.ts';
import { noteAudit } from '../../../plugins/audit-trail.ts';
import { endLease, leaseOfStudy, listLeases, renewLease, takeLease } from '../../../reading/reading-leases.ts';
import { heldByWords, type LeaseJson } from '../../../reading/reading-rules.ts';
import { markAbsent, markPresent, viewersOf } from '../../../reading/study-presence.ts';
import { parseUpstreamJson, type AvaraClient } from '../../../services/avara-client.ts';
import {
  SharedStateUnavailableError,
  UpdateConflictError,
  type SharedState,
} from '../../../shared-state/shared-state.ts';

export interface ReadingRoutesOptions {
  avara: AvaraClient;
  contract: ContractValidator;
  shared: SharedState;
  /** How long a lease lasts without a heartbeat (READING_LEASE_SECONDS). */
  leaseMs: number;
}

/**
 * Reading leases ("being read by X since T") and presence (who has the drawer open), kept in the
 * shared state so every instance sees the same. The rules: src/bff/reading/; docs/api.md.
 */
export async function readingRoutes(
  app: FastifyInstance,
  { avara, contract, shared, leaseMs }: ReadingRoutesOptions,
): Promise<void> {
  /** The study the path names, checked against the contract's study ID before anything is stored; undefined once answered 400. */
  function studyIdOf(request: FastifyRequest, reply: FastifyReply): string | undefined {
    const input = checkInput(reply, contract, 'retrieveStudy', { params: request.params });
    return input?.path.studyId;
  }

  app.get('/api/leases', { config: { access: 'api' } }, async (_request, reply) => {
    try {
      return (await listLeases(shared)) satisfies LeaseList;
    } catch (error) {
      return unavailable(reply, error);
    }
  });

  app.get('/api/studies/:studyId/lease', { config: { access: 'api' } }, async (request, reply) => {
    const studyId = studyIdOf(request, reply);
    if (!studyId) return reply;
    try {
      const lease = await leaseOfStudy(shared, studyId);
      return lease ? ({ lease } satisfies LeaseAnswer) : noLease(reply);
    } catch (error) {
      return unavailable(reply, error);
    }
  });

  app.post(
    '/api/studies/:studyId/lease',
    { config: { access: 'api', audit: 'study.lease' } },
    async (request, reply) => {
      const studyId = studyIdOf(request, reply);
      if (!studyId) return reply;
      const takeOver = takeOverOf(request.body);
      if (takeOver === undefined) {
        return sendProblem(
          reply,
          invalidRequestProblem([
            { in: 'body', name: 'takeOver', message: 'must be true or false, in a JSON object (or no body)' },
          ]),
        );
      }
      // Known to be down: say so before asking Avara anything.
      if (shared.status() === 'unavailable')
        return unavailable(reply, new SharedStateUnavailableError('The shared state is unavailable'));
      const user = userOf(request);
      const found = await avara.retrieveStudy(studyId);
      if (!found.ok) {
        noteAudit(request, { outcome: 'failed' });
        return sendProblem(reply, problemFromUpstream(found, 'Study'), found.retryAfter);
      }
      const study = asRecord(parseUpstreamJson(found));
      const decision = mayTakeLease(actorOf(user), {
        assignedTo: assigneeOf(study),
        isCancelled: study.isCancelled === true,
      });
      if (!decision.allowed) return sendProblem(reply, forbidden(decision.detail));
      try {
        const result = await takeLease(shared, studyId, user, { takeOver, leaseMs, log: request.log });
        if (result.outcome === 'held') {
          noteAudit(request, leaseAudit(result.lease, result.lease));
          return sendProblem(reply, {
            type: PROBLEM_TYPES.conflict,
            title: 'Someone else is reading this study',
            status: 409,
            detail: `${heldByWords(result.lease)} Take it over only if they have stopped.`,
            current: result.lease,
          });
        }
        if (result.tookOverFrom) {
          noteAudit(request, {
            action: 'study.lease-take-over',
            before: { leaseHolder: result.tookOverFrom.email },
            after: { leaseHolder: user.email },
          });
        } else {
          noteAudit(request, {
            before: { leaseHolder: result.renewed ? user.email : null },
            after: { leaseHolder: user.email },
          });
        }
        return {
          lease: result.lease,
          ...(result.tookOverFrom ? { tookOverFrom: result.tookOverFrom } : {}),
        } satisfies LeaseAnswer;
      } catch (error) {
        return unavailable(reply, error);
      }
    },
  );

  // The heartbeat: frequent, so it writes no audit line (taking and ending do).
  app.put('/api/studies/:studyId/lease', { config: { access: 'api' } }, async (request, reply) => {
    const studyId = studyIdOf(request, reply);
    if (!studyId) return reply;
    try {
      const result = await renewLease(shared, studyId, userOf(request), leaseMs);
      if (result.outcome === 'none')
        return noLease(reply, 'You do not hold a lease on this study (it ended, or it expired): take it again.');
      if (result.outcome === 'held') return heldBySomeoneElse(reply, result.lease);
      return { lease: result.lease } satisfies LeaseAnswer;
    } catch (error) {
      return unavailable(reply, error);
    }
  });

  app.delete(
    '/api/studies/:studyId/lease',
    { config: { access: 'api', audit: 'study.lease' } },
    async (request, reply) => {
      const studyId = studyIdOf(request, reply);
      if (!studyId) return reply;
      const user = userOf(request);
      try {
        const result = await endLease(shared, studyId, user, {
          mayBreak: mayBreakLease(actorOf(user)),
          log: request.log,
        });
        if (result.outcome === 'none') return noLease(reply);
        if (result.outcome === 'refused') {
          noteAudit(request, { action: 'study.lease-break', ...leaseAudit(result.lease, result.lease) });
          return sendProblem(reply, forbidden(`${heldByWords(result.lease)} Only they, or a coordinator, may end it.`));
        }
        noteAudit(request, {
          ...(result.outcome === 'broken' ? { action: 'study.lease-break' } : {}),
          ...leaseAudit(result.lease, undefined),
        });
        return reply.code(204).send();
      } catch (error) {
        return unavailable(reply, error);
      }
    },
  );

  app.get('/api/studies/:studyId/presence', { config: { access: 'api' } }, async (request, reply) => {
    const studyId = studyIdOf(request, reply);
    if (!studyId) return reply;
    try {
      return { studyId, viewers: await viewersOf(shared, studyId) } satisfies PresenceAnswer;
    } catch (error) {
      return unavailable(reply, error);
    }
  });

  app.put('/api/studies/:studyId/presence', { config: { access: 'api' } }, async (request, reply) => {
    const studyId = studyIdOf(request, reply);
    if (!studyId) return reply;
    try {
      const { viewers } = await markPresent(shared, studyId, userOf(request), request.log);
      return { studyId, viewers } satisfies PresenceAnswer;
    } catch (error) {
      return unavailable(reply, error);
    }
  });

  app.delete('/api/studies/:studyId/presence', { config: { access: 'api' } }, async (request, reply) => {
    const studyId = studyIdOf(request, reply);
    if (!studyId) return reply;
    try {
      await markAbsent(shared, studyId, userOf(request), request.log);
      return reply.code(204).send();
    } catch (error) {
      return unavailable(reply, error);
    }
  });
}

/** `takeOver` of a POST body: false when absent (or no body); undefined when the body is not `{ takeOver?: boolean }`. */
export function takeOverOf(body: unknown): boolean | undefined {
  if (body === undefined || body === null) return false;
  if (typeof body !== 'object' || Array.isArray(body)) return undefined;
  const keys = Object.keys(body);
  if (keys.some((key) => key !== 'takeOver')) return undefined;
  const takeOver: unknown = Object.getOwnPropertyDescriptor(body, 'takeOver')?.value;
  if (takeOver === undefined) return false;
  return typeof takeOver === 'boolean' ? takeOver : undefined;
}

/** Who holds the lease before and after, for the audit line. */
function leaseAudit(before: LeaseJson | undefined, after: LeaseJson | undefined): AuditDetails {
  return { before: { leaseHolder: before?.holder.email ?? null }, after: { leaseHolder: after?.holder.email ?? null } };
}

function noLease(reply: FastifyReply, detail = 'Nobody is reading this study.'): FastifyReply {
  return sendProblem(reply, { type: PROBLEM_TYPES.notFound, title: 'No reading lease', status: 404, detail });
}

function heldBySomeoneElse(reply: FastifyReply, lease: LeaseJson): FastifyReply {
  return sendProblem(reply, {
    type: PROBLEM_TYPES.conflict,
    title: 'Someone else is reading this study',
    status: 409,
    detail: `${heldByWords(lease)} Your lease ended.`,
    current: lease,
  });
}

/**
 * The shared store cannot be reached (or kept changing under a write): 503 with Retry-After, and
 * nothing pretended. Any other error goes on to the app's error handler.
 */
function unavailable(reply: FastifyReply, error: unknown): FastifyReply {
  if (error instanceof SharedStateUnavailableError) {
    return sendProblem(
      reply,
      {
        type: PROBLEM_TYPES.upstreamUnavailable,
        title: 'Who is reading cannot be checked right now',
        status: 503,
        detail: 'The worklist cannot reach its shared store, so nothing was changed. Try again in a moment.',
        retryable: true,
      },
      String(error.retryAfterSeconds),
    );
  }
  if (error instanceof UpdateConflictError) {
    return sendProblem(
      reply,
      {
        type: PROBLEM_TYPES.upstreamUnavailable,
        title: 'Too many changes at once',
        status: 503,
        detail: 'This lease kept changing while it was being written. Try again.',
        retryable: true,
      },
      '1',
    );
  }
  throw error;
}

/** The assignee as the lease rule reads it: one the upstream names without a readable ID counts as someone else. */
function assigneeOf(study: Record<string, unknown>): { userId: string } | null {
  if (study.assignedTo == null) return null;
  const userId = asRecord(study.assignedTo).userId;
  return { userId: typeof userId === 'string' ? userId : '' };
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? Object.fromEntries(Object.entries(value))
    : {};
}
