import { parse } from 'yaml';
import type { OpenApiDocument } from './contract-validator.ts';

/** Parses the YAML text of the Avara OpenAPI document (anywhere: Node or the browser). */
export function parseAvaraContract(yamlText: string): OpenApiDocument {
  const document: unknown = parse(yamlText);
  if (!isOpenApiDocument(document)) throw new Error('avara-openapi.yaml is not an OpenAPI 3.1 document');
  return document;
}

function isOpenApiDocument(value: unknown): value is OpenApiDocument {
  if (typeof value !== 'object' || value === null) return false;
  return 'openapi' in value && 'paths' in value && 'components' in value;
}
