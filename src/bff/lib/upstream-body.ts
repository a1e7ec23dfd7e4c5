import type { Readable } from 'node:stream';

/** Default for UPSTREAM_MAX_BYTES: far above a page of 100 studies (~100 KB) or a PACS search. */
export const DEFAULT_UPSTREAM_MAX_BYTES = 8 * 1024 * 1024;

/** An upstream answer was larger than UPSTREAM_MAX_BYTES; reading stopped there. */
export class BodyTooLargeError extends Error {
  readonly maxBytes: number;
  constructor(maxBytes: number) {
    super(`The answer is larger than ${maxBytes} bytes`);
    this.name = 'BodyTooLargeError';
    this.maxBytes = maxBytes;
  }
}

/**
 * Reads an upstream answer as text, at most `maxBytes` of it. A Content-Length above the limit is
 * refused before any of the body is read; otherwise the bytes are counted as they arrive and the
 * connection is dropped at the limit, so a huge or endless body costs at most `maxBytes` of memory.
 * (undici's own `maxResponseSize` is per connection pool, and the Orthanc pool also streams DICOM
 * files that may rightly be larger, hence the count here.)
 */
export async function readCappedText(
  body: Readable,
  maxBytes: number,
  contentLength?: string | string[],
): Promise<string> {
  const declared = typeof contentLength === 'string' ? Number(contentLength) : Number.NaN;
  if (Number.isFinite(declared) && declared > maxBytes) {
    body.destroy();
    throw new BodyTooLargeError(maxBytes);
  }
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of body) {
    const piece: unknown = chunk;
    if (typeof piece !== 'string' && !(piece instanceof Uint8Array))
      throw new TypeError('A body chunk is neither bytes nor text');
    const bytes =
      typeof piece === 'string' ? Buffer.from(piece) : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    length += bytes.length;
    if (length > maxBytes) {
      body.destroy();
      throw new BodyTooLargeError(maxBytes);
    }
    chunks.push(bytes);
  }
  return chunks.length === 1 ? (chunks[0]?.toString('utf8') ?? '') : Buffer.concat(chunks, length).toString('utf8');
}

/** The longest wait the BFF passes on: a day. Anything longer is treated as not given. */
const MAX_RETRY_AFTER_SECONDS = 86_400;

const HTTP_DATE =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/**
 * An upstream's Retry-After, if it is one (RFC 9110: whole seconds, or an HTTP date), in the form it
 * is passed on to the browser; undefined for anything else, so no upstream text rides on the header.
 */
export function safeRetryAfter(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (/^\d{1,9}$/.test(text)) {
    const seconds = Number(text);
    return seconds <= MAX_RETRY_AFTER_SECONDS ? String(seconds) : undefined;
  }
  if (!HTTP_DATE.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at) || at - Date.now() > MAX_RETRY_AFTER_SECONDS * 1000) return undefined;
  return new Date(at).toUTCString();
}
