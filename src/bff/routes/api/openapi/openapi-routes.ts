import type { FastifyInstance } from 'fastify';
import { loadWorklistApiDocument } from '../../../../contract/load-worklist-contract.ts';

/** Where the BFF's own API document is published. */
export const OPENAPI_PATH = '/api/openapi.json';

/**
 * `GET /api/openapi.json`: this API as an OpenAPI 3.1 document (src/contract/worklist-openapi.yaml,
 * self-contained). Public, like the repository it comes from: it describes routes, never data, and a
 * portal's developers or a gateway read it without a session.
 */
export async function openApiRoutes(app: FastifyInstance): Promise<void> {
  // Read once, at the first request: a start-up that never serves it never reads it.
  let text: string | undefined;
  app.get(OPENAPI_PATH, { config: { access: 'public' } }, async (_request, reply) => {
    text ??= JSON.stringify(loadWorklistApiDocument());
    return reply.type('application/json; charset=utf-8').send(text);
  });
}
