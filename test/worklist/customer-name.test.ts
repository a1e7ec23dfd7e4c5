/** GET /api/customers/{customerId}: a customer's name, for a shared link that names one (resolved on the server). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAvaraServer, type RunningAvaraServer } from '../../src/avara-server/create-avara-server.ts';
import { buildTestBff, signIn } from '../support/test-bff.ts';

const KEY = 'customer-name-key-0123456789';
let folder: string;
let avara: RunningAvaraServer;
let app: FastifyInstance;
let headers: Record<string, string>;

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'rw-customer-'));
  avara = await startAvaraServer({ databasePath: join(folder, 'avara.sqlite'), apiKey: KEY, demoStudies: 80 });
  app = await buildTestBff({ upstreamUrl: avara.url, apiKey: KEY });
  const reader = avara.service.listUsers({ limit: 100 }).users.find((user) => user.clinicRole === 'Radiologist');
  if (!reader) throw new Error('the roster has no radiologist');
  headers = await signIn(app, reader.email);
});

afterAll(async () => {
  await app.close();
  await avara.close();
  rmSync(folder, { recursive: true, force: true });
});

describe('GET /api/customers/{customerId}', () => {
  it('answers the name of a customer some study names', async () => {
    const customer = avara.service
      .listStudies({ limit: 100 })
      .studies.find((study) => study.expressCustomer)?.expressCustomer;
    if (!customer) throw new Error('the demo has no study with a customer');
    const answer = await app.inject({ url: `/api/customers/${customer.expressCustomerId}`, headers });
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toEqual({ customerId: customer.expressCustomerId, name: customer.expressCustomerName });
  });

  it('is 404 for a customer no study names, and 400 for what is not a customer ID', async () => {
    expect((await app.inject({ url: `/api/customers/cus_${'0'.repeat(32)}`, headers })).statusCode).toBe(404);
    expect((await app.inject({ url: '/api/customers/cus_x', headers })).statusCode).toBe(400);
    expect([401, 403]).toContain((await app.inject({ url: `/api/customers/cus_${'0'.repeat(32)}` })).statusCode);
  });
});
