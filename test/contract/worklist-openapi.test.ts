/**
 * The BFF's own API document (src/contract/worklist-openapi.yaml) against the server: every `/api`
 * route the server registers (Fastify's onRoute, as plugins/route-access.ts catalogs them) is in the
 * document with its method, and the document has no route the server lacks. The published copy
 * (`GET /api/openapi.json`) is self-contained: every reference resolves inside it.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleWorklistDocument, loadWorklistApiDocument } from '../../src/contract/load-worklist-contract.ts';
import { buildTestBff } from '../support/test-bff.ts';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

let app: FastifyInstance;

beforeAll(async () => {
  // Never asked: building the app and listing its routes calls no upstream.
  app = await buildTestBff({ upstreamUrl: 'http://127.0.0.1:9', apiKey: 'test-key-0123456789' });
  await app.ready();
});

afterAll(async () => {
  await app.close();
});

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** "METHOD /path/{param}" of every operation of the document. */
function documentedOperations(document: Record<string, unknown>): string[] {
  const paths = isRecord(document.paths) ? document.paths : {};
  return Object.entries(paths).flatMap(([path, item]) =>
    METHODS.filter((method) => isRecord(item) && method in item).map((method) => `${method.toUpperCase()} ${path}`),
  );
}

/** "METHOD /path/{param}" of every `/api` route the server registered (HEAD is Fastify's own, for each GET). */
function registeredOperations(server: FastifyInstance): string[] {
  return server.routeCatalog
    .filter(({ url, method }) => /^\/api(\/|$)/.test(url) && method !== 'HEAD')
    .map(({ method, url }) => `${method} ${url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`);
}

function refsIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refsIn);
  if (!isRecord(value)) return [];
  return Object.entries(value).flatMap(([key, inner]) =>
    key === '$ref' && typeof inner === 'string' ? [inner] : refsIn(inner),
  );
}

function resolve(document: Record<string, unknown>, ref: string): unknown {
  let at: unknown = document;
  for (const segment of ref.replace(/^#\//, '').split('/'))
    at = isRecord(at) ? at[segment.replaceAll('~1', '/').replaceAll('~0', '~')] : undefined;
  return at;
}

describe('the BFF API document', () => {
  it('lists exactly the /api routes the server registers, none missing, none extra', () => {
    const documented = documentedOperations(loadWorklistApiDocument()).sort();
    const registered = registeredOperations(app).sort();
    expect(registered.length).toBeGreaterThan(20);
    expect(documented.filter((operation) => !registered.includes(operation))).toEqual([]);
    expect(registered.filter((operation) => !documented.includes(operation))).toEqual([]);
    // And each operation once (the server would refuse a duplicate route; the document must not list one twice).
    expect(new Set(documented).size).toBe(documented.length);
  });

  it('is published at GET /api/openapi.json without a session, self-contained', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    const document: unknown = response.json();
    if (!isRecord(document)) throw new Error('not an object');
    expect(document.openapi).toBe('3.1.0');
    expect(document).toEqual(loadWorklistApiDocument());
    const refs = refsIn(document);
    expect(refs.filter((ref) => !ref.startsWith('#/'))).toEqual([]);
    expect(refs.filter((ref) => resolve(document, ref) === undefined)).toEqual([]);
    // The Avara shapes it relays came along.
    expect(resolve(document, '#/components/schemas/Study')).toBeDefined();
    expect(resolve(document, '#/components/schemas/UserReference')).toBeDefined();
  });

  it('describes every operation with its answers and problem answers, and the event stream as text/event-stream', () => {
    const document = loadWorklistApiDocument();
    const paths = isRecord(document.paths) ? document.paths : {};
    for (const [path, item] of Object.entries(paths)) {
      for (const method of METHODS) {
        const operation = isRecord(item) ? item[method] : undefined;
        if (!isRecord(operation)) continue;
        expect(typeof operation.operationId, `${method} ${path}`).toBe('string');
        const responses = isRecord(operation.responses) ? Object.keys(operation.responses) : [];
        expect(
          responses.some((status) => /^2\d\d$/.test(status)),
          `${method} ${path} has a success answer`,
        ).toBe(true);
        expect(
          responses.some((status) => status === 'default' || /^[45]\d\d$/.test(status)),
          `${method} ${path} has a problem answer`,
        ).toBe(true);
      }
    }
    expect(resolve(document, '#/paths/~1api~1events/get/responses/200/content/text~1event-stream')).toBeDefined();
  });

  it('refuses a schema name that both documents define', () => {
    const worklist = {
      openapi: '3.1.0',
      paths: {
        '/api/x': { get: { responses: { '200': { $ref: './avara-openapi.yaml#/components/schemas/Study' } } } },
      },
      components: { schemas: { Study: { type: 'object' } } },
    };
    expect(() => bundleWorklistDocument(worklist, { components: { schemas: { Study: { type: 'object' } } } })).toThrow(
      /Study is defined in worklist-openapi.yaml/,
    );
  });
});
