import type { FastifyReply } from 'fastify';
import type { OperationId } from '../../contract/avara-types.ts';
import {
  pathInputFrom,
  queryInputFrom,
  type ContractValidator,
  type ValidatedInput,
} from '../../contract/contract-validator.ts';
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
    path: pathInputFrom(raw.params),
    query: queryInputFrom(raw.query),
    body: raw.body,
  });
  if (result.ok) return result.value;
  sendProblem(reply, invalidRequestProblem(result.issues));
  return undefined;
}
