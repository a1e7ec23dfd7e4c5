/**
 * What an upstream client (Avara, Orthanc) tells about each HTTP exchange it makes, retries included,
 * for the metrics (src/bff/metrics): never a path, a query or a body, only what kind of call it was.
 */
export interface UpstreamCall {
  /** The client's own name for the call (`listStudies`, `changes`): a short, fixed set. */
  operation: string;
  /** From sending the request to having read the answer (to its headers for streamed answers). */
  seconds: number;
  /** The answer's status, when one came. */
  status?: number;
  /** Why no usable answer came: unreachable, too slow, malformed, too large. */
  fault?: 'unavailable' | 'timeout' | 'invalid-response' | 'too-large';
}

export type UpstreamObserver = (call: UpstreamCall) => void;

/** Times `exchange`, telling `observe` of its status or fault; the result or error is passed on. */
export async function observed<T>(
  observe: UpstreamObserver | undefined,
  operation: string,
  exchange: () => Promise<T>,
  statusOf: (result: T) => number,
  faultOf: (error: unknown) => UpstreamCall['fault'],
): Promise<T> {
  if (!observe) return exchange();
  const started = performance.now();
  try {
    const result = await exchange();
    observe({ operation, seconds: (performance.now() - started) / 1000, status: statusOf(result) });
    return result;
  } catch (error) {
    const fault = faultOf(error);
    observe({ operation, seconds: (performance.now() - started) / 1000, ...(fault ? { fault } : {}) });
    throw error;
  }
}
