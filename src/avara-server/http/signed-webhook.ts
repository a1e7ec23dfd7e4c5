import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/**
 * A webhook request as Avara sends one: a POST of `{ id, type, data }` in JSON, signed the Standard
 * Webhooks way under the shared `key` (webhook-id, webhook-timestamp, webhook-signature). A key
 * that is not one throws here, before anything is sent.
 */
export function signedWebhook(key: string, type: string, data: unknown): RequestInit {
  const body = JSON.stringify({ id: `whe_${randomBytes(16).toString('hex')}`, type, data });
  const messageId = `msg_${randomBytes(16).toString('hex')}`;
  const at = new Date();
  return {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': messageId,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(key).sign(messageId, at, body),
    },
    body,
  };
}
