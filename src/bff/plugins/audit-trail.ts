import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuditEntry, AuditLog, AuditUser } from '../auth/audit-log.ts';

/** What a handler adds to its request's audit line: which studies, before and after, an outcome. */
export type AuditDetails = Partial<Omit<AuditEntry, 'user' | 'address'>>;

declare module 'fastify' {
  interface FastifyRequest {
    auditDetails: AuditDetails | null;
    auditWritten: boolean;
  }
}

/** Adds to the request's audit line; the line itself is written once, when the answer goes out. */
export function noteAudit(request: FastifyRequest, details: AuditDetails): void {
  request.auditDetails = { ...request.auditDetails, ...details };
}

/**
 * Exactly one audit line for every request to a route that declares `config.audit` (or whose
 * handler names an action), whatever happens to it: answered by the handler, refused by the access
 * check or the rate limit, refused while its body was read (too large, wrong type, malformed JSON,
 * `__proto__`), failed upstream, or abandoned by the client. The line is written as the answer is
 * sent, with the outcome read from its status unless the handler said otherwise.
 */
export function registerAuditTrail(app: FastifyInstance, audit: AuditLog): void {
  app.decorateRequest('auditDetails', null);
  app.decorateRequest('auditWritten', false);

  function write(request: FastifyRequest, status: number): void {
    if (request.auditWritten) return;
    const details = request.auditDetails ?? {};
    const action = details.action ?? request.routeOptions.config?.audit;
    if (!action) return;
    request.auditWritten = true;
    const derived = status < 400 ? 'ok' : status >= 500 || status === 499 ? 'failed' : 'refused';
    const outcome =
      status < 400
        ? (details.outcome ?? 'ok')
        : details.outcome === 'ok' || !details.outcome
          ? derived
          : details.outcome;
    audit.record({
      ...keysFromPath(request.params),
      ...details,
      action,
      user: auditUser(request),
      address: request.ip,
      outcome,
      ...(outcome === 'ok' ? {} : { status }),
    });
  }

  // Callback hooks rather than async ones: they run on every request, and have nothing to wait for.
  app.addHook('onSend', (request, reply, payload, done) => {
    write(request, reply.statusCode);
    done(null, payload);
  });
  app.addHook('onRequestAbort', (request, done) => {
    // The client went away before an answer: 499, as proxies log it.
    write(request, 499);
    done();
  });
}

function auditUser(request: FastifyRequest): AuditUser {
  const { user } = request;
  if (user) return { email: user.email, role: user.role, userId: user.userId };
  return { email: request.refusedIdentity, role: null, userId: null };
}

/** The study or PACS object a route's path names, so a request refused before its handler is still attributed. */
function keysFromPath(params: unknown): AuditDetails {
  if (typeof params !== 'object' || params === null) return {};
  const text = (name: string) => {
    const value: unknown = Object.getOwnPropertyDescriptor(params, name)?.value;
    return typeof value === 'string' && value !== '' ? value.slice(0, 100) : undefined;
  };
  const studyId = text('studyId');
  const studyInstanceUid = text('studyInstanceUid') ?? text('uid');
  const orthancInstanceId = text('instanceId');
  return {
    ...(studyId ? { studyId } : {}),
    ...(studyInstanceUid ? { studyInstanceUid } : {}),
    ...(orthancInstanceId ? { orthancInstanceId } : {}),
  };
}
