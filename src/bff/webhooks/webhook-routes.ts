import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_TYPES } from '../../contract/problem.ts';
import { sendProblem } from '../lib/problems.ts';
import { noteAudit } from '../plugins/audit-trail.ts';
import { recordOf, textOf } from '../pacs/json-fields.ts';
import {
  WEBHOOK_HANDLERS,
  type WebhookAnswer,
  type WebhookContext,
  type WebhookEvent,
  type WebhookHandler,
} from './webhook-handlers.ts';
import {
  SEEN_WEBHOOK_ID_MS,
  SIGNATURE_REFUSALS,
  createWebhookVerifier,
  signedHeadersOf,
  type SignatureRefusal,
} from './webhook-signature.ts';

/** Where Avara sends its webhooks (register this URL, under PUBLIC_URL, in Avara). */
export const AVARA_WEBHOOK_PATH = '/webhooks/avara';

/** The largest webhook body read: Avara's events are small JSON documents. */
export const WEBHOOK_BODY_LIMIT = 64 * 1024;

/**
 * How long a handler may take before the answer is a 503: Avara waits for the synchronous events
 * (image access, enrichment) while someone opens a study, so the answer must come well within its timeout.
 */
export const WEBHOOK_ANSWER_MS = 8_000;

/** The shared-state namespace of the `webhook-id`s already received. */
const SEEN_IDS = 'webhook-ids';

export interface AvaraWebhookOptions {
  /** The signing secrets (AVARA_WEBHOOK_KEY); any one verifies. */
  keys: readonly string[];
  /** The event types answered (AVARA_WEBHOOK_EVENTS); `*` for every one with a handler. */
  events: readonly string[];
  context: Omit<WebhookContext, 'log' | 'signal'>;
  /** The handlers by event type; WEBHOOK_HANDLERS unless a test gives others. */
  handlers?: Readonly<Record<string, WebhookHandler>>;
  answerTimeoutMs?: number;
}

/**
 * `POST /webhooks/avara`: Avara's signed webhooks. The body is read as bytes (a parser of this route
 * only) and verified as received, before it is parsed; then the `webhook-id` is claimed in the shared
 * state (a replay, on this instance or another, is refused), and the event goes to the handler of
 * its type. Refusals are problem documents (401); one audit line per call, by `avara-webhook`.
 * An event type without a handler, or not in AVARA_WEBHOOK_EVENTS, is acknowledged with 200 `{}`
 * and ignored, so Avara neither retries it nor marks the endpoint as failing.
 */
export async function avaraWebhookRoutes(app: FastifyInstance, options: AvaraWebhookOptions): Promise<void> {
  const verify = createWebhookVerifier(options.keys);
  const handlers = options.handlers ?? WEBHOOK_HANDLERS;
  const everyEvent = options.events.includes('*');
  const answered = (type: string) => Object.hasOwn(handlers, type) && (everyEvent || options.events.includes(type));
  const answerMs = options.answerTimeoutMs ?? WEBHOOK_ANSWER_MS;

  // Scoped to this plugin: every other route keeps Fastify's JSON parser.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT }, (_request, body, done) =>
    done(null, body),
  );

  app.post(
    AVARA_WEBHOOK_PATH,
    { config: { access: 'signed', audit: 'webhook.avara' }, bodyLimit: WEBHOOK_BODY_LIMIT },
    async (request, reply) => {
      noteAudit(request, { actor: 'avara-webhook' });
      const headers = signedHeadersOf(request.headers);
      if (!headers) return refuse(request, reply, 'missing-headers');
      noteAudit(request, { webhookId: headers.webhookId });
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const refusal = verify(body, headers);
      if (refusal) return refuse(request, reply, refusal);

      // Claimed only once verified, so nobody can spend an id Avara has yet to send.
      const claimed = await options.context.shared.records.set(
        SEEN_IDS,
        headers.webhookId,
        { at: Date.now() },
        { ttlMs: SEEN_WEBHOOK_ID_MS, ifAbsent: true },
      );
      if (!claimed) return refuse(request, reply, 'replayed');

      const event = eventOf(body, headers.webhookId);
      if (!event) {
        noteAudit(request, { result: 'malformed' });
        return sendProblem(reply, {
          type: PROBLEM_TYPES.invalidRequest,
          title: 'The webhook is not valid',
          status: 400,
          detail: 'The body must be a JSON object with a string id, a string type and an object data.',
        });
      }
      noteAudit(request, { event: event.type.slice(0, 100), ...studyOf(event.data) });
      const handler = answered(event.type) ? handlers[event.type] : undefined;
      if (!handler) {
        noteAudit(request, { result: 'ignored' });
        return reply.header('cache-control', 'no-store').send({});
      }

      const signal = AbortSignal.timeout(answerMs);
      let answer: WebhookAnswer;
      try {
        answer = await Promise.race([
          handler(event, { ...options.context, log: request.log, signal }),
          new Promise<never>((_resolve, reject) =>
            signal.addEventListener(
              'abort',
              () =>
                reject(
                  signal.reason instanceof Error ? signal.reason : new Error('The webhook took too long to answer'),
                ),
              { once: true },
            ),
          ),
        ]);
      } catch (error) {
        // Not answered: the id is given back, so Avara's retry of this delivery is not taken for a replay.
        await options.context.shared.records.delete(SEEN_IDS, headers.webhookId).catch(() => false);
        const late = signal.aborted;
        request.log.warn(
          { event: event.type, err: late ? undefined : error },
          late ? 'webhook handler too slow' : 'webhook handler failed',
        );
        noteAudit(request, { result: late ? 'timeout' : 'error' });
        return sendProblem(
          reply,
          {
            type: PROBLEM_TYPES.upstreamUnavailable,
            title: 'The webhook could not be answered',
            status: 503,
            detail: late
              ? 'The answer took too long; send it again.'
              : 'The worklist could not answer this event right now; send it again.',
            retryable: true,
          },
          '5',
        );
      }
      noteAudit(request, {
        ...(answer.studyId ? { studyId: answer.studyId } : {}),
        ...(answer.studyInstanceUid ? { studyInstanceUid: answer.studyInstanceUid } : {}),
        ...(answer.result ? { result: answer.result } : {}),
      });
      return reply
        .code(answer.status ?? 200)
        .header('cache-control', 'no-store')
        .send(answer.body);
    },
  );
}

function refuse(request: FastifyRequest, reply: FastifyReply, refusal: SignatureRefusal | 'replayed'): FastifyReply {
  noteAudit(request, { result: refusal });
  const { title, detail } = SIGNATURE_REFUSALS[refusal];
  return sendProblem(reply, { type: PROBLEM_TYPES.unauthorized, title, status: 401, detail });
}

/** Avara's envelope `{id, type, data}`, or undefined when the body is not one. */
function eventOf(body: Buffer, webhookId: string): WebhookEvent | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const envelope = recordOf(parsed);
  const data = envelope.data;
  if (typeof envelope.id !== 'string' || typeof envelope.type !== 'string' || envelope.type === '') return undefined;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return undefined;
  return { id: envelope.id, type: envelope.type, data: recordOf(data), webhookId };
}

/** The study an event names, for its audit line (bounded: the values are the caller's). */
function studyOf(data: Record<string, unknown>): { studyId?: string; studyInstanceUid?: string } {
  const studyId = textOf(data, 'studyId').slice(0, 100);
  const studyInstanceUid = textOf(data, 'studyInstanceUid').slice(0, 100);
  return { ...(studyId ? { studyId } : {}), ...(studyInstanceUid ? { studyInstanceUid } : {}) };
}
