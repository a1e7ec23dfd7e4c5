import type { ErrorResponse, ErrorType } from '../../contract/avara-types.ts';

export type AvaraErrorStatus = 400 | 401 | 404 | 409 | 500;

/**
 * A failure the Avara API reports to its caller: the HTTP status, the `error.type` of the
 * ErrorResponse body and, when one field is at fault, its name.
 */
export class AvaraError extends Error {
  readonly status: AvaraErrorStatus;
  readonly type: ErrorType;
  readonly param: string | undefined;

  constructor(status: AvaraErrorStatus, type: ErrorType, message: string, param?: string) {
    super(message);
    this.name = 'AvaraError';
    this.status = status;
    this.type = type;
    this.param = param;
  }

  /** The ErrorResponse body the contract declares for this failure. */
  toResponse(): ErrorResponse {
    return {
      error: { type: this.type, message: this.message, ...(this.param === undefined ? {} : { param: this.param }) },
    };
  }
}

export function invalidRequest(message: string, param?: string): AvaraError {
  return new AvaraError(400, 'invalid_request', message, param);
}

export function notFound(message: string): AvaraError {
  return new AvaraError(404, 'not_found', message);
}

export function conflict(message: string, param?: string): AvaraError {
  return new AvaraError(409, 'conflict', message, param);
}
