import type { Study } from '../../contract/avara-types.ts';
import { signedWebhook } from '../http/signed-webhook.ts';

/** Where the bundled server sends its webhooks: the BFF's endpoint and the shared signing secret. */
export interface WebhookTarget {
  url: string;
  key: string;
}

/** What the launch page shows of a `study.access_requested` call. */
export type ImageAccessReport =
  | { kind: 'authorized'; series: number; instances: number; firstFile: FileProof }
  | { kind: 'refused'; reason: string }
  | { kind: 'failed'; reason: string };

/** The first bytes of the first URL's file: a DICOM Part 10 file has `DICM` at offset 128. */
export type FileProof = { ok: true; marker: string; status: number } | { ok: false; status: number; marker: string };

const MARKER_OFFSET = 128;
const MARKER_END = MARKER_OFFSET + 4;
/** The most bytes of a webhook answer read: a manifest of 10,000 instances with their URLs fits. */
const MAX_ANSWER_BYTES = 16 * 1024 * 1024;

/**
 * Plays Avara's side of image access for the launch page: sends `study.access_requested` for the
 * study, signed with standardwebhooks under the shared key, to the BFF's webhook endpoint, reads the
 * answer (authorized, how many series and instances), and fetches the first URL's first bytes to
 * show the DICOM Part 10 marker. Undefined when no target is known yet (the BFF is not listening).
 */
export function createImageAccessProbe(
  target: () => WebhookTarget | undefined,
  timeoutMs = 10_000,
): (study: Study) => Promise<ImageAccessReport | undefined> {
  return async (study) => {
    const where = target();
    if (!where) return undefined;
    const request = signedWebhook(where.key, 'study.access_requested', {
      studyId: study.studyId,
      studyInstanceUid: study.studyInstanceUid,
    });
    let answer: unknown;
    try {
      const response = await fetch(where.url, { ...request, signal: AbortSignal.timeout(timeoutMs) });
      const text = await response.text();
      if (text.length > MAX_ANSWER_BYTES) return { kind: 'failed', reason: 'The answer was larger than expected.' };
      if (!response.ok) return { kind: 'failed', reason: `The worklist answered ${response.status}.` };
      answer = JSON.parse(text);
    } catch {
      return { kind: 'failed', reason: "The worklist's webhook endpoint could not be reached." };
    }
    const record = typeof answer === 'object' && answer !== null ? (answer as Record<string, unknown>) : {};
    if (record.authorized !== true) {
      return {
        kind: 'refused',
        reason: typeof record.error === 'string' ? record.error.slice(0, 300) : 'No reason was given.',
      };
    }
    const urls = Array.isArray(record.urls) ? record.urls.filter((url): url is string => typeof url === 'string') : [];
    const manifest =
      typeof record.manifest === 'object' && record.manifest !== null
        ? (record.manifest as Record<string, unknown>)
        : {};
    const series: unknown[] = Array.isArray(manifest.series) ? (manifest.series as unknown[]) : [];
    const instances = series.reduce<number>((sum, entry) => {
      const sops = typeof entry === 'object' && entry !== null ? (entry as { sops?: unknown }).sops : undefined;
      return sum + (Array.isArray(sops) ? sops.length : 0);
    }, 0);
    const first = urls[0];
    const firstFile = first ? await proofOf(first, timeoutMs) : { ok: false as const, status: 0, marker: '' };
    return { kind: 'authorized', series: series.length, instances, firstFile };
  };
}

/** Fetches the file's first 132 bytes (and no more) and reads the four at offset 128. */
async function proofOf(url: string, timeoutMs: number): Promise<FileProof> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await fetch(url, { signal: controller.signal });
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      return { ok: false, status: response.status, marker: '' };
    }
    const reader: ReadableStreamDefaultReader<Uint8Array> = response.body.getReader();
    const chunks: Uint8Array[] = [];
    let length = 0;
    while (length < MARKER_END) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      length += value.length;
    }
    await reader.cancel();
    const head = Buffer.concat(chunks).subarray(0, MARKER_END);
    const marker = head.length === MARKER_END ? head.subarray(MARKER_OFFSET).toString('latin1') : '';
    return { ok: marker === 'DICM', status: response.status, marker };
  } catch {
    return { ok: false, status: 0, marker: '' };
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}
