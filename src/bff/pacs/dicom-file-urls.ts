import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SharedState } from '../shared-state/shared-state.ts';
import { ORTHANC_ID } from './orthanc-client.ts';

/**
 * One hour: Avara's viewer asks for a study's files when someone opens it and may fetch them as the
 * reader scrolls, so a URL must outlast a reading session; an hour is also what Avara gives its own
 * presigned report URLs. Shorter (DICOM_URL_TTL_SECONDS) narrows what a leaked URL exposes.
 */
export const DEFAULT_DICOM_URL_TTL_SECONDS = 3600;

/** The path of an instance's file given to Avara (GET, no session: the query is the credential). */
export const DICOM_FILE_ROUTE = '/dicom-files/:instanceId';

export type DicomUrlCheck = 'ok' | 'expired' | 'invalid';

/**
 * Signed, expiring URLs of single DICOM files: `{base}/dicom-files/{instanceId}?expires={unix}&signature={hmac}`,
 * the HMAC-SHA256 (base64url) of the instance ID and the expiry under a secret only the BFF holds.
 * A URL opens that one instance until it expires; nothing else (another ID, a later expiry) verifies.
 * The secret is kept in the shared state, so every BFF instance signs and checks with the same one,
 * and it survives restarts (in-process: SQLite under DATA_DIR).
 */
export interface DicomFileUrls {
  readonly ttlSeconds: number;
  /** The URL of one instance's file, valid for `ttlSeconds` from `nowMs`. */
  urlFor(instanceId: string, nowMs?: number): Promise<{ url: string; expiresAt: number }>;
  /** Whether a URL's parts are one this BFF signed, for this instance, and still valid at `nowMs`. */
  check(instanceId: string, expires: unknown, signature: unknown, nowMs?: number): Promise<DicomUrlCheck>;
}

export interface DicomFileUrlsOptions {
  shared: SharedState;
  /** The address Avara reaches the BFF at (PUBLIC_URL); asked at each signing, since with PORT=0 it is known only once listening. */
  baseUrl: () => string;
  ttlSeconds: number;
}

const NAMESPACE = 'dicom-urls';
const SECRET_KEY = 'signing-secret';
const SIGNATURE = /^[A-Za-z0-9_-]{43}$/;
const EXPIRES = /^\d{1,12}$/;

export function createDicomFileUrls(options: DicomFileUrlsOptions): DicomFileUrls {
  let secret: Promise<Buffer> | undefined;

  function signingSecret(): Promise<Buffer> {
    secret ??= (async () => {
      const made = await options.shared.records.set(
        NAMESPACE,
        SECRET_KEY,
        { secret: randomBytes(32).toString('base64') },
        { ifAbsent: true },
      );
      const record = made ?? (await options.shared.records.get(NAMESPACE, SECRET_KEY));
      const value = record?.value.secret;
      if (typeof value !== 'string' || value === '')
        throw new Error('The DICOM URL signing secret could not be read from the shared state');
      return Buffer.from(value, 'base64');
    })();
    // A failure (the shared state unreachable) is not remembered: the next call tries again.
    secret.catch(() => (secret = undefined));
    return secret;
  }

  const sign = (key: Buffer, instanceId: string, expires: number) =>
    createHmac('sha256', key).update(`dicom-file\n${instanceId}\n${expires}`).digest('base64url');

  return {
    ttlSeconds: options.ttlSeconds,
    async urlFor(instanceId, nowMs = Date.now()) {
      if (!ORTHANC_ID.test(instanceId)) throw new TypeError('Not an Orthanc instance ID');
      const expires = Math.floor(nowMs / 1000) + options.ttlSeconds;
      const signature = sign(await signingSecret(), instanceId, expires);
      const base = options.baseUrl().replace(/\/$/, '');
      return { url: `${base}/dicom-files/${instanceId}?expires=${expires}&signature=${signature}`, expiresAt: expires };
    },
    async check(instanceId, expires, signature, nowMs = Date.now()) {
      if (
        !ORTHANC_ID.test(instanceId) ||
        typeof expires !== 'string' ||
        !EXPIRES.test(expires) ||
        typeof signature !== 'string' ||
        !SIGNATURE.test(signature)
      ) {
        return 'invalid';
      }
      const expected = Buffer.from(sign(await signingSecret(), instanceId, Number(expires)));
      if (!timingSafeEqual(expected, Buffer.from(signature))) return 'invalid';
      return Number(expires) * 1000 <= nowMs ? 'expired' : 'ok';
    },
  };
}
