import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRecordingUpstream, type RecordingUpstream } from '../../../test/support/recording-upstream.ts';
import { startRedis, type RunningRedis } from '../../../test/support/redis.ts';
import { buildTestBff } from '../../../test/support/test-bff.ts';
import { signDelivery, type SignedDelivery as Signed } from '../../../test/support/webhook-delivery.ts';
import { createSharedState } from '../shared-state/create-shared-state.ts';
import type { SharedState } from '../shared-state/shared-state.ts';
import type { WebhookHandler } from './webhook-handlers.ts';
import { generateWebhookKey } from './webhook-keys.ts';

// The endpoint's signature rules, run against both shared-state implementations (the replay check
// lives there). Calls are signed here with the standardwebhooks package, as Avara signs them.

const KEY = generateWebhookKey();
const NEXT_KEY = generateWebhookKey();
const signer = new Webhook(KEY);

let redis: RunningRedis | undefined;
let upstream: RecordingUpstream;
const folders: string[] = [];

const studyIdOf = (data: Record<string, unknown>) => (typeof data.studyId === 'string' ? data.studyId : '');
const echo: WebhookHandler = async (event) => ({
  body: { echoed: event.type, studyId: studyIdOf(event.data) },
  studyId: studyIdOf(event.data),
  result: 'echoed',
});
const failing: WebhookHandler = async () => {
  throw new Error('the PACS is down');
};
// Ends a moment after its deadline, as a handler that waits on a slow PACS would.
const slow: WebhookHandler = (_event, context) =>
  new Promise((resolve) =>
    context.signal.addEventListener('abort', () => setTimeout(() => resolve({ body: {} }), 100)),
  );

beforeAll(async () => {
  redis = await startRedis();
  upstream = await startRecordingUpstream();
});

afterAll(async () => {
  await upstream.close();
  await redis?.dispose();
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

const implementations: Array<{ name: string; open(): Promise<SharedState> }> = [
  {
    name: 'in-process',
    open: async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'rw-webhook-'));
      folders.push(dataDir);
      return createSharedState({ dataDir });
    },
  },
  {
    name: 'redis',
    open: async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'rw-webhook-'));
      folders.push(dataDir);
      if (!redis) throw new Error('redis-server is not running');
      return createSharedState({
        redisUrl: redis.url,
        dataDir,
        keyPrefix: `webhook-test-${process.pid}-${folders.length}:`,
      });
    },
  },
];

let sequence = 0;

function signed(
  event: { type: string; data: Record<string, unknown> },
  options: { at?: Date; id?: string; key?: Webhook } = {},
): Signed {
  const id = options.id ?? `msg_test_${process.pid}_${++sequence}_${Date.now()}`;
  const body = JSON.stringify({ id: `whe_${sequence}`, ...event });
  return signDelivery(options.key ?? signer, id, body, options.at);
}

describe.each(implementations)('POST /webhooks/avara, shared state $name', (implementation) => {
  let app: FastifyInstance;
  let second: FastifyInstance;
  let shared: SharedState;
  const audit: string[] = [];

  beforeAll(async () => {
    shared = await implementation.open();
    const webhooks = {
      keys: [KEY],
      events: ['*'],
      dicomUrlTtlSeconds: 3600,
      publicUrl: () => 'http://localhost',
      handlers: { 'test.echo': echo, 'test.failing': failing, 'test.slow': slow, 'test.disabled': echo },
    };
    app = await buildTestBff({
      upstreamUrl: upstream.url,
      apiKey: 'webhook-test-key-0123',
      shared,
      auditLines: audit,
      webhooks,
    });
    // A second instance on the same shared state: a replay is refused whichever instance gets it.
    second = await buildTestBff({
      upstreamUrl: upstream.url,
      apiKey: 'webhook-test-key-0123',
      shared,
      webhooks: { ...webhooks, events: ['test.echo'] },
    });
  });

  afterAll(async () => {
    await app.close();
    await second.close();
    await shared.close();
  });

  const post = (target: FastifyInstance, call: Signed) =>
    target.inject({ method: 'POST', url: '/webhooks/avara', headers: call.headers, payload: call.body });

  it('answers a valid signed call through the handler of its type, without a session or X-CSRF, and audits it', async () => {
    audit.length = 0;
    const call = signed({ type: 'test.echo', data: { studyId: 'stu_0123456789abcdef0123456789abcdef' } });
    const response = await post(app, call);
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.json()).toEqual({ echoed: 'test.echo', studyId: 'stu_0123456789abcdef0123456789abcdef' });
    const lines = audit.map((line) => JSON.parse(line));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      action: 'webhook.avara',
      actor: 'avara-webhook',
      event: 'test.echo',
      studyId: 'stu_0123456789abcdef0123456789abcdef',
      outcome: 'ok',
      result: 'echoed',
      webhookId: call.headers['webhook-id'],
    });
  });

  it('verifies the exact bytes received: the same JSON spelled differently is refused', async () => {
    const call = signed({ type: 'test.echo', data: { studyId: 'a' } });
    const respaced = JSON.stringify(JSON.parse(call.body), null, 1);
    const response = await post(app, { ...call, body: respaced });
    expect(response.statusCode).toBe(401);
  });

  it('refuses a wrong key, a tampered body, missing headers, 6 minutes old and 6 minutes ahead, with 401 problem documents', async () => {
    audit.length = 0;
    const wrongKey = signed({ type: 'test.echo', data: {} }, { key: new Webhook(generateWebhookKey()) });
    const original = signed({ type: 'test.echo', data: { studyId: 'stu_a' } });
    const tampered = { ...original, body: original.body.replace('stu_a', 'stu_b') };
    const old = signed({ type: 'test.echo', data: {} }, { at: new Date(Date.now() - 6 * 60_000) });
    const ahead = signed({ type: 'test.echo', data: {} }, { at: new Date(Date.now() + 6 * 60_000) });
    const unsigned = signed({ type: 'test.echo', data: {} });
    delete unsigned.headers['webhook-signature'];
    const cases: Array<[string, Signed, string]> = [
      ['wrong key', wrongKey, 'Webhook signature not valid'],
      ['tampered body', tampered, 'Webhook signature not valid'],
      ['6 minutes old', old, 'Webhook timestamp too old'],
      ['6 minutes ahead', ahead, 'Webhook timestamp in the future'],
      ['no signature', unsigned, 'Webhook signature missing'],
    ];
    for (const [label, call, title] of cases) {
      const response = await post(app, call);
      expect(response.statusCode, label).toBe(401);
      expect(response.headers['content-type'], label).toMatch(/^application\/problem\+json/);
      expect(response.json(), label).toMatchObject({ type: '/problems/unauthorized', status: 401, title });
    }
    const lines = audit.map((line) => JSON.parse(line));
    expect(lines).toHaveLength(cases.length);
    expect(
      lines.every(
        (line) => line.action === 'webhook.avara' && line.actor === 'avara-webhook' && line.outcome === 'refused',
      ),
    ).toBe(true);
  });

  it('accepts a timestamp 4 minutes off either way', async () => {
    for (const offset of [-4, 4]) {
      const response = await post(
        app,
        signed({ type: 'test.echo', data: {} }, { at: new Date(Date.now() + offset * 60_000) }),
      );
      expect(response.statusCode, `${offset} minutes`).toBe(200);
    }
  });

  it('refuses a replayed webhook-id, on the same instance and on another one', async () => {
    const call = signed({ type: 'test.echo', data: {} });
    expect((await post(app, call)).statusCode).toBe(200);
    const again = await post(app, call);
    expect(again.statusCode).toBe(401);
    expect(again.json()).toMatchObject({ title: 'Webhook already received' });
    const elsewhere = await post(second, call);
    expect(elsewhere.statusCode).toBe(401);
  });

  it('does not spend an id on a call that fails verification', async () => {
    const call = signed({ type: 'test.echo', data: {} });
    expect((await post(app, { ...call, body: `${call.body} ` })).statusCode).toBe(401);
    expect((await post(app, call)).statusCode).toBe(200);
  });

  it('verifies with any of the keys while one is rotated', async () => {
    const rotating = await buildTestBff({
      upstreamUrl: upstream.url,
      apiKey: 'webhook-test-key-0123',
      shared,
      webhooks: {
        keys: [NEXT_KEY, KEY],
        events: ['*'],
        dicomUrlTtlSeconds: 3600,
        publicUrl: () => 'http://localhost',
        handlers: { 'test.echo': echo },
      },
    });
    try {
      expect((await post(rotating, signed({ type: 'test.echo', data: {} }))).statusCode).toBe(200);
      expect(
        (await post(rotating, signed({ type: 'test.echo', data: {} }, { key: new Webhook(NEXT_KEY) }))).statusCode,
      ).toBe(200);
      expect(
        (await post(rotating, signed({ type: 'test.echo', data: {} }, { key: new Webhook(generateWebhookKey()) })))
          .statusCode,
      ).toBe(401);
    } finally {
      await rotating.close();
    }
  });

  it('acknowledges an event type it does not answer with 200 {} (unknown, or left out of AVARA_WEBHOOK_EVENTS)', async () => {
    audit.length = 0;
    const unknown = await post(app, signed({ type: 'study.something_new', data: {} }));
    expect(unknown.statusCode).toBe(200);
    expect(unknown.json()).toEqual({});
    const disabled = await post(second, signed({ type: 'test.disabled', data: {} }));
    expect(disabled.statusCode).toBe(200);
    expect(disabled.json()).toEqual({});
    expect(JSON.parse(audit[0] ?? '{}')).toMatchObject({
      event: 'study.something_new',
      result: 'ignored',
      outcome: 'ok',
    });
  });

  it('answers 400 to a signed body that is not an event', async () => {
    for (const body of [
      'not json',
      '[]',
      '{"id":"whe_1","type":"test.echo"}',
      '{"id":1,"type":"test.echo","data":{}}',
    ]) {
      const response = await post(app, signDelivery(signer, `msg_bad_${++sequence}_${Date.now()}`, body));
      expect(response.statusCode, body).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
  });

  it('answers 503 when the handler fails or is too slow, and lets the same delivery be sent again', async () => {
    const call = signed({ type: 'test.failing', data: {} });
    const failed = await post(app, call);
    expect(failed.statusCode).toBe(503);
    expect(failed.json()).toMatchObject({ status: 503, retryable: true });
    expect(failed.body).not.toContain('the PACS is down');
    expect((await post(app, call)).statusCode).toBe(503);
  });

  it('refuses a body over 64 KiB before verifying it', async () => {
    const call = signed({ type: 'test.echo', data: { padding: 'x'.repeat(70 * 1024) } });
    const response = await post(app, call);
    expect(response.statusCode).toBe(413);
  });
});

describe('the answer deadline', () => {
  it('answers 503 when a handler outlasts it', async () => {
    const shared = await implementations[0]!.open();
    const { avaraWebhookRoutes } = await import('./webhook-routes.ts');
    const Fastify = (await import('fastify')).default;
    const app = Fastify();
    await app.register(avaraWebhookRoutes, {
      keys: [KEY],
      events: ['*'],
      context: { avara: undefined as never, shared, pacs: undefined, dicomUrls: undefined },
      handlers: { 'test.slow': slow },
      answerTimeoutMs: 200,
    });
    try {
      const call = signed({ type: 'test.slow', data: {} });
      const started = Date.now();
      const response = await app.inject({
        method: 'POST',
        url: '/webhooks/avara',
        headers: call.headers,
        payload: call.body,
      });
      expect(response.statusCode).toBe(503);
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      await app.close();
      await shared.close();
    }
  });
});
