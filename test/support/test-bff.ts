import type { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/bff/app.ts';
import { createAvaraClient } from '../../src/bff/services/avara-client.ts';
import { createContractValidator } from '../../src/contract/contract-validator.ts';
import { loadAvaraContract } from '../../src/contract/load-contract.ts';

export const contract = createContractValidator(loadAvaraContract());

export interface TestBffOptions {
  upstreamUrl: string;
  apiKey: string;
  timeoutMs?: number;
  retries?: number;
  spaRoot?: string;
  logStream?: Writable;
  extraRoutes?: (app: FastifyInstance) => Promise<void>;
}

/** The BFF as production assembles it, pointed at a test upstream. */
export async function buildTestBff(options: TestBffOptions): Promise<FastifyInstance> {
  const avara = createAvaraClient({
    baseUrl: options.upstreamUrl,
    apiKey: options.apiKey,
    timeoutMs: options.timeoutMs ?? 2_000,
    retries: options.retries ?? 2,
  });
  const app = await buildApp({
    config: { LOG_LEVEL: options.logStream ? 'info' : 'silent' },
    avara,
    contract,
    upstream: 'avara',
    spaRoot: options.spaRoot ?? '/nonexistent-spa-root',
    ...(options.logStream ? { logStream: options.logStream } : {}),
    ...(options.extraRoutes ? { extraRoutes: options.extraRoutes } : {}),
  });
  app.addHook('onClose', () => avara.close());
  return app;
}
