import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_TYPES, invalidRequestProblem } from '../../../../contract/problem.ts';
import { SAVED_VIEW_LIMITS } from '../../../../contract/worklist-api.ts';
import type { Viewer } from '../../../../contract/worklist-filters.ts';
import { userOf } from '../../../auth/auth-plugin.ts';
import { sendProblem } from '../../../lib/problems.ts';
import type { SavedViews, ViewFailure } from '../../../views/saved-views.ts';
import { checkViewBody } from '../../../views/view-input.ts';

export interface ViewsRoutesOptions {
  views: SavedViews;
}

const VIEW_ID = /^viw_[0-9a-f]{24}$/;

/** Who is asking, as the filters' parsers need it (what "me" means, the assignee default). */
function viewerOf(request: FastifyRequest): Viewer {
  const { role, userId } = userOf(request);
  return { role, userId };
}

function viewIdOf(request: FastifyRequest<{ Params: { viewId: string } }>, reply: FastifyReply): string | undefined {
  const { viewId } = request.params;
  if (VIEW_ID.test(viewId)) return viewId;
  sendProblem(
    reply,
    invalidRequestProblem([{ in: 'path', name: 'viewId', message: 'must be a view ID (viw_ and 24 hex digits)' }]),
  );
  return undefined;
}

function failed(reply: FastifyReply, reason: ViewFailure): FastifyReply {
  if (reason === 'not-found') {
    return sendProblem(reply, {
      type: PROBLEM_TYPES.notFound,
      title: 'View not found',
      status: 404,
      detail: 'You have no saved view with this ID (it may have been deleted in another tab).',
    });
  }
  if (reason === 'too-many') {
    return sendProblem(reply, {
      type: PROBLEM_TYPES.conflict,
      title: 'Too many saved views',
      status: 409,
      detail: `You can keep at most ${SAVED_VIEW_LIMITS.viewsPerPerson} saved views. Delete one you no longer use, or update it instead.`,
    });
  }
  return sendProblem(reply, {
    type: PROBLEM_TYPES.conflict,
    title: 'Name already used',
    status: 409,
    detail: 'You already have a view with this name: pick another, or update that view.',
  });
}

/**
 * `/api/views`: the signed-in person's saved views of the worklist (src/bff/views/saved-views.ts).
 * Every route reads and writes the caller's own views only: the owner is the session's subject,
 * never a parameter.
 */
export async function viewsRoutes(app: FastifyInstance, { views }: ViewsRoutesOptions): Promise<void> {
  app.get('/api/views', { config: { access: 'api' } }, async (request) => views.list(userOf(request).subject));

  app.post('/api/views', { config: { access: 'api' } }, async (request, reply) => {
    const input = checkViewBody(request.body, viewerOf(request), 'create');
    if (!input.ok) return sendProblem(reply, invalidRequestProblem(input.issues));
    const { isDefault, ...content } = input.value;
    const result = await views.create(userOf(request).subject, content, { makeDefault: isDefault });
    if (!result.ok) return failed(reply, result.reason);
    return reply.code(201).send(result.value);
  });

  app.put('/api/views/default', { config: { access: 'api' } }, async (request, reply) => {
    const body: unknown = request.body;
    const viewId = typeof body === 'object' && body !== null && 'viewId' in body ? body.viewId : undefined;
    const extra = typeof body === 'object' && body !== null ? Object.keys(body).filter((key) => key !== 'viewId') : [];
    if (!(viewId === null || (typeof viewId === 'string' && VIEW_ID.test(viewId))) || extra.length > 0) {
      return sendProblem(
        reply,
        invalidRequestProblem([
          {
            in: 'body',
            name: 'viewId',
            message: 'is required: a view ID (viw_ and 24 hex digits), or null for no default',
          },
        ]),
      );
    }
    const result = await views.setDefault(userOf(request).subject, viewId);
    return result.ok ? result.value : failed(reply, result.reason);
  });

  app.patch<{ Params: { viewId: string } }>(
    '/api/views/:viewId',
    { config: { access: 'api' } },
    async (request, reply) => {
      const viewId = viewIdOf(request, reply);
      if (!viewId) return reply;
      const input = checkViewBody(request.body, viewerOf(request), 'update');
      if (!input.ok) return sendProblem(reply, invalidRequestProblem(input.issues));
      const result = await views.update(userOf(request).subject, viewId, input.value);
      return result.ok ? result.value : failed(reply, result.reason);
    },
  );

  app.delete<{ Params: { viewId: string } }>(
    '/api/views/:viewId',
    { config: { access: 'api' } },
    async (request, reply) => {
      const viewId = viewIdOf(request, reply);
      if (!viewId) return reply;
      const result = await views.remove(userOf(request).subject, viewId);
      return result.ok ? reply.code(204).send() : failed(reply, result.reason);
    },
  );
}
