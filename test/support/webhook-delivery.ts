import type { Webhook } from 'standardwebhooks';

/** A webhook delivery as Avara sends it: the body and its Standard Webhooks headers. */
export interface SignedDelivery {
  body: string;
  headers: Record<string, string>;
}

/** Signs `body` with `signer` (the standardwebhooks package, as Avara signs), sent at `at`. */
export function signDelivery(signer: Webhook, id: string, body: string, at: Date = new Date()): SignedDelivery {
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': signer.sign(id, at, body),
    },
  };
}
