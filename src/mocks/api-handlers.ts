import {
  changedMeanwhileProblem,
  ifMatchHolds,
  parseIfMatch,
  preconditionRequiredProblem,
} from '../contract/if-match.ts';
import { http, HttpResponse } from 'msw';
import type { HttpHandler } from 'msw';
import type { OperationId } from '../contract/avara-types.ts';
import { SEVERITIES } from '../contract/avara-types.ts';
import { DEFAULT_SLA_TARGETS, isOverdue, minutesWaiting } from '../contract/sla.ts';
import type { OperationInput, QueryInput, ValidatedInput, ValidationIssue } from '../contract/contract-validator.ts';
import { queryInputFrom } from '../contract/contract-validator.ts';
import { invalidRequestProblem, PROBLEM_TYPES } from '../contract/problem.ts';
import { problemResponse, signInRequiredResponse } from './problem-response.ts';
import type { Problem } from '../contract/problem.ts';
import { seedDemoData } from '../avara-server/seed/demo-data.ts';
import { AvaraError } from '../avara-server/store/avara-error.ts';
import { createMemoryRepository } from '../avara-server/store/memory-repository.ts';
import { createParamsFrom, listStudiesQueryFrom, updateParamsFrom } from '../avara-server/store/operation-input.ts';
import { StudyService } from '../avara-server/store/study-service.ts';
import { actorOf, mayChange } from '../contract/permissions.ts';
import { roleFromAvaraUser } from '../contract/actor.ts';
import type { ReadingLease } from '../contract/worklist-events.ts';
import { mockContractValidator } from './contract-text.ts';
import { mergedPage, positionFromJson, positionToJson, startPosition } from '../bff/routes/api/studies/merged-walk.ts';
import { MINE_OR_UNASSIGNED } from '../contract/worklist-api.ts';
import { hasSearchParameters, parseSearchQuery } from '../contract/study-search.ts';
import { searchPage } from '../bff/routes/api/studies/search-walk.ts';
import { createReadingHandlers } from './reading-handlers.ts';
import { createReportHandlers } from './report-handlers.ts';
import type { StudyReport } from '../contract/study-reports.ts';

/** The mock `/api/events`: tests send events to every open stream. */
export interface MockEventStream {
  /** Sends one message (data as JSON unless a string) to every open stream. */
  send(event: string, data: unknown, id?: string): void;
  /** Ends every open stream, as a server restart would. */
  endAll(): void;
  readonly open: number;
}

export function createMockEventStream(): MockEventStream & {
  attach(controller: ReadableStreamDefaultController<Uint8Array>): () => void;
} {
  const controllers = new Set<ReadableStreamDefaultController<Uint8Array>>();
  const encoder = new TextEncoder();
  return {
    send(event, data, id) {
      const text = `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
      for (const controller of controllers) controller.enqueue(encoder.encode(text));
    },
    endAll() {
      for (const controller of [...controllers]) {
        controllers.delete(controller);
        controller.close();
      }
    },
    get open() {
      return controllers.size;
    },
    attach(controller) {
      controllers.add(controller);
      return () => controllers.delete(controller);
    },
  };
}

export interface ApiHandlersOptions {
  /** Reading leases held from the start (e.g. someone else reading a study). */
  leases?: readonly ReadingLease[];
  /** The live stream's hub; by default one nobody sends to. */
  events?: ReturnType<typeof createMockEventStream>;
  /** The store the handlers serve; a fresh in-memory one with demo data when not given. */
  service?: StudyService;
  /**
   * Who GET /api/me says is signed in: a role (the first demo user with it), or null for nobody.
   * Default: a coordinator.
   */
  signedInAs?: 'coordinator' | 'radiologist' | null;
  /** Demo studies for that fresh store (default 500). Ignored when `service` is given. */
  demoStudies?: number;
  /** Reports delivered so far, by study (GET /api/studies/{studyId}/reports, /api/critical-results). */
  reports?: Map<string, StudyReport[]>;
}

export interface MockStudyServiceOptions {
  demoStudies?: number;
  /** The seeding time (default now); the same value gives the same studies. */
  now?: Date;
}

const DEFAULT_MOCK_STUDIES = 500;
const MOCK_API_KEY_ID = '6f1c2a4e-8b3d-4e5f-9a7b-2c4d6e8f0a1b';
const MOCK_LINK_TTL_SECONDS = 300;

/**
 * The bundled server's rules over an in-memory store, for the mocks: tests pass it to
 * `createApiHandlers` to look at or prepare the data the UI sees.
 */
export function createMockStudyService(options: MockStudyServiceOptions = {}): StudyService {
  const repository = createMemoryRepository();
  const apiKey = { apiKeyId: MOCK_API_KEY_ID, description: 'Radiology Worklist (mock)', isViewerEnabled: true };
  const service = new StudyService(repository, { apiKey, viewerUrl: mockViewerUrl });
  seedDemoData(repository, { studies: options.demoStudies ?? DEFAULT_MOCK_STUDIES, apiKey, now: options.now });
  return service;
}

/**
 * MSW handlers that answer like the BFF's `/api` routes (same paths, bodies, statuses and
 * problem+json errors), backed by the same rules as the bundled Avara server. Paths start with
 * `*` so they match whatever origin the page runs on.
 */
export function createApiHandlers(options: ApiHandlersOptions = {}): HttpHandler[] {
  const service = options.service ?? createMockStudyService({ demoStudies: options.demoStudies });
  const events = options.events ?? createMockEventStream();
  const people = service.listUsers({ limit: 100 }).users;
  const roleOf = roleFromAvaraUser;
  const asMe = (user: (typeof people)[number]) => ({
    subject: user.email,
    email: user.email,
    name: [[user.firstName, user.lastName].join(' '), user.suffix1, user.suffix2].filter(Boolean).join(', '),
    role: roleOf(user),
    userId: user.userId,
    authMode: 'dev',
  });
  const wanted = options.signedInAs === undefined ? 'coordinator' : options.signedInAs;
  let signedIn = wanted === null ? undefined : people.find((user) => roleOf(user) === wanted);
  const unauthorized = signInRequiredResponse;

  return [
    http.get('*/auth/config', () =>
      HttpResponse.json({
        mode: 'dev',
        portalOrigins: [],
        viewerOrigins: [typeof location === 'undefined' ? 'http://localhost' : location.origin],
        demoUsers: people.map((user) => ({
          username: user.email,
          name: asMe(user).name,
          role: roleOf(user),
          clinicRole: user.clinicRole,
        })),
        slaTargets: { ...DEFAULT_SLA_TARGETS },
      }),
    ),
    http.post('*/auth/login', async ({ request }) => {
      const body = await jsonBodyOf(request);
      const username = typeof body === 'object' && body !== null && 'username' in body ? body.username : undefined;
      const user = people.find((person) => person.email === username);
      if (!user)
        return problemResponse({
          type: PROBLEM_TYPES.forbidden,
          title: 'Not allowed',
          status: 403,
          detail: `${String(username)} is not a demo user.`,
        });
      signedIn = user;
      return HttpResponse.json({ user: asMe(user) });
    }),
    http.post('*/auth/logout', () => {
      signedIn = undefined;
      return HttpResponse.json({ signedOut: true, redirect: null });
    }),
    http.get('*/api/me', () => (signedIn ? HttpResponse.json(asMe(signedIn)) : unauthorized())),
    http.get('*/api/users', () => HttpResponse.json({ users: people })),

    http.get('*/api/customers/:customerId', ({ params }) => {
      const customerId = typeof params.customerId === 'string' ? params.customerId : '';
      const customer = /^cus_[0-9a-f]{32}$/.test(customerId)
        ? service.listStudies({ expressCustomerId: customerId, limit: 1 }).studies[0]?.expressCustomer
        : undefined;
      if (!customer)
        return problemResponse({
          type: PROBLEM_TYPES.notFound,
          title: 'Customer not found',
          status: 404,
          detail: 'No study names this customer.',
        });
      return HttpResponse.json({ customerId, name: customer.expressCustomerName });
    }),
    http.get('*/api/health', () => HttpResponse.json({ status: 'ok' })),
    http.get('*/api/ready', () => HttpResponse.json({ status: 'ready' })),
    // The active queue's counts, walked from the store as the BFF's fallback does.
    http.get('*/api/worklist/counts', () => {
      const zero = () => ({ stat: 0, high: 0, normal: 0 });
      const bySeverity = zero();
      const overdue = zero();
      const unassigned = zero();
      const byAssignee: Record<string, ReturnType<typeof zero>> = {};
      const now = Date.now();
      for (const severity of SEVERITIES) {
        let cursor: string | undefined;
        do {
          const page = service.listStudies({
            severity,
            isCancelled: false,
            studyViewerStatus: 'incomplete',
            limit: 100,
            ...(cursor ? { cursor } : {}),
          });
          for (const study of page.studies) {
            bySeverity[severity] += 1;
            const minutes = minutesWaiting(study.createdAt, now);
            if (minutes !== null && isOverdue(minutes, severity)) overdue[severity] += 1;
            const assignee = study.assignedTo?.userId;
            if (assignee) (byAssignee[assignee] ??= zero())[severity] += 1;
            else unassigned[severity] += 1;
          }
          cursor = page.hasMore && page.cursor ? page.cursor : undefined;
        } while (cursor);
      }
      return HttpResponse.json({
        unread: { stat: { count: bySeverity.stat, capped: false }, high: { count: bySeverity.high, capped: false } },
        bySeverity,
        overdue,
        unassigned,
        byAssignee,
        asOf: new Date(now).toISOString(),
        capped: false,
      });
    }),
    // The live stream, quiet: its first message, then nothing until the page closes it.
    http.get('*/api/events', ({ request }) => {
      if (!signedIn) return unauthorized();
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('id: mock:0-0\nevent: stream.status\ndata: {"status":"ok"}\n\n'));
          const detach = events.attach(controller);
          request.signal.addEventListener('abort', () => {
            detach();
            try {
              controller.close();
            } catch {
              // Already closed.
            }
          });
        },
      });
      return new HttpResponse(body, { headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-store' } });
    }),

    http.get('*/api/studies', async ({ request }) => {
      const query = queryOf(request);
      if (hasSearchParameters(query)) return searchedList(service, query);
      if (query.assignedTo === MINE_OR_UNASSIGNED) return mineOrUnassigned(service, query, signedIn?.userId ?? null);
      return answer(
        'listStudies',
        { query },
        (input) => service.listStudies(listStudiesQueryFrom(input.query)),
        'query',
      );
    }),

    http.post('*/api/studies', async ({ request }) => {
      const body = await jsonBodyOf(request);
      if (body instanceof Response) return body;
      return answer('createStudy', { body }, (input) => service.createStudy(createParamsFrom(input.body)), 'body', 201);
    }),

    http.get('*/api/studies/by-uid/:studyInstanceUid', ({ params }) => {
      const studyInstanceUid = stringParam(params.studyInstanceUid);
      return answer(
        'retrieveStudyByUid',
        { path: { studyInstanceUid } },
        () => service.retrieveStudyByUid(studyInstanceUid),
        'path',
      );
    }),

    http.get('*/api/studies/:studyId', ({ params }) => {
      const studyId = stringParam(params.studyId);
      return answer('retrieveStudy', { path: { studyId } }, () => service.retrieveStudy(studyId), 'path');
    }),

    http.patch('*/api/studies/:studyId', async ({ params, request }) => {
      const studyId = stringParam(params.studyId);
      const body = await jsonBodyOf(request);
      if (body instanceof Response) return body;
      const current = currentStudy(service, studyId);
      // Like the BFF: a change made against an older version is refused with the current study.
      const condition = parseIfMatch(request.headers.get('if-match'));
      if (!condition) return problemResponse(preconditionRequiredProblem());
      if (current && !ifMatchHolds(condition, current.updatedAt))
        return problemResponse(changedMeanwhileProblem(current));
      // Like the BFF: the permissions rule, for whoever is signed in.
      if (current && isChanges(body)) {
        const decision = mayChange(
          actorOf(signedIn && { role: roleOf(signedIn), userId: signedIn.userId }),
          current,
          body,
        );
        if (!decision.allowed)
          return problemResponse({
            type: PROBLEM_TYPES.forbidden,
            title: 'Not allowed',
            status: 403,
            detail: decision.detail,
          });
      }
      return answer(
        'updateStudy',
        { path: { studyId }, body },
        (input) => service.updateStudy(studyId, updateParamsFrom(input.body)),
        'body',
      );
    }),

    // The BFF names the study in the path; upstream takes it in the body.
    http.post('*/api/studies/:studyId/cancel', ({ params }) => {
      const studyId = stringParam(params.studyId);
      return answer('cancelStudy', { body: { studyId } }, () => service.cancelStudy({ studyId }), 'path');
    }),
    http.post('*/api/studies/:studyId/uncancel', ({ params }) => {
      const studyId = stringParam(params.studyId);
      return answer('uncancelStudy', { body: { studyId } }, () => service.uncancelStudy({ studyId }), 'path');
    }),
    http.post('*/api/studies/:studyId/viewer-url', ({ params }) => {
      const studyId = stringParam(params.studyId);
      return answer('rerouteStudyUrl', { body: { studyId } }, () => service.rerouteUrl({ studyId }), 'path');
    }),
    ...createReadingHandlers({
      person: () =>
        signedIn ? { userId: signedIn.userId, email: signedIn.email, name: asMe(signedIn).name } : undefined,
      send: (event, data) => events.send(event, data),
      leases: options.leases,
    }),
    ...createReportHandlers({
      ...(options.reports ? { reports: options.reports } : {}),
      person: () =>
        signedIn ? { userId: signedIn.userId, email: signedIn.email, name: asMe(signedIn).name } : undefined,
      study: (studyId) => {
        try {
          return service.retrieveStudy(studyId);
        } catch {
          return undefined;
        }
      },
      send: (event, data) => events.send(event, data),
    }),
  ];
}

/**
 * Validates the input as the BFF does (against the upstream operation), runs the service and
 * answers its result as JSON or its failure as problem+json. `where` is where the caller put the
 * fields the service may complain about.
 */
function answer(
  operationId: OperationId,
  input: OperationInput,
  run: (input: ValidatedInput) => unknown,
  where: ValidationIssue['in'],
  status = 200,
): Response {
  const result = mockContractValidator().validateInput(operationId, input);
  if (!result.ok) {
    // Fields the BFF takes from its path and forwards in the upstream body are reported as path.
    const issues = where === 'path' ? result.issues.map((issue) => ({ ...issue, in: 'path' as const })) : result.issues;
    return problemResponse(invalidRequestProblem(issues));
  }
  try {
    return Response.json(run(result.value), { status });
  } catch (error) {
    if (error instanceof AvaraError) return problemResponse(problemFor(error, where));
    throw error;
  }
}

function problemFor(error: AvaraError, where: ValidationIssue['in']): Problem {
  switch (error.status) {
    case 400: {
      const name = error.param ?? '';
      // Service messages start with the field's name; the problem's detail puts it back in front.
      const message =
        name && error.message.startsWith(`${name} `) ? error.message.slice(name.length + 1) : error.message;
      return invalidRequestProblem([{ in: name === 'cursor' ? 'query' : where, name, message }]);
    }
    case 404:
      return { type: PROBLEM_TYPES.notFound, title: 'Study not found', status: 404, detail: error.message };
    case 409:
      return {
        type: PROBLEM_TYPES.conflict,
        title: "The request conflicts with the study's current state",
        status: 409,
        detail: error.message,
      };
    default:
      return {
        type: PROBLEM_TYPES.internal,
        title: 'Something went wrong',
        status: 500,
        detail: 'The mock failed to answer',
      };
  }
}

function isChanges(body: unknown): body is Record<string, unknown> {
  return typeof body === 'object' && body !== null && !Array.isArray(body);
}

function currentStudy(service: StudyService, studyId: string) {
  try {
    return service.retrieveStudy(studyId);
  } catch (error) {
    if (error instanceof AvaraError) return undefined;
    throw error;
  }
}

/** The parsed JSON body, undefined when there is none, or a 400 answer when it is not JSON. */
async function jsonBodyOf(request: Request): Promise<unknown> {
  const text = await request.text();
  if (text.trim() === '') return undefined;
  try {
    const body: unknown = JSON.parse(text);
    return body;
  } catch {
    return problemResponse(invalidRequestProblem([{ in: 'body', name: '', message: 'is not valid JSON' }]));
  }
}

/**
 * Like the BFF's `assignedTo=mine-or-unassigned`: the same merge of two walks (merged-walk.ts); the
 * cursor is the position as base64 JSON, without the BFF's checksum and scope.
 */
async function mineOrUnassigned(service: StudyService, query: QueryInput, me: string | null): Promise<Response> {
  const { assignedTo: _assignee, cursor, limit, ...filters } = query;
  const checked = mockContractValidator().validateInput('listStudies', {
    query: { ...filters, ...(limit === undefined ? {} : { limit }) },
  });
  if (!checked.ok) return problemResponse(invalidRequestProblem(checked.issues));
  if (me === null)
    return problemResponse(
      invalidRequestProblem([
        { in: 'query', name: 'assignedTo', message: `${MINE_OR_UNASSIGNED} needs an Avara user` },
      ]),
    );
  const pageSize = typeof checked.value.query.limit === 'number' ? checked.value.query.limit : 100;
  let from = startPosition(pageSize);
  if (cursor !== undefined) {
    const decoded = typeof cursor === 'string' ? positionFromJson(parseJson(atobSafe(cursor))) : undefined;
    if (!decoded)
      return problemResponse(
        invalidRequestProblem([{ in: 'query', name: 'cursor', message: 'is not a cursor of this list' }]),
      );
    from = decoded;
  }
  const page = await mergedPage(
    async (walk, walkCursor, walkLimit) => {
      const listed = service.listStudies(
        listStudiesQueryFrom({
          ...checked.value.query,
          assignedTo: walk === 'mine' ? me : '',
          limit: walkLimit,
          ...(walkCursor ? { cursor: walkCursor } : {}),
        }),
      );
      return { studies: listed.studies, hasMore: listed.hasMore, cursor: listed.cursor ?? undefined };
    },
    from,
    pageSize,
  );
  return Response.json({
    studies: page.studies,
    hasMore: page.next !== null,
    cursor: page.next ? btoa(JSON.stringify(positionToJson(page.next))) : undefined,
  });
}

/**
 * Like the BFF's searched list (search-walk.ts, the same code): one page of the list walked with the
 * other filters, kept to the studies the search matches. No PACS in the mocks: the search works on
 * what the worklist knows. The cursor is the list's own; "mine and unassigned" is not searched here.
 */
async function searchedList(service: StudyService, query: QueryInput): Promise<Response> {
  const { search, rest, issues } = parseSearchQuery(query);
  const { cursor, limit, ...filters } = rest;
  const checked = mockContractValidator().validateInput('listStudies', {
    query: queryInputFrom({ ...filters, ...(limit === undefined ? {} : { limit }) }),
  });
  if (!checked.ok) return problemResponse(invalidRequestProblem(checked.issues));
  if (issues.length > 0) return problemResponse(invalidRequestProblem(issues));
  const { limit: checkedLimit, ...listFilters } = checked.value.query;
  const pageSize = typeof checkedLimit === 'number' ? checkedLimit : 100;
  const severity = SEVERITIES.find((value) => value === listFilters.severity);
  const page = await searchPage<string>({
    read: async (from, walkLimit) => {
      const listed = service.listStudies(
        listStudiesQueryFrom({ ...listFilters, limit: walkLimit, ...(from ? { cursor: from } : {}) }),
      );
      return { studies: listed.studies, next: listed.hasMore && listed.cursor ? listed.cursor : null };
    },
    contexts: undefined,
    from: typeof cursor === 'string' ? cursor : null,
    limit: pageSize,
    search,
    severity,
    now: Date.now(),
  });
  return Response.json({ studies: page.studies, hasMore: page.next !== null, cursor: page.next });
}

function atobSafe(text: string): string {
  try {
    return atob(text);
  } catch {
    return '';
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function queryOf(request: Request): QueryInput {
  const query: QueryInput = {};
  const params = new URL(request.url).searchParams;
  for (const name of new Set(params.keys())) {
    const values = params.getAll(name);
    query[name] = values.length === 1 ? values[0] : values;
  }
  return query;
}

function stringParam(value: string | readonly string[] | undefined): string {
  return typeof value === 'string' ? value : '';
}

/** A launch link on the page's own origin, as the BFF serves the launch route; unsigned in the mocks. */
function mockViewerUrl(studyId: string): string {
  const origin = typeof location === 'undefined' ? 'http://localhost' : location.origin;
  const expires = Math.floor(Date.now() / 1000) + MOCK_LINK_TTL_SECONDS;
  return `${origin}/launch/${studyId}?expires=${expires}&signature=${'0'.repeat(64)}`;
}
