import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ContractValidator } from '../../../../contract/contract-validator.ts';
import type { StudyReferenceParams } from '../../../../contract/avara-types.ts';
import { forbidden, userOf } from '../../../auth/auth-plugin.ts';
import { noteAudit } from '../../../plugins/audit-trail.ts';
import type { KnownVersions } from '../../../events/known-versions.ts';
import type { StudyEvents } from '../../../events/study-events.ts';
import { releaseLease } from '../../../reading/reading-leases.ts';
import { LockTimeoutError, type LockTask, type SharedState } from '../../../shared-state/shared-state.ts';
import {
  changedMeanwhileProblem,
  ifMatchHolds,
  parseIfMatch,
  preconditionRequiredProblem,
} from '../../../../contract/if-match.ts';
import { STUDY_LOCK_WAIT_MS, changeStudy, lockProblem, sendLockProblem, withStudyLock } from './study-changes.ts';
import { parseUpstreamJson, type AvaraClient, type UpstreamResult } from '../../../services/avara-client.ts';
import { checkInput } from '../../../lib/contract-input.ts';
import { problemFromUpstream, sendProblem } from '../../../lib/problems.ts';
import { onPersonsOrigin, requestOrigin } from '../../../lib/request-origin.ts';
import { PROBLEM_TYPES, invalidRequestProblem } from '../../../../contract/problem.ts';
import { actorOf, mayChange } from '../../../../contract/permissions.ts';
import { isStudyListPage } from '../../../../contract/answer-shapes.ts';
import type { StudyListPage } from '../../../../contract/avara-types.ts';
import { MINE_OR_UNASSIGNED } from '../../../../contract/worklist-api.ts';
import { mergedPage, startPosition } from './merged-walk.ts';
import { decodeMergedCursor, encodeMergedCursor, scopeOf } from './mine-or-unassigned-cursor.ts';
import { hasSearchParameters, parseSearchQuery } from '../../../../contract/study-search.ts';
import { SEVERITIES, type Severity } from '../../../../contract/avara-types.ts';
import type { PacsLookup } from '../../../pacs/pacs-lookup.ts';
import { pacsDown } from '../pacs/pacs-routes.ts';
import { searchPage, type LookupContexts } from './search-walk.ts';
import type { SlaTargets } from '../../../../contract/sla.ts';
import { decodeSearchCursor, encodeSearchCursor, type SearchCursorPosition } from './search-cursor.ts';
import type { MergedPosition } from './merged-walk.ts';
import { studiesWithOpenCritical } from '../../../reports/report-store.ts';

export interface StudiesRoutesOptions {
  avara: AvaraClient;
  contract: ContractValidator;
  viewerOrigins: string[];
  /** The bundled server's launch origin, if it is the upstream (see AuthContext). */
  bundledLaunchOrigin?: string | undefined;
  /** Where the per-study locks live (every instance takes the same ones). */
  shared: SharedState;
  studyEvents: StudyEvents;
  /** The newest study versions this instance has seen: stale changes are answered without the lock. */
  knownVersions: KnownVersions;
  /** The PACS's cached context lookup, when ORTHANC_URL is set: searches match patient and study tags through it. */
  pacsLookup?: PacsLookup | undefined;
  /** The clock "overdue" is judged by (tests move it). */
  now?: () => number;
  /** The SLA targets "overdue" is judged by (SLA_*_MINUTES); the defaults without. */
  slaTargets?: Readonly<SlaTargets>;
}

/**
 * `/api/studies`: the Avara studies operations, one route each, checked against the contract and
 * the caller's role, forwarded with the key, and written to the audit log. Bodies keep the
 * upstream's shape.
 */
export async function studiesRoutes(app: FastifyInstance, options: StudiesRoutesOptions): Promise<void> {
  const {
    avara,
    contract,
    viewerOrigins,
    bundledLaunchOrigin,
    shared,
    studyEvents,
    knownVersions,
    pacsLookup,
    now = Date.now,
  } = options;
  // Each route writes one audit line (plugins/audit-trail.ts); handlers add which studies, before and after.
  app.get('/api/studies', { config: { access: 'api', audit: 'study.list' } }, async (request, reply) => {
    if (hasSearchParameters(asRecord(request.query))) return listSearched(request, reply);
    if (asRecord(request.query).assignedTo === MINE_OR_UNASSIGNED) return listMineOrUnassigned(request, reply);
    const input = checkInput(reply, contract, 'listStudies', { query: request.query });
    if (!input) return reply;
    const result = await avara.listStudies(input.query);
    if (result.ok) noteAudit(request, { studyIds: studyIdsIn(result.json) });
    else noteAudit(request, { outcome: 'failed' });
    return relay(reply, result);
  });

  /**
   * `assignedTo=mine-or-unassigned`: the caller's studies and the unassigned ones they may claim, one
   * list merged from two walks of the list API (merged-walk.ts), behind the BFF's own cursor.
   */
  async function listMineOrUnassigned(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const { assignedTo: _assignee, cursor, limit, ...filters } = asRecord(request.query);
    const input = checkInput(reply, contract, 'listStudies', {
      query: { ...filters, ...(limit === undefined ? {} : { limit }) },
    });
    if (!input) return reply;
    const { limit: checkedLimit, ...checkedFilters } = input.query;
    const me = claimer(request);
    if (me === undefined) return sendProblem(reply, mayNotClaimProblem());
    const scope = scopeOf(me, checkedFilters);
    const pageSize = typeof checkedLimit === 'number' ? checkedLimit : MERGED_DEFAULT_LIMIT;
    let from = startPosition(pageSize);
    if (cursor !== undefined) {
      const decoded = typeof cursor === 'string' ? decodeMergedCursor(cursor, scope) : undefined;
      if (!decoded) {
        return sendProblem(reply, foreignCursorProblem());
      }
      from = decoded;
    }
    try {
      const page = await mergedPage(mergedWalkReader(checkedFilters, me), from, pageSize);
      noteAudit(request, { studyIds: page.studies.map((study) => study.studyId) });
      const answer: StudyListPage = {
        studies: page.studies,
        hasMore: page.next !== null,
        cursor: page.next ? encodeMergedCursor(page.next, scope) : undefined,
      };
      return reply.code(200).send(answer);
    } catch (error) {
      if (!(error instanceof WalkFailed)) throw error;
      noteAudit(request, { outcome: 'failed' });
      return relay(reply, error.result);
    }
  }

  /** The person's Avara user when they may claim unassigned studies (the permissions rule says), else undefined. */
  function claimer(request: FastifyRequest): string | undefined {
    const user = userOf(request);
    const me = user.userId;
    return me !== null && mayChange(actorOf(user), { assignedTo: null }, { assignedTo: me }).allowed ? me : undefined;
  }

  /** Reads one page of either walk of "mine and unassigned" from the list API. */
  function mergedWalkReader(filters: Record<string, unknown>, me: string) {
    return async (walk: 'mine' | 'unassigned', walkCursor: string | null, walkLimit: number) => {
      const result = await avara.listStudies({
        ...filters,
        assignedTo: walk === 'mine' ? me : '',
        limit: walkLimit,
        ...(walkCursor ? { cursor: walkCursor } : {}),
      });
      if (!result.ok) throw new WalkFailed(result);
      if (!isStudyListPage(result.body)) return { studies: [], hasMore: false, cursor: undefined };
      return { studies: result.body.studies, hasMore: result.body.hasMore, cursor: result.body.cursor ?? undefined };
    };
  }

  /**
   * A searched list (search-walk.ts, docs/decisions/032 and 040): the list walked with the other
   * filters (the merged walk for `mine-or-unassigned`), upstream page by page within a time budget,
   * kept to the studies the search matches, with the PACS's context of each page from one batched
   * lookup. Behind a cursor of the BFF's own.
   */
  async function listSearched(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const { search, rest, issues } = parseSearchQuery(asRecord(request.query));
    const { assignedTo, cursor, limit, ...filters } = rest;
    const merged = assignedTo === MINE_OR_UNASSIGNED;
    const input = checkInput(reply, contract, 'listStudies', {
      query: {
        ...filters,
        ...(merged || assignedTo === undefined ? {} : { assignedTo }),
        ...(limit === undefined ? {} : { limit }),
      },
    });
    if (!input) return reply;
    if (issues.length > 0) return sendProblem(reply, invalidRequestProblem(issues));
    const { limit: checkedLimit, ...checkedFilters } = input.query;
    const pageSize = typeof checkedLimit === 'number' ? checkedLimit : MERGED_DEFAULT_LIMIT;
    const me = merged ? claimer(request) : undefined;
    if (merged && me === undefined) return sendProblem(reply, mayNotClaimProblem());
    const scope = scopeOf(userOf(request).email, {
      ...checkedFilters,
      merged,
      search: JSON.stringify(search),
      pageSize,
    });
    let from: SearchCursorPosition | undefined;
    if (cursor !== undefined) {
      from = typeof cursor === 'string' ? decodeSearchCursor(cursor, scope) : undefined;
      if (!from || from.kind !== (merged ? 'merged' : 'plain')) {
        return sendProblem(reply, foreignCursorProblem());
      }
    }
    // From Orthanc's index: cheaper per page than the DICOMweb search, into the same cache (040).
    const contexts: LookupContexts = pacsLookup ? (uids) => pacsLookup.indexContexts(uids) : undefined;
    const severity = SEVERITIES.find((value): value is Severity => value === checkedFilters.severity);
    // "Critical results": the studies the report records name; none at all needs no walk.
    const openCritical = search.critical ? await studiesWithOpenCritical(shared) : undefined;
    if (openCritical?.size === 0) {
      noteAudit(request, { studyIds: [] });
      return reply.code(200).send({ studies: [], hasMore: false } satisfies StudyListPage);
    }
    const common = {
      contexts,
      limit: pageSize,
      search,
      severity,
      now: now(),
      ...(options.slaTargets ? { targets: options.slaTargets } : {}),
      ...(openCritical ? { openCritical } : {}),
    };
    try {
      let studies: StudyListPage['studies'];
      let next: SearchCursorPosition | null;
      if (merged && me !== undefined) {
        const page = await searchPage<MergedPosition>({
          ...common,
          from: from?.kind === 'merged' ? from.position : null,
          read: async (position, walkLimit) => {
            const answer = await mergedPage(
              mergedWalkReader(checkedFilters, me),
              position ?? startPosition(walkLimit),
              walkLimit,
            );
            return { studies: answer.studies, next: answer.next };
          },
        });
        studies = page.studies;
        next = page.next ? { kind: 'merged', position: page.next } : null;
      } else {
        const page = await searchPage<string>({
          ...common,
          from: from?.kind === 'plain' ? from.cursor : null,
          read: async (upstreamCursor, walkLimit) => {
            const result = await avara.listStudies({
              ...checkedFilters,
              limit: walkLimit,
              ...(upstreamCursor ? { cursor: upstreamCursor } : {}),
            });
            if (!result.ok) throw new WalkFailed(result);
            if (!isStudyListPage(result.body)) return { studies: [], next: null };
            return {
              studies: result.body.studies,
              next: result.body.hasMore && result.body.cursor ? result.body.cursor : null,
            };
          },
        });
        studies = page.studies;
        next = page.next ? { kind: 'plain', cursor: page.next } : null;
      }
      noteAudit(request, { studyIds: studies.map((study) => study.studyId) });
      const answer: StudyListPage = {
        studies,
        hasMore: next !== null,
        ...(next ? { cursor: encodeSearchCursor(next, scope) } : {}),
      };
      return reply.code(200).send(answer);
    } catch (error) {
      if (error instanceof WalkFailed) {
        noteAudit(request, { outcome: 'failed' });
        return relay(reply, error.result);
      }
      noteAudit(request, { outcome: 'failed' });
      return pacsDown(request, reply, error);
    }
  }

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

  app.get(
    '/api/studies/by-uid/:studyInstanceUid',
    { config: { access: 'api', audit: 'study.view' } },
    async (request, reply) => {
      const input = checkInput(reply, contract, 'retrieveStudyByUid', { params: request.params });
      if (!input) return reply;
      return relayViewed(request, reply, await avara.retrieveStudyByUid(required(input.path.studyInstanceUid)));
    },
  );

  app.get('/api/studies/:studyId', { config: { access: 'api', audit: 'study.view' } }, async (request, reply) => {
    const input = checkInput(reply, contract, 'retrieveStudy', { params: request.params });
    if (!input) return reply;
    return relayViewed(request, reply, await avara.retrieveStudy(required(input.path.studyId)));
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
    // Made against a version older than one already seen (a claim that lost the race), the change
    // cannot succeed: answered at once, without the lock or the upstream (docs/decisions/017).
    const stale = (): FastifyReply | undefined => {
      const newer = knownVersions.newerThan(studyId, condition);
      if (!newer) return undefined;
      noteAudit(request, studyKeys(newer));
      return sendProblem(reply, changedMeanwhileProblem(newer, claimedByDetail(request, changes, newer)));
    };
    const settled = stale();
    if (settled) return settled;
    const watch = knownVersions.watch(studyId, condition);
    try {
      return await underStudyLock(
        request,
        reply,
        studyId,
        { stale, stopWaiting: watch.signal },
        async (signal, release, left) => {
          // The study as the lock's last holder wrote it (docs/decisions/043), as good as an event heard:
          // a claim that took the lock before its instance heard of the winner is answered without the upstream.
          if (left) knownVersions.learn(left);
          // Heard of a newer version while waiting its turn: the same answer, without asking the upstream.
          const settledMeanwhile = stale();
          if (settledMeanwhile) return settledMeanwhile;
          // The study as it is now, read under the lock: the If-Match check, the permissions rule and the
          // audit line's "before" (study-changes.ts, the one path of every change).
          const outcome = await changeStudy(avara, studyEvents, {
            studyId,
            condition,
            changes,
            user: userOf(request),
            signal,
            release,
            knownVersions,
          });
          if (outcome.kind === 'upstream-failed') {
            noteAudit(request, { ...(outcome.before ? studyKeys(outcome.before) : {}), outcome: 'failed' });
            return relay(reply, outcome.result);
          }
          if (outcome.kind !== 'changed') {
            noteAudit(request, studyKeys(outcome.current));
            if (outcome.kind === 'changed-meanwhile')
              return sendProblem(
                reply,
                changedMeanwhileProblem(outcome.current, claimedByDetail(request, changes, outcome.current)),
              );
            return sendProblem(reply, forbidden(outcome.detail));
          }
          const fields = Object.keys(changes);
          noteAudit(request, {
            ...studyKeys(outcome.after),
            before: pick(outcome.before, fields),
            after: pick(outcome.after, fields),
          });
          // Marked read: the reader's lease on it ends with the reading (it would otherwise expire).
          if (changes.studyViewerStatus === 'complete') await endOwnLease(request, studyId);
          return relay(reply, outcome.result);
        },
      );
    } finally {
      watch.stop();
    }
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
    app.post(
      `/api/studies/:studyId/${action}`,
      { config: { access: isChange ? 'coordinator' : 'api', audit: auditAction } },
      async (request, reply) => {
        const studyId = studyIdParam(request.params);
        const reference = { studyId } satisfies StudyReferenceParams;
        // The BFF names the study in the path; the upstream takes it in the body: check that body.
        const input = checkInput(reply, contract, operationId, { body: reference });
        if (!input) return reply;
        if (isChange) {
          // Optional here (a cancel from the drawer is "whatever it is now"); a bulk change sends the
          // version the person confirmed, compared under the lock like a PATCH's (docs/decisions/033).
          const condition = parseIfMatch(request.headers['if-match']);
          return underStudyLock(request, reply, studyId, undefined, async (signal) => {
            if (condition && condition.kind === 'version') {
              const current = await avara.retrieveStudy(studyId);
              if (!current.ok) {
                noteAudit(request, { outcome: 'failed' });
                return relay(reply, current);
              }
              const study = asRecord(parseUpstreamJson(current));
              knownVersions.learn(study);
              if (!ifMatchHolds(condition, study.updatedAt)) {
                noteAudit(request, studyKeys(study));
                return sendProblem(reply, changedMeanwhileProblem(study));
              }
            }
            signal.throwIfAborted();
            const result = await call(reference);
            noteAudit(request, {
              ...(result.ok
                ? { before: { isCancelled: action === 'uncancel' }, after: { isCancelled: action === 'cancel' } }
                : { outcome: 'failed' }),
            });
            if (result.ok) {
              // The answer is {success, message}: the event carries the study as it is now.
              const now = await avara.retrieveStudy(studyId).catch(() => undefined);
              if (now?.ok) {
                knownVersions.learn(parseUpstreamJson(now));
                await studyEvents.changed(parseUpstreamJson(now), 'worklist', userOf(request));
              }
            }
            return relay(reply, result);
          });
        }
        let result = await call(reference);
        if (result.ok) result = launchOnPersonsOrigin(result, request);
        const allowed = bundledLaunchOrigin
          ? [...viewerOrigins, requestOrigin(request) ?? bundledLaunchOrigin]
          : viewerOrigins;
        if (result.ok && !isAllowedViewerUrl(parseUpstreamJson(result), allowed)) {
          request.log.error('the viewer URL points to an origin that is not in VIEWER_ORIGINS');
          return sendProblem(reply, {
            type: PROBLEM_TYPES.upstreamFailed,
            title: 'The viewer link is not allowed',
            status: 502,
            detail:
              'The viewer link points to a site that is not allowed. An administrator needs to add it to VIEWER_ORIGINS.',
            retryable: false,
          });
        }
        if (!result.ok) noteAudit(request, { outcome: 'failed' });
        return relay(reply, result);
      },
    );
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
    waiting: { stale: () => FastifyReply | undefined; stopWaiting: AbortSignal } | undefined,
    change: LockTask<FastifyReply>,
  ): Promise<FastifyReply> {
    try {
      return await withStudyLock(
        shared,
        studyId,
        STUDY_LOCK_WAIT_MS,
        change,
        // A release heard while waiting hands on the study as written (docs/decisions/047): a change
        // made against an older version is answered 409 from it, without taking the lock.
        waiting && { signal: waiting.stopWaiting, heard: (note) => knownVersions.learn(note) },
      );
    } catch (error) {
      if (error instanceof LockTimeoutError) {
        const settled = waiting?.stale();
        if (settled) return settled;
      }
      if (lockProblem(error)) noteAudit(request, { outcome: 'failed' });
      return sendLockProblem(reply, error);
    }
  }

  /** A bundled launch link is given on the origin the person uses (their session lives there). */
  function launchOnPersonsOrigin(
    result: Extract<UpstreamResult, { ok: true }>,
    request: FastifyRequest,
  ): UpstreamResult {
    const url = asRecord(parseUpstreamJson(result)).url;
    if (!bundledLaunchOrigin || typeof url !== 'string') return result;
    const moved = onPersonsOrigin(url, bundledLaunchOrigin, request);
    return moved === url ? result : { ...result, json: JSON.stringify({ url: moved }) };
  }
}

/** For a claim that lost: who has the study now, so the person is told rather than merely refused. */
function claimedByDetail(
  request: FastifyRequest,
  changes: Record<string, unknown>,
  current: Record<string, unknown>,
): string | undefined {
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

/** A caller who may not claim studies asked for "mine and unassigned". */
function mayNotClaimProblem() {
  return invalidRequestProblem([
    {
      in: 'query',
      name: 'assignedTo',
      message: `${MINE_OR_UNASSIGNED} needs an account that may claim studies (an Avara user)`,
    },
  ]);
}

/** Studies per page of the merged list when the request names no `limit` (the list API's largest page). */
const MERGED_DEFAULT_LIMIT = 100;

/** An upstream failure in the middle of a merged walk: answered as the upstream's problem. */
class WalkFailed extends Error {
  readonly result: Extract<UpstreamResult, { ok: false }>;
  constructor(result: Extract<UpstreamResult, { ok: false }>) {
    super(`Avara answered ${result.status}`);
    this.result = result;
  }
}

/** Passes a success body through untouched, or answers the matching problem. */
function relay(reply: FastifyReply, result: UpstreamResult, successStatus?: number): FastifyReply {
  if (!result.ok) return sendProblem(reply, problemFromUpstream(result, 'Study'), result.retryAfter);
  return reply
    .code(successStatus ?? result.status)
    .type('application/json; charset=utf-8')
    .send(result.json);
}

/** A cursor this list did not make, or made before it changed: 400, start again without it. */
function foreignCursorProblem() {
  return invalidRequestProblem([
    {
      in: 'query',
      name: 'cursor',
      message:
        'is not a cursor of this list (changed, or made for other filters or someone else): start again without it',
    },
  ]);
}

/** Relays a study that was asked for, noting in the audit trail which one it was. */
function relayViewed(request: FastifyRequest, reply: FastifyReply, result: UpstreamResult): FastifyReply {
  noteAudit(request, result.ok ? studyKeys(asRecord(parseUpstreamJson(result))) : { outcome: 'failed' });
  return relay(reply, result);
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
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? Object.fromEntries(Object.entries(value))
    : {};
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
