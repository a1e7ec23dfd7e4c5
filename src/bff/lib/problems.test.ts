import { describe, expect, it } from 'vitest';
import { loadAvaraContract } from '../../contract/load-contract.ts';
import { REQUEST_FIELD_NAMES, knownField, problemFromUpstream } from './problems.ts';

/** Every parameter name and request-body property of the contract document. */
function contractRequestNames(): string[] {
  const document = loadAvaraContract();
  const names = new Set<string>();
  const schemas = document.components.schemas;
  const propertiesOf = (schema: unknown) => {
    if (typeof schema !== 'object' || schema === null) return;
    const ref = '$ref' in schema && typeof schema.$ref === 'string' ? schema.$ref.split('/').pop() : undefined;
    const resolved = ref ? schemas[ref] : schema;
    if (
      typeof resolved === 'object' &&
      resolved !== null &&
      'properties' in resolved &&
      typeof resolved.properties === 'object' &&
      resolved.properties !== null
    ) {
      for (const name of Object.keys(resolved.properties)) names.add(name);
    }
  };
  for (const pathItem of Object.values(document.paths)) {
    for (const operation of [pathItem, ...Object.values(pathItem)]) {
      if (typeof operation !== 'object' || operation === null) continue;
      const parameters = 'parameters' in operation && Array.isArray(operation.parameters) ? operation.parameters : [];
      for (const parameter of parameters) if (typeof parameter?.name === 'string') names.add(parameter.name);
      const requestBody = 'requestBody' in operation ? operation.requestBody : undefined;
      if (typeof requestBody === 'object' && requestBody !== null && 'content' in requestBody) {
        const content: unknown = requestBody.content;
        const json =
          typeof content === 'object' && content !== null && 'application/json' in content
            ? content['application/json']
            : undefined;
        if (typeof json === 'object' && json !== null && 'schema' in json) propertiesOf(json.schema);
      }
    }
  }
  return [...names].sort();
}

describe('the field names an upstream 400 may show', () => {
  it("are exactly the contract's parameters and request-body fields", () => {
    expect([...REQUEST_FIELD_NAMES].sort()).toEqual(contractRequestNames());
  });

  it('name a field only when the contract knows it, and only the field', () => {
    expect(knownField('studyDescription')).toBe('studyDescription');
    expect(knownField('metadata/<img src=x>')).toBe('metadata');
    expect(knownField('metadata.key')).toBe('metadata');
    expect(knownField('authorization: Bearer abc')).toBeUndefined();
    expect(knownField('constructor')).toBeUndefined();
    expect(knownField(undefined)).toBeUndefined();
  });
});

describe('problemFromUpstream', () => {
  it('never carries anything but our own words and a known field name', () => {
    const hostile = { type: 'invalid_request', param: 'x-api-key: secret', in: 'body' } as const;
    for (const status of [400, 401, 403, 404, 409, 418, 429, 500, 502, 503, 504]) {
      const problem = problemFromUpstream({ ok: false, status, error: hostile, retryAfter: undefined }, 'Study');
      expect(JSON.stringify(problem), String(status)).not.toContain('secret');
    }
  });

  it('passes 429 and 503 through, and 504 as a timeout', () => {
    const of = (status: number) =>
      problemFromUpstream({ ok: false, status, error: undefined, retryAfter: undefined }, 'Study');
    expect(of(429)).toMatchObject({ status: 429, type: '/problems/upstream-rate-limited', retryable: true });
    expect(of(503)).toMatchObject({ status: 503, type: '/problems/upstream-unavailable', retryable: true });
    expect(of(504)).toMatchObject({ status: 504, type: '/problems/upstream-timeout' });
    expect(of(500)).toMatchObject({ status: 502, type: '/problems/upstream-failed', retryable: true });
  });

  it('says where a known field was: a path parameter, the query, or the body', () => {
    const of = (param: string, where: 'query' | 'body') =>
      problemFromUpstream(
        { ok: false, status: 400, error: { type: 'invalid_request', param, in: where }, retryAfter: undefined },
        'Study',
      ).issues;
    expect(of('studyId', 'query')).toEqual([{ in: 'path', name: 'studyId', message: 'was refused by Avara' }]);
    expect(of('limit', 'query')).toEqual([{ in: 'query', name: 'limit', message: 'was refused by Avara' }]);
    expect(of('studyId', 'body')).toEqual([{ in: 'body', name: 'studyId', message: 'was refused by Avara' }]);
  });
});
