import { Webhook, WebhookVerificationError } from 'standardwebhooks';

/** Standard Webhooks' clock tolerance, both ways: a timestamp more than this old or ahead is refused. */
export const WEBHOOK_TOLERANCE_SECONDS = 5 * 60;

/**
 * How long a verified `webhook-id` is remembered, to refuse it again: a message stamped up to the
 * tolerance ahead of our clock stays acceptable until the tolerance after that, so ids are kept for
 * twice the tolerance, and a minute more for clocks of other instances.
 */
export const SEEN_WEBHOOK_ID_MS = (2 * WEBHOOK_TOLERANCE_SECONDS + 60) * 1000;

export type SignatureRefusal = 'missing-headers' | 'bad-timestamp' | 'stale' | 'future' | 'bad-signature';

export interface SignedHeaders {
  webhookId: string;
  timestamp: string;
  signature: string;
}

/** The three Standard Webhooks headers, when each is there once and of a sane size. */
export function signedHeadersOf(headers: Record<string, string | string[] | undefined>): SignedHeaders | undefined {
  const one = (name: string) => {
    const value = headers[name];
    return typeof value === 'string' && value !== '' && value.length <= 4096 ? value : undefined;
  };
  const webhookId = one('webhook-id');
  const timestamp = one('webhook-timestamp');
  const signature = one('webhook-signature');
  if (webhookId === undefined || timestamp === undefined || signature === undefined || webhookId.length > 256)
    return undefined;
  return { webhookId, timestamp, signature };
}

/**
 * Verifies a webhook with the `standardwebhooks` package against each of the keys (several while a
 * key is rotated): the HMAC-SHA256 of `{id}.{timestamp}.{body}` over the body's exact bytes, any of
 * the `v1,` signatures the header lists. The timestamp is checked first (digits only, within the
 * tolerance), so a refusal says which rule failed.
 */
export function createWebhookVerifier(
  keys: readonly string[],
): (body: Buffer, headers: SignedHeaders, nowMs?: number) => SignatureRefusal | undefined {
  if (keys.length === 0) throw new TypeError('A webhook verifier needs at least one key');
  const verifiers = keys.map((key) => new Webhook(key));
  return (body, headers, nowMs = Date.now()) => {
    if (!/^\d{1,12}$/.test(headers.timestamp)) return 'bad-timestamp';
    const age = Math.floor(nowMs / 1000) - Number(headers.timestamp);
    if (age > WEBHOOK_TOLERANCE_SECONDS) return 'stale';
    if (age < -WEBHOOK_TOLERANCE_SECONDS) return 'future';
    const unbranded = {
      'webhook-id': headers.webhookId,
      'webhook-timestamp': headers.timestamp,
      'webhook-signature': headers.signature,
    };
    for (const verifier of verifiers) {
      try {
        verifier.verify(body, unbranded, { jsonParse: false });
        return undefined;
      } catch (error) {
        if (!(error instanceof WebhookVerificationError)) throw error;
      }
    }
    return 'bad-signature';
  };
}

/** What a refusal's problem document says. */
export const SIGNATURE_REFUSALS: Readonly<Record<SignatureRefusal | 'replayed', { title: string; detail: string }>> = {
  'missing-headers': {
    title: 'Webhook signature missing',
    detail: 'The request must carry webhook-id, webhook-timestamp and webhook-signature (Standard Webhooks).',
  },
  'bad-timestamp': {
    title: 'Webhook timestamp not valid',
    detail: 'webhook-timestamp must be the Unix time in seconds.',
  },
  stale: {
    title: 'Webhook timestamp too old',
    detail: `webhook-timestamp is more than ${WEBHOOK_TOLERANCE_SECONDS / 60} minutes in the past.`,
  },
  future: {
    title: 'Webhook timestamp in the future',
    detail: `webhook-timestamp is more than ${WEBHOOK_TOLERANCE_SECONDS / 60} minutes ahead.`,
  },
  'bad-signature': {
    title: 'Webhook signature not valid',
    detail: 'No webhook-signature matches the body under the configured signing secret.',
  },
  replayed: {
    title: 'Webhook already received',
    detail: 'A webhook with this webhook-id was already received; a replay is refused.',
  },
};
