/**
 * The BFF's own API document (`worklist-openapi.yaml`), as the BFF publishes it: one self-contained
 * JSON document, the Avara schemas it refers to (`./avara-openapi.yaml#/components/schemas/X`) copied
 * into its components, so a reader needs no second file. Node only (reads the files).
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

const worklistUrl = new URL('./worklist-openapi.yaml', import.meta.url);
const avaraUrl = new URL('./avara-openapi.yaml', import.meta.url);

const AVARA_SCHEMA_REF = /^\.\/avara-openapi\.yaml#\/components\/schemas\/([A-Za-z0-9_]+)$/;
const LOCAL_SCHEMA_REF = /^#\/components\/schemas\/([A-Za-z0-9_]+)$/;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** The published document: worklist-openapi.yaml with the Avara schemas it uses copied in. */
export function loadWorklistApiDocument(): JsonObject {
  return bundleWorklistDocument(
    parseObject(readFileSync(worklistUrl, 'utf8')),
    parseObject(readFileSync(avaraUrl, 'utf8')),
  );
}

/**
 * Rewrites every reference to an Avara schema as a local one and copies that schema (and the Avara
 * schemas it refers to in turn) into the document's components. A name both documents define is an
 * error: one would silently stand for the other.
 */
export function bundleWorklistDocument(worklist: JsonObject, avara: JsonObject): JsonObject {
  const avaraSchemas = schemasOf(avara);
  const ownSchemas = schemasOf(worklist);
  const copied: JsonObject = {};
  const pending: string[] = [];

  const rewrite = (value: Json): Json => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (typeof value !== 'object' || value === null) return value;
    const out: JsonObject = {};
    for (const [key, inner] of Object.entries(value)) {
      const name = key === '$ref' && typeof inner === 'string' ? AVARA_SCHEMA_REF.exec(inner)?.[1] : undefined;
      if (name !== undefined) {
        pending.push(name);
        out[key] = `#/components/schemas/${name}`;
      } else {
        out[key] = rewrite(inner);
      }
    }
    return out;
  };

  const document = rewrite(worklist);
  while (pending.length > 0) {
    const name = pending.pop() ?? '';
    if (name in copied) continue;
    if (name in ownSchemas)
      throw new Error(`Schema ${name} is defined in worklist-openapi.yaml and referred to in avara-openapi.yaml`);
    const schema = avaraSchemas[name];
    if (schema === undefined) throw new Error(`avara-openapi.yaml has no schema ${name}`);
    copied[name] = schema;
    // The Avara schema's own references are to its own components: those come along too.
    for (const ref of refsIn(schema)) {
      const inner = LOCAL_SCHEMA_REF.exec(ref)?.[1];
      if (inner !== undefined) pending.push(inner);
    }
  }
  if (!isObject(document)) throw new Error('worklist-openapi.yaml is not an object');
  const components = isObject(document.components) ? document.components : {};
  return { ...document, components: { ...components, schemas: { ...schemasOf(document), ...sortedKeys(copied) } } };
}

function parseObject(text: string): JsonObject {
  const value: unknown = parse(text);
  if (!isJson(value) || !isObject(value)) throw new Error('An OpenAPI document is a YAML mapping');
  return value;
}

function schemasOf(document: JsonObject): JsonObject {
  const components = document.components;
  const schemas = isObject(components) ? components.schemas : undefined;
  return isObject(schemas) ? schemas : {};
}

function refsIn(value: Json): string[] {
  if (Array.isArray(value)) return value.flatMap(refsIn);
  if (!isObject(value)) return [];
  return Object.entries(value).flatMap(([key, inner]) =>
    key === '$ref' && typeof inner === 'string' ? [inner] : refsIn(inner),
  );
}

function sortedKeys(object: JsonObject): JsonObject {
  return Object.fromEntries(Object.entries(object).sort(([a], [b]) => a.localeCompare(b)));
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isJson(value: unknown): value is Json {
  // What the YAML parser builds from these documents: plain JSON values (no dates or binary).
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return true;
  if (Array.isArray(value)) return value.every(isJson);
  return typeof value === 'object' && Object.values(value).every(isJson);
}
