import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { OpenApiDocument } from './contract-validator.ts';

const contractUrl = new URL('./avara-openapi.yaml', import.meta.url);

/** Reads the Avara OpenAPI document from disk (Node only; the browser imports it as raw text). */
export function loadAvaraContract(): OpenApiDocument {
  return parseAvaraContract(readFileSync(contractUrl, 'utf8'));
}

/** Parses the YAML text of the Avara OpenAPI document. */
export function parseAvaraContract(yamlText: string): OpenApiDocument {
  const document: unknown = parse(yamlText);
  if (!isOpenApiDocument(document)) throw new Error('avara-openapi.yaml is not an OpenAPI 3.1 document');
  return document;
}

function isOpenApiDocument(value: unknown): value is OpenApiDocument {
  if (typeof value !== 'object' || value === null) return false;
  return 'openapi' in value && 'paths' in value && 'components' in value;
}
