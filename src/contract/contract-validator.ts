import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import type { OperationId } from './avara-types.ts';

/** The parts of an OpenAPI 3.1 document that validation reads. */
export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, unknown>; [key: string]: unknown };
}

/** Where in a request a problem was found, and what it is, in words a person can act on. */
export interface ValidationIssue {
  in: 'path' | 'query' | 'body';
  /** The parameter or JSON pointer within the body (`metadata`, `metadata/key`), or '' for the whole body. */
  name: string;
  message: string;
}

export type QueryInput = Record<string, string | string[] | undefined>;

export interface OperationInput {
  path?: Record<string, string>;
  query?: QueryInput;
  body?: unknown;
}

/** Validated input: query values coerced to their declared types (numbers, booleans). */
export interface ValidatedInput {
  path: Record<string, string>;
  query: Record<string, string | number | boolean>;
  body: unknown;
}

export type ValidationResult = { ok: true; value: ValidatedInput } | { ok: false; issues: ValidationIssue[] };

export interface ContractValidator {
  /** Checks a request's path, query and body against the operation's parameters and request body. */
  validateInput(operationId: OperationId, input: OperationInput): ValidationResult;
  /** Checks a response body against the operation's declared response for that status. */
  validateResponse(operationId: OperationId, status: number, body: unknown): ValidationIssue[];
}

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  allowEmptyValue?: boolean;
  schema: unknown;
}

interface CompiledOperation {
  path: ValidateFunction | undefined;
  query: ValidateFunction | undefined;
  queryNames: Set<string>;
  /** Query parameters whose empty value (`name=`, how the official client sends null) means "not given". */
  emptyMeansAbsent: Set<string>;
  body: ValidateFunction | undefined;
  bodyRequired: boolean;
  responses: Map<string, ValidateFunction>;
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const ROOT_ID = 'avara-contract';

/** Human wording for the identifier and UID patterns, instead of the raw regular expression. */
const PATTERN_WORDS: Record<string, string> = {
  '^stu_[0-9a-f]{32}$': 'must be a study ID: stu_ followed by 32 lowercase hex characters',
  '^usr_[0-9a-f]{32}$': 'must be a user ID: usr_ followed by 32 lowercase hex characters',
  '^(usr_[0-9a-f]{32})?$': 'must be a user ID (usr_ followed by 32 lowercase hex characters) or empty for unassigned',
  '^cus_[0-9a-f]{32}$': 'must be a customer ID: cus_ followed by 32 lowercase hex characters',
  '^(cus_[0-9a-f]{32})?$': 'must be a customer ID (cus_ followed by 32 lowercase hex characters) or empty for none',
  '^org_[0-9a-f]{32}$': 'must be an organization ID: org_ followed by 32 lowercase hex characters',
  '^(0|[1-9][0-9]*)(\\.(0|[1-9][0-9]*))*$': 'must be a DICOM UID: numbers separated by dots, without leading zeros',
  '^[A-Za-z0-9_=+/-]+$': 'must be a cursor returned by a previous page',
};

/**
 * Compiles every operation of the document once, so a request costs one compiled check per part.
 * The same validator serves the BFF, the bundled server and the mock handlers.
 */
export function createContractValidator(document: OpenApiDocument): ContractValidator {
  const bodyAjv = newAjv(false);
  const paramAjv = newAjv(true);
  for (const ajv of [bodyAjv, paramAjv]) ajv.addSchema({ $id: ROOT_ID, components: document.components });

  const operations = new Map<string, CompiledOperation>();
  for (const pathItem of Object.values(document.paths)) {
    const shared = asParameters(pathItem.parameters);
    for (const method of HTTP_METHODS) {
      const operation = pathItem[method];
      if (!isRecord(operation) || typeof operation.operationId !== 'string') continue;
      const parameters = [...shared, ...asParameters(operation.parameters)];
      operations.set(operation.operationId, compileOperation(operation, parameters, bodyAjv, paramAjv));
    }
  }

  function get(operationId: string): CompiledOperation {
    const compiled = operations.get(operationId);
    if (!compiled) throw new Error(`Unknown operation ${operationId}`);
    return compiled;
  }

  return {
    validateInput(operationId, input) {
      const operation = get(operationId);
      const issues: ValidationIssue[] = [];

      const path = { ...input.path };
      if (operation.path && !operation.path(path)) issues.push(...describe(operation.path.errors, 'path'));

      const query: Record<string, unknown> = {};
      for (const [name, value] of Object.entries(input.query ?? {})) {
        if (value === undefined || (value === '' && operation.emptyMeansAbsent.has(name))) continue;
        if (Array.isArray(value)) {
          issues.push({ in: 'query', name, message: 'must appear only once' });
        } else if (!operation.queryNames.has(name)) {
          issues.push({ in: 'query', name, message: 'is not a parameter of this request' });
        } else {
          query[name] = value;
        }
      }
      if (operation.query && !operation.query(query)) issues.push(...describe(operation.query.errors, 'query'));

      const body = input.body;
      if (operation.body) {
        if (body === undefined || body === null) {
          if (operation.bodyRequired) issues.push({ in: 'body', name: '', message: 'a JSON body is required' });
        } else if (!operation.body(body)) {
          issues.push(...describe(operation.body.errors, 'body'));
        }
      }

      if (issues.length > 0) return { ok: false, issues };
      return { ok: true, value: { path, query: asQueryValues(query), body } };
    },

    validateResponse(operationId, status, body) {
      const operation = get(operationId);
      const check = operation.responses.get(String(status)) ?? operation.responses.get('default');
      if (!check) return [{ in: 'body', name: '', message: `status ${status} is not a declared response` }];
      return check(body) ? [] : describe(check.errors, 'body');
    },
  };
}

function newAjv(coerce: boolean): Ajv2020 {
  // strict off: the schemas carry OpenAPI annotations (examples, descriptions) ajv does not know.
  const ajv = new Ajv2020({ strict: false, allErrors: true, coerceTypes: coerce, useDefaults: false });
  for (const [name, check] of Object.entries(FORMATS)) ajv.addFormat(name, check);
  return ajv;
}

/**
 * The three formats the contract uses. Written here rather than taken from ajv-formats, whose
 * CommonJS default export does not type-check under both the Node and the bundler settings.
 */
const FORMATS: Record<string, (value: string) => boolean> = {
  'date-time': (value) =>
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(value) && !Number.isNaN(Date.parse(value)),
  uuid: (value) => /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i.test(value),
  uri: (value) => URL.canParse(value),
};

function compileOperation(
  operation: Record<string, unknown>,
  parameters: Parameter[],
  bodyAjv: Ajv2020,
  paramAjv: Ajv2020,
): CompiledOperation {
  const pathParams = parameters.filter((p) => p.in === 'path');
  const queryParams = parameters.filter((p) => p.in === 'query');

  const requestBody = isRecord(operation.requestBody) ? operation.requestBody : undefined;
  const bodySchema = requestBody ? jsonSchemaOf(requestBody) : undefined;

  const responses = new Map<string, ValidateFunction>();
  for (const [status, response] of Object.entries(isRecord(operation.responses) ? operation.responses : {})) {
    const schema = isRecord(response) ? jsonSchemaOf(response) : undefined;
    if (schema !== undefined) responses.set(status, bodyAjv.compile(withRoot(schema)));
  }

  return {
    path: pathParams.length > 0 ? paramAjv.compile(withRoot(objectOf(pathParams))) : undefined,
    query: queryParams.length > 0 ? paramAjv.compile(withRoot(objectOf(queryParams))) : undefined,
    queryNames: new Set(queryParams.map((p) => p.name)),
    emptyMeansAbsent: new Set(
      queryParams
        .filter((p) => p.allowEmptyValue === true && !bodyAjv.validate(withRoot(p.schema), ''))
        .map((p) => p.name),
    ),
    body: bodySchema !== undefined ? bodyAjv.compile(withRoot(bodySchema)) : undefined,
    bodyRequired: requestBody?.required === true,
    responses,
  };
}

/**
 * Response objects may be `$ref`s to `components/responses`; both carry `content.application/json.schema`,
 * so a reference points straight at the schema inside the referenced response's JSON content.
 */
function jsonSchemaOf(holder: Record<string, unknown>): unknown {
  const content = holder.content;
  if (isRecord(content) && isRecord(content['application/json'])) return content['application/json'].schema;
  if (typeof holder.$ref === 'string') return { $ref: `${ROOT_ID}${holder.$ref}/content/application~1json/schema` };
  return undefined;
}

function objectOf(parameters: Parameter[]): Record<string, unknown> {
  return {
    type: 'object',
    properties: Object.fromEntries(parameters.map((p) => [p.name, p.schema])),
    required: parameters.filter((p) => p.required).map((p) => p.name),
  };
}

/** Rewrites local `#/components/...` references so they resolve against the shared root schema. */
function withRoot(schema: unknown): Record<string, unknown> {
  const rewritten = rewriteRefs(schema);
  return isRecord(rewritten) ? rewritten : {};
}

function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] =
      key === '$ref' && typeof inner === 'string' && inner.startsWith('#/') ? `${ROOT_ID}${inner}` : rewriteRefs(inner);
  }
  return out;
}

function describe(errors: ErrorObject[] | null | undefined, where: ValidationIssue['in']): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const seen = new Set<string>();
  for (const error of errors ?? []) {
    // oneOf/anyOf report every branch that failed and then themselves; the branch errors say more.
    if (error.keyword === 'oneOf' || error.keyword === 'anyOf') continue;
    if (error.keyword === 'type' && error.params.type === 'null') continue;
    // propertyNames reports the failing key's own error first; that one says what is wrong with it.
    if (error.keyword === 'propertyNames') continue;
    const issue = keyIssue(error, where) ?? toIssue(error, where);
    const key = `${issue.name}\u0000${issue.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      issues.push(issue);
    }
  }
  return issues;
}

function toIssue(error: ErrorObject, where: ValidationIssue['in']): ValidationIssue {
  const pointer = error.instancePath.replace(/^\//, '').replace(/~1/g, '/').replace(/~0/g, '~');
  const params: Record<string, unknown> = error.params;
  switch (error.keyword) {
    case 'required':
      return { in: where, name: join(pointer, String(params.missingProperty)), message: 'is required' };
    case 'additionalProperties':
      return { in: where, name: join(pointer, String(params.additionalProperty)), message: 'is not a known field' };
    default:
      return { in: where, name: pointer, message: messageOf(error, params) };
  }
}

/**
 * The words for a size limit, by keyword: for a limit of 1 where plain words read better, and for
 * any limit.
 */
const LIMIT_WORDS = new Map<string, { one?: string; any: (limit: string) => string }>([
  ['maxProperties', { one: 'must name only one of its fields', any: (limit) => `must have at most ${limit} entries` }],
  ['minProperties', { one: 'must have at least one field', any: (limit) => `must have at least ${limit} entries` }],
  ['maxLength', { any: (limit) => `must be at most ${limit} characters` }],
  ['minLength', { one: 'must not be empty', any: (limit) => `must be at least ${limit} characters` }],
]);

/** What is wrong with the value at the error's place, in words. */
function messageOf(error: ErrorObject, params: Record<string, unknown>): string {
  const limit = LIMIT_WORDS.get(error.keyword);
  if (limit) return (params.limit === 1 ? limit.one : undefined) ?? limit.any(String(params.limit));
  switch (error.keyword) {
    case 'propertyNames':
      return `has a key that is not allowed: "${truncate(String(params.propertyName))}"`;
    case 'pattern':
      return PATTERN_WORDS[String(params.pattern)] ?? `must match ${String(params.pattern)}`;
    case 'enum': {
      const allowed = Array.isArray(params.allowedValues) ? params.allowedValues.map(String).join(', ') : '';
      return `must be one of: ${allowed}`;
    }
    default:
      return error.message ?? 'is not valid';
  }
}

/** An error about an object key (from propertyNames) names the key, so the user can find it. */
function keyIssue(error: ErrorObject, where: ValidationIssue['in']): ValidationIssue | undefined {
  if (error.propertyName === undefined) return undefined;
  const { message } = toIssue({ ...error, instancePath: '' }, where);
  const pointer = error.instancePath.replace(/^\//, '');
  return { in: where, name: pointer, message: `key "${truncate(error.propertyName)}" ${message}` };
}

function join(pointer: string, name: string): string {
  return pointer ? `${pointer}/${name}` : name;
}

function truncate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

function asParameters(value: unknown): Parameter[] {
  if (!Array.isArray(value)) return [];
  return value.filter((p): p is Parameter => isRecord(p) && typeof p.name === 'string' && typeof p.in === 'string');
}

function asQueryValues(query: Record<string, unknown>): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [name, value] of Object.entries(query)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') out[name] = value;
  }
  return out;
}

/** Path parameters as a framework parsed them (unknown shape) → the validator's input. */
export function pathInputFrom(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isRecord(value)) return out;
  for (const [name, entry] of Object.entries(value)) if (typeof entry === 'string') out[name] = entry;
  return out;
}

/** A parsed query string (repeated names as arrays) → the validator's input. */
export function queryInputFrom(value: unknown): QueryInput {
  const out: QueryInput = {};
  if (!isRecord(value)) return out;
  for (const [name, entry] of Object.entries(value)) {
    if (typeof entry === 'string') out[name] = entry;
    else if (Array.isArray(entry)) out[name] = entry.map(String);
  }
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
