import { errors as undiciErrors } from 'undici';

/**
 * Whether a failed upstream request ran out of time (undici's own timeouts or our AbortSignal),
 * as opposed to never reaching the server. Both upstream clients (Avara, Orthanc) tell the user
 * which one happened.
 */
export function isTimeoutError(error: unknown): boolean {
  return (
    error instanceof undiciErrors.HeadersTimeoutError ||
    error instanceof undiciErrors.BodyTimeoutError ||
    error instanceof undiciErrors.ConnectTimeoutError ||
    (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
  );
}
