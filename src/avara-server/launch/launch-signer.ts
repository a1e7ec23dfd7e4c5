import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const DEFAULT_LAUNCH_TTL_SECONDS = 300;

export type LaunchVerdict = 'valid' | 'expired' | 'invalid';

export interface LaunchSignature {
  /** Unix time in seconds after which the link no longer opens. */
  expires: number;
  /** Lowercase hex HMAC-SHA256 over `${studyId}.${expires}`. */
  signature: string;
}

export interface LaunchSigner {
  sign(studyId: string): LaunchSignature;
  /** The full viewer link: `${baseUrl}/launch/${studyId}?expires=…&signature=…`. */
  launchUrl(baseUrl: string, studyId: string): string;
  /** Checks a link's parameters as they arrived (strings from the query, possibly missing). */
  verify(studyId: string, expires: unknown, signature: unknown): LaunchVerdict;
}

export interface LaunchSignerOptions {
  /** The HMAC key; a random one (links die with the process) when not given. */
  secret?: string;
  ttlSeconds?: number;
  /** Milliseconds since the epoch, replaceable in tests. */
  now?: () => number;
}

/** Signs and verifies the tokenized, time-limited viewer links that reroute-url answers. */
export function createLaunchSigner(options: LaunchSignerOptions = {}): LaunchSigner {
  const key = options.secret === undefined ? randomBytes(32) : Buffer.from(options.secret, 'utf8');
  const ttlSeconds = options.ttlSeconds ?? DEFAULT_LAUNCH_TTL_SECONDS;
  const now = options.now ?? Date.now;

  const mac = (studyId: string, expires: number): Buffer =>
    createHmac('sha256', key).update(`${studyId}.${expires}`).digest();

  const signer: LaunchSigner = {
    sign(studyId) {
      const expires = Math.floor(now() / 1000) + ttlSeconds;
      return { expires, signature: mac(studyId, expires).toString('hex') };
    },

    launchUrl(baseUrl, studyId) {
      const { expires, signature } = signer.sign(studyId);
      const query = new URLSearchParams({ expires: String(expires), signature });
      return `${baseUrl.replace(/\/+$/, '')}/launch/${encodeURIComponent(studyId)}?${query.toString()}`;
    },

    verify(studyId, expires, signature) {
      if (typeof expires !== 'string' || !/^\d{1,12}$/.test(expires)) return 'invalid';
      if (typeof signature !== 'string' || !/^[0-9a-f]{64}$/.test(signature)) return 'invalid';
      const expected = mac(studyId, Number(expires));
      if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) return 'invalid';
      // Checked after the signature, so a forged link never learns anything about expiry.
      return Number(expires) * 1000 < now() ? 'expired' : 'valid';
    },
  };
  return signer;
}
