import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ContractValidator } from '../../../../contract/contract-validator.ts';
import type { StudyReferenceParams } from '../../../../contract/avara-types.ts';
import { forbidden, userOf } from '../../../auth/auth-plugin.ts';
import { noteAudit } from '../../../plugins/audit-trail.ts';
import type { StudyEvents } from '../../../events/study-events.ts';
import { releaseLease } from '../../../reading/reading-leases.ts';
import { LockLostError, LockTimeoutError, SharedStateUnavailableError, type SharedState } from '../../../shared-state/shared-state.ts';
import { changedMeanwhileProblem, ifMatchHolds, parseIfMatch, preconditionRequiredProblem } from '../../../../contract/if-match.ts';
import { parseUpstreamJson, type AvaraClient, type UpstreamResult } from '../../../services/avara-client.ts';
import { checkInput } from '../../../lib/contract-input.ts';
import { problemFromUpstream, sendProblem } from '../../../lib/problems.ts';
import { onPersonsOrigin, requestOrigin } from '../../../lib/request-origin.ts';
import { PROBLEM_TYPES } from '../../../../contract/problem.ts';
import { actorOf, mayChange } from '../../../../contract/permissions.ts';

export interface StudiesRoutesOptions {
  avara: AvaraClient;
  contract: ContractValidator;
  viewerOrigins: string[];
  /** The bundled server's launch origin, if it is the upstream (see AuthContext). */
  bundledLaunchOrigin?: string | undefined;
  /** Where the per-study locks live (every instance takes the same ones). */
  shared: SharedState;
  studyEvents: StudyEvents;
}

/**
 * `/api/studies`: the Avara studies operations, one route each, checked against the contract and
 * the caller's role, forwarded with the key, and written to the audit log. Bodies keep the
 * upstream's shape.
 */
export async function studiesRoutes(app: FastifyInstance, { avara, contract, viewerOrigins, bundledLaunchOrigin, shared, studyEvents }: StudiesRoutesOptions): Promise<void> {
  // Each route writes one audit line (plugins/audit-trail.ts); handlers add which studies, before and after.
  app.get('/api/studies', { config: { access: 'api', audit: 'study.list' } }, async (request, reply) => {
    const input = checkInput(reply, contract, 'listStudies', { query: request.query });
    if (!input) return reply;
    const result = await avara.listStudies(input.query);
    if (result.ok) noteAudit(request, { studyIds: studyIdsIn(result.json) });
    else noteAudit(request, { outcome: 'failed' });
    return relay(reply, result);
  });

  app.post('/api/studies', { config: { access: 'coordinator', audit: 'study.create' } }, async (request, reply) => {
    const input = checkInput(reply, contract, 'createStudy', { body: request.body });
    if (!input) return reply;
    const result = await avara.createStudy(input.body);
    if (!result.ok) {
      noteAudit(request, { outcome: 'failed' });
      return relay(reply, result);
    }
    const created = asRecord(parseUpstreamJson(result));
    const studyId = typeof created.studyId === 'string' ? created.studyId : undefined;
    noteAudit(request, { ...studyKeys(created), after: pick(created, Object.keys(asRecord(input.body))) });
    if (studyId && /^stu_[0-9a-f]{32}$/.test(studyId)) reply.header('location', `/api/studies/${studyId}`);
    await studyEvents.created(created, 'worklist', userOf(request));
    return relay(reply, result, 201);
  });

  app.get('/api/studies/by-uid/:studyInstanceUid', { config: { access: 'api', audit: 'study.view' } }, async (request, reply) => {
    const input = checkInput(reply, contract, 'retrieveStudyByUid', { params: request.params });
    if (!input) return reply;
    const result = await avara.retrieveStudyByUid(required(input.path.studyInstanceUid));
    noteAudit(request, result.ok ? studyKeys(asRecord(parseUpstreamJson(result))) : { outcome: 'failed' });
    return relay(reply, result);
  });

  app.get('/api/studies/:studyId', { config: { access: 'api', audit: 'study.view' } }, async (request, reply) => {
    const input = checkInput(reply, contract, 'retrieveStudy', { params: request.params });
    if (!input) return reply;
    const result = await avara.retrieveStudy(required(input.path.studyId));
    noteAudit(request, result.ok ? studyKeys(asRecord(parseUpstreamJson(result))) : { outcome: 'failed' });
    return relay(reply, result);
  });

  // Every change of a study, through any instance, is serialized per study (a lock with an owner
  // token and a timeout), and the If-Match comparison happens under it: of two changes made against
  // the same version exactly one succeeds (docs/decisions/017). Claims are such changes too.
  app.patch('/api/studies/:studyId', { config: { access: 'api', audit: 'study.update' } }, async (request, reply) => {
    const studyId = studyIdParam(request.params);
    const input = checkInput(reply, contract, 'updateStudy', { params: request.params, body: request.body });
    if (!input) return reply;
    const condition = parseIfMatch(request.headers['if-match']);
    if (!condition) return sendProblem(reply, preconditionRequiredProblem());
    const changes = asRecord(input.body);
    // While someone else changes the study, a look at it may already settle this change: made against
    // a version that is gone, it cannot succeed, so it need not wait its turn (the losers of a claim).
    const whenBusy = async (): Promise<FastifyReply | undefined> => {
      if (condition.kind === 'any') return undefined;
      const peek = await avara.retrieveStudy(studyId);
      if (!peek.ok) return undefined;
      const now = asRecord(parseUpstreamJson(peek));
      if (ifMatchHolds(condition, now.updatedAt)) return undefined;
      noteAudit(request, studyKeys(now));
      return sendProblem(reply, changedMeanwhileProblem(now, claimedByDetail(request, changes, now)));
    };
    return underStudyLock(request, reply, studyId, whenBusy, async (signal) => {
      // The study as it is now: the If-Match check, the permissions rule and the audit line's "before".
      const current = await avara.retrieveStudy(studyId);
      if (!current.ok) {
        noteAudit(request, { outcome: 'failed' });
        return relay(reply, current);
      }
      const before = asRecord(parseUpstreamJson(current));
      noteAudit(request, studyKeys(before));
      if (!ifMatchHolds(condition, before.updatedAt)) return sendProblem(reply, changedMeanwhileProblem(before, claimedByDetail(request, changes, before)));
      const refusal = radiologistRefusal(request, changes, before);
      if (refusal) return sendProblem(reply, forbidden(refusal));
      // The lock could not be kept (the shared store went away): never write unserialized.
      signal.throwIfAborted();
      const result = await avara.updateStudy(studyId, changes);
      if (!result.ok) {
        noteAudit(request, { outcome: 'failed' });
        return relay(reply, result);
      }
      const after = asRecord(parseUpstreamJson(result));
      const fields = Object.keys(changes);
      noteAudit(request, { ...studyKeys(after), before: pick(before, fields), after: pick(after, fields) });
      await studyEvents.changed(parseUpstreamJson(result), 'worklist', userOf(request));
      // Marked read: the reader's lease on it ends with the reading (it would otherwise expire).
      if (changes.studyViewerStatus === 'complete') await endOwnLease(request, studyId);
      return relay(reply, result);
    });
  });

  async function endOwnLease(request: FastifyRequest, studyId: string): Promise<void> {
    try {
      await releaseLease(shared, studyId, userOf(request), 'read', request.log);
    } catch (error) {
      // The change is made; a lease that cannot be ended now ends at its expiry.
      request.log.warn({ err: error, studyId }, 'the reading lease could not be ended after Mark read');
    }
  }

  const byReference = [
    ['cancel', 'cancelStudy', 'study.cancel', avara.cancelStudy],
    ['uncancel', 'uncancelStudy', 'study.uncancel', avara.uncancelStudy],
    ['viewer-url', 'rerouteStudyUrl', 'study.open-viewer', avara.rerouteUrl],
  ] as const;
  for (const [action, operationId, auditAction, call] of byReference) {
    const isChange = action !== 'viewer-url';
    app.post(`/api/studies/:studyId/${action}`, { config: { access: isChange ? 'coordinator' : 'api', audit: auditAction } }, async (request, reply) => {
      const studyId = studyIdParam(request.params);
      const reference = { studyId } satisfies StudyReferenceParams;
      // The BFF names the study in the path; the upstream takes it in the body: check that body.
      const input = checkInput(reply, contract, operationId, { body: reference });
      if (!input) return reply;
      if (isChange) {
        return underStudyLock(request, reply, studyId, undefined, async (signal) => {
          signal.throwIfAborted();
          const result = await call(reference);
          noteAudit(request, {
            ...(result.ok ? { before: { isCancelled: action === 'uncancel' }, after: { isCancelled: action === 'cancel' } } : { outcome: 'failed' }),
          });
          if (result.ok) {
            // The answer is {success, message}: the event carries the study as it is now.
            const now = await avara.retrieveStudy(studyId).catch(() => undefined);
            if (now?.ok) await studyEvents.changed(parseUpstreamJson(now), 'worklist', userOf(request));
          }
          return relay(reply, result);
        });
      }
      let result = await call(reference);
      if (result.ok) result = launchOnPersonsOrigin(result, request);
      const allowed = bundledLaunchOrigin ? [...viewerOrigins, requestOrigin(request) ?? bundledLaunchOrigin] : viewerOrigins;
      if (result.ok && !isAllowedViewerUrl(parseUpstreamJson(result), allowed)) {
        request.log.error('the viewer URL points to an origin that is not in VIEWER_ORIGINS');
        return sendProblem(reply, {
          type: PROBLEM_TYPES.upstreamFailed,
          title: 'The viewer link is not allowed',
          status: 502,
          detail: 'The viewer link points to a site that is not allowed. An administrator needs to add it to VIEWER_ORIGINS.',
          retryable: false,
        });
      }
      if (!result.ok) noteAudit(request, { outcome: 'failed' });
      return relay(reply, result);
    });
  }

  /**
   * Runs a change of one study holding that study's lock. Someone else's change in progress makes
   * this one wait (up to STUDY_LOCK_WAIT_MS), unless `whenBusy` answers it at once; still held after
   * that, or the shared store out of reach: 503 with Retry-After, and nothing is written.
   */
  async function underStudyLock(
    request: FastifyRequest,
    reply: FastifyReply,
    studyId: string,
    whenBusy: (() => Promise<FastifyReply | undefined>) | undefined,
    change: (signal: AbortSignal) => Promise<FastifyReply>,
  ): Promise<FastifyReply> {
    const name = `study:${studyId}`;
    try {
      if (whenBusy) {
        try {
          return await shared.locks.withLock(name, { ttlMs: STUDY_LOCK_TTL_MS, waitMs: 0 }, change);
        } catch (error) {
          if (!(error instanceof LockTimeoutError)) throw error;
        }
        const settled = await whenBusy();
        if (settled) return settled;
      }
      return await shared.locks.withLock(name, { ttlMs: STUDY_LOCK_TTL_MS, waitMs: STUDY_LOCK_WAIT_MS }, change);
    } catch (error) {
      if (error instanceof LockTimeoutError || error instanceof LockLostError) {
        noteAudit(request, { outcome: 'failed' });
        return sendProblem(reply, { type: PROBLEM_TYPES.busy, title: 'Someone else is changing this study', status: 503, detail: 'Another change to this study is still being made. Try again in a moment.', retryable: true }, '1');
      }
      if (error instanceof SharedStateUnavailableError) {
        noteAudit(request, { outcome: 'failed' });
        return sendProblem(
          reply,
          {
            type: PROBLEM_TYPES.upstreamUnavailable,
            title: 'Changes are paused',
            status: 503,
            detail: 'The worklist cannot reach its shared store, so it cannot make sure nobody else is changing this study. Nothing was changed; try again in a moment.',
            retryable: true,
          },
          String(error.retryAfterSeconds),
        );
      }
      throw error;
    }
  }

  /** A bundled launch link is given on the origin the person uses (their session lives there). */
  function launchOnPersonsOrigin(result: Extract<UpstreamResult, { ok: true }>, request: FastifyRequest): UpstreamResult {
    const url = asRecord(parseUpstreamJson(result)).url;
    if (!bundledLaunchOrigin || typeof url !== 'string') return result;
    const moved = onPersonsOrigin(url, bundledLaunchOrigin, request);
    return moved === url ? result : { ...result, json: JSON.stringify({ url: moved }) };
  }
}

/** How long a change may hold its study's lock before it lapses (a crashed instance frees it then). */
const STUDY_LOCK_TTL_MS = 15_000;
/** How long a change waits for someone else's change of the same study to finish. */
const STUDY_LOCK_WAIT_MS = 5_000;

/** For a claim that lost: who has the study now, so the person is told rather than merely refused. */
function claimedByDetail(request: FastifyRequest, changes: Record<string, unknown>, current: Record<string, unknown>): string | undefined {
  const me = userOf(request).userId;
  const holder = asRecord(current.assignedTo);
  if (!me || changes.assignedTo !== me || typeof holder.userId !== 'string' || holder.userId === me) return undefined;
  const name = [holder.firstName, holder.lastName].filter((part) => typeof part === 'string' && part !== '').join(' ');
  return `${name || 'Someone else'} has claimed this study already.`;
}

/** Whether a reroute answer's URL is on the allowlist of viewer origins. */
function isAllowedViewerUrl(body: unknown, allowed: string[]): boolean {
  const url = asRecord(body).url;
  if (typeof url !== 'string' || !URL.canParse(url)) return false;
  const parsed = new URL(url);
  return (parsed.protocol === 'https:' || parsed.protocol === 'http:') && allowed.includes(parsed.origin);
}

/** Why this person may not make this change, or undefined when they may (the rule: contract/permissions.ts). */
function radiologistRefusal(request: FastifyRequest, changes: Record<string, unknown>, current: Record<string, unknown>): string | undefined {
  // An assignee the upstream names without a readable ID counts as someone else, never as nobody.
  const assignee = asRecord(current.assignedTo).userId;
  const study = {
    assignedTo: current.assignedTo == null ? null : { userId: typeof assignee === 'string' ? assignee : '' },
    metadata: asRecord(current.metadata),
  };
  const decision = mayChange(actorOf(userOf(request)), study, changes);
  return decision.allowed ? undefined : decision.detail;
}

/** Passes a success body through untouched, or answers the matching problem. */
function relay(reply: FastifyReply, result: UpstreamResult, successStatus?: number): FastifyReply {
  if (!result.ok) return sendProblem(reply, problemFromUpstream(result, 'Study'), result.retryAfter);
  return reply
    .code(successStatus ?? result.status)
    .type('application/json; charset=utf-8')
    .send(result.json);
}

const STUDY_ID_IN_JSON = /"studyId"\s*:\s*"(stu_[0-9a-f]{32})"/g;

/** The studies of a list page, for the audit line, read without parsing the whole page. */
function studyIdsIn(json: string): string[] {
  return Array.from(json.matchAll(STUDY_ID_IN_JSON), (match) => match[1] ?? '');
}

function studyKeys(study: Record<string, unknown>): { studyId?: string; studyInstanceUid?: string } {
  return {
    ...(typeof study.studyId === 'string' ? { studyId: study.studyId } : {}),
    ...(typeof study.studyInstanceUid === 'string' ? { studyInstanceUid: study.studyInstanceUid } : {}),
  };
}

function pick(source: Record<string, unknown>, fields: string[]): Record<string, unknown> {
  return Object.fromEntries(fields.map((field) => [field, source[field] ?? null]));
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.fromEntries(Object.entries(value)) : {};
}

function studyIdParam(params: unknown): string {
  if (typeof params === 'object' && params !== null && 'studyId' in params && typeof params.studyId === 'string') {
    return params.studyId;
  }
  return '';
}

/** Path parameters the route declares are always present once the contract check has passed. */
function required(value: string | undefined): string {
  if (value === undefined) throw new Error('A path parameter checked by the contract is missing');
  return value;
}
