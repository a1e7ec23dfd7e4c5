import type { FastifyReply } from 'fastify';
import type { OperationId } from '../../contract/avara-types.ts';
import type { ContractValidator, QueryInput, ValidatedInput } from '../../contract/contract-validator.ts';
import { invalidRequestProblem } from '../../contract/problem.ts';
import { sendProblem } from './problems.ts';

interface RawInput {
  params?: unknown;
  query?: unknown;
  body?: unknown;
}

/**
 * Checks a request against the contract's operation before anything reaches the upstream.
 * Answers 400 itself and returns undefined when the input is not valid.
 */
export function checkInput(
  reply: FastifyReply,
  validator: ContractValidator,
  operationId: OperationId,
  raw: RawInput,
): ValidatedInput | undefined {
  const result = validator.validateInput(operationId, {
    path: stringRecord(raw.params),
    query: queryRecord(raw.query),
    body: raw.body,
  });
  if (result.ok) return result.value;
  sendProblem(reply, invalidRequestProblem(result.issues));
  return undefined;
}

function stringRecord(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof value !== 'object' || value === null) return out;
  for (const [name, inner] of Object.entries(value)) if (typeof inner === 'string') out[name] = inner;
  return out;
}

function queryRecord(value: unknown): QueryInput {
  const out: QueryInput = {};
  if (typeof value !== 'object' || value === null) return out;
  for (const [name, inner] of Object.entries(value)) {
    if (typeof inner === 'string') out[name] = inner;
    else if (Array.isArray(inner)) out[name] = inner.map(String);
  }
  return out;
}
