import { readFileSync } from 'node:fs';
import type { OpenApiDocument } from './contract-validator.ts';
import { parseAvaraContract } from './parse-contract.ts';

const contractUrl = new URL('./avara-openapi.yaml', import.meta.url);

/** Reads the Avara OpenAPI document from disk (Node only; the browser imports it as raw text). */
export function loadAvaraContract(): OpenApiDocument {
  return parseAvaraContract(readFileSync(contractUrl, 'utf8'));
}
