/**
 * Fetches a report's PDF from the presigned link Avara sent, for the BFF to stream to the browser:
 * the link never leaves the BFF. The answer is bounded (REPORT_PDF_MAX_BYTES, checked on the declared
 * length and again on the bytes as they pass), must say `application/pdf` and begin with `%PDF-`, and
 * no redirect is followed (a link that sends elsewhere is not the PDF it named).
 */
import { Readable, Transform, type TransformCallback } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { isFetchablePdfUrl } from '../../contract/study-reports.ts';

export const DEFAULT_REPORT_PDF_MAX_BYTES = 20 * 1024 * 1024;
const PDF_MAGIC = Buffer.from('%PDF-');

export type PdfFetch =
  | { outcome: 'ok'; body: Readable; length: number | undefined }
  /** The link has expired or was revoked (Avara's storage answers 403, 404 or 410). */
  | { outcome: 'expired' }
  | { outcome: 'too-big'; length: number }
  | { outcome: 'wrong-type'; contentType: string }
  /** Unreachable, slow, or answered something else (a 5xx, a redirect). */
  | { outcome: 'failed'; reason: string };

export interface PdfFetchOptions {
  maxBytes: number;
  timeoutMs: number;
}

/** Starts the download; the caller streams `body` (which errors past `maxBytes` or without the PDF marker). */
export async function fetchReportPdf(url: string, options: PdfFetchOptions): Promise<PdfFetch> {
  if (!isFetchablePdfUrl(url)) return { outcome: 'failed', reason: 'the link is not one the BFF fetches' };
  let response: Response;
  try {
    response = await fetch(url, {
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs),
      headers: { accept: 'application/pdf' },
    });
  } catch (error) {
    return { outcome: 'failed', reason: error instanceof Error ? error.name : 'fetch failed' };
  }
  const discard = () => void response.body?.cancel().catch(() => undefined);
  if (response.status === 403 || response.status === 404 || response.status === 410) {
    discard();
    return { outcome: 'expired' };
  }
  if (response.status !== 200 || !response.body) {
    discard();
    return { outcome: 'failed', reason: `answered ${response.status}` };
  }
  const contentType = (response.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (contentType !== 'application/pdf') {
    discard();
    return { outcome: 'wrong-type', contentType: contentType.slice(0, 100) };
  }
  const declared = response.headers.get('content-length');
  const length = declared !== null && /^\d+$/.test(declared) ? Number(declared) : undefined;
  if (length !== undefined && length > options.maxBytes) {
    discard();
    return { outcome: 'too-big', length };
  }
  // The DOM's ReadableStream and Node's are one object at run time; the types differ only in name.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- tsc needs it: the lint's program sees one ReadableStream type where tsc's sees two
  const source = Readable.fromWeb(response.body as unknown as WebReadableStream<Uint8Array>);
  const checked = source.pipe(new PdfGuard(options.maxBytes));
  source.on('error', (error) => checked.destroy(error));
  checked.on('close', () => source.destroy());
  return { outcome: 'ok', body: checked, length };
}

/** Passes bytes through while they are a PDF of at most `maxBytes`; errors (ending the download) otherwise. */
class PdfGuard extends Transform {
  readonly #maxBytes: number;
  #seen = 0;
  #head = Buffer.alloc(0);

  constructor(maxBytes: number) {
    super();
    this.#maxBytes = maxBytes;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.#seen += chunk.length;
    if (this.#seen > this.#maxBytes) {
      done(new Error('The report PDF is larger than REPORT_PDF_MAX_BYTES'));
      return;
    }
    if (this.#head.length < PDF_MAGIC.length) {
      this.#head = Buffer.concat([this.#head, chunk]).subarray(0, PDF_MAGIC.length);
      const compared = Math.min(this.#head.length, PDF_MAGIC.length);
      if (!this.#head.subarray(0, compared).equals(PDF_MAGIC.subarray(0, compared))) {
        done(new Error('The report file is not a PDF'));
        return;
      }
    }
    done(null, chunk);
  }
}
