/**
 * The bundled demo's arrivals (src/avara-server/seed/demo-arrivals.ts) as a person sees them: a new
 * study arrives in the bundled server, the queue watcher notices it, and the BFF's event stream
 * publishes study.created. And the setting: on for the bundled demo, off with a real key, under test
 * and with a PACS.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startAvaraServer } from '../../src/avara-server/create-avara-server.ts';
import { isDemoStudy } from '../../src/avara-server/seed/demo-data.ts';
import { ConfigError, DEFAULT_DEMO_ARRIVALS_SECONDS, loadConfig } from '../../src/bff/config/env.ts';
import { startQueueWatcher } from '../../src/bff/events/queue-watcher.ts';
import { createAvaraClient } from '../../src/bff/services/avara-client.ts';
import { createSharedState } from '../../src/bff/shared-state/create-shared-state.ts';
import { noLog } from '../../src/bff/shared-state/shared-state.ts';
import type { Study } from '../../src/contract/avara-types.ts';
import { dataOf, openSse } from '../support/sse-client.ts';
import { buildTestBff, signIn } from '../support/test-bff.ts';

const KEY = 'demo-arrivals-test-key-0123456789';
const cleanups: Array<() => unknown> = [];
const folders: string[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

describe('demo arrivals', () => {
  it('reach the event stream as study.created, through the queue watcher', async () => {
    const server = await startAvaraServer({
      databasePath: ':memory:',
      apiKey: KEY,
      demoStudies: 20,
      demoArrivalsSeconds: 0.3,
    });
    cleanups.push(() => server.close());
    const dataDir = mkdtempSync(join(tmpdir(), 'rw-demo-arrivals-'));
    folders.push(dataDir);
    const shared = await createSharedState({ dataDir, instanceId: 'bff-1' });
    cleanups.push(() => shared.close());
    const avara = createAvaraClient({ baseUrl: server.url, apiKey: KEY, timeoutMs: 2_000, retries: 0 });
    const watcher = startQueueWatcher({ avara, shared, intervalMs: 300, log: noLog });
    cleanups.push(() => watcher.close());
    const app = await buildTestBff({ upstreamUrl: server.url, apiKey: KEY, shared });
    cleanups.push(() => app.close());
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const radiologist = server.service
      .listUsers({ limit: 100 })
      .users.find((user) => user.clinicRole === 'Radiologist' && !user.canManageStudies);
    const client = await openSse(`${url}/api/events`, await signIn(app, radiologist?.email ?? ''));
    cleanups.push(() => client.close());

    const message = await client.waitFor((candidate) => candidate.event === 'study.created', { timeoutMs: 10_000 });
    const { study, origin } = dataOf(message) as { study: Study; origin: string };
    expect(origin).toBe('watcher');
    expect(isDemoStudy(study.metadata)).toBe(true);
    expect(study).toMatchObject({ assignedTo: null, studyViewerStatus: 'incomplete', isCancelled: false });
    expect(server.service.retrieveStudy(study.studyId).studyInstanceUid).toBe(study.studyInstanceUid);
  });

  it('are on by default for the bundled demo only: off with a real key, under test and with a PACS', () => {
    const config = (env: Record<string, string>) => loadConfig(env, false).DEMO_ARRIVALS_SECONDS;
    expect(DEFAULT_DEMO_ARRIVALS_SECONDS).toBe(45);
    expect(config({})).toBe(45);
    expect(config({ NODE_ENV: 'development' })).toBe(45);
    expect(config({ AVARA_API_KEY: 'a-real-avara-key' })).toBe(0);
    expect(config({ NODE_ENV: 'test' })).toBe(0);
    expect(config({ ORTHANC_URL: 'http://orthanc.test:8042' })).toBe(0);
    expect(config({ ORTHANC_URL: 'http://orthanc.test:8042', ORTHANC_SYNC: 'false' })).toBe(45);
    // Asked for explicitly: a test, or a slower or faster demo.
    expect(config({ NODE_ENV: 'test', DEMO_ARRIVALS_SECONDS: '5' })).toBe(5);
    expect(config({ DEMO_ARRIVALS_SECONDS: '0' })).toBe(0);
    expect(config({ DEMO_ARRIVALS_SECONDS: '' })).toBe(45);
    expect(config({ AVARA_API_KEY: 'a-real-avara-key', DEMO_ARRIVALS_SECONDS: '0' })).toBe(0);
  });

  it('are refused with a real key, and outside 0 to 3600 seconds', () => {
    expect(() => loadConfig({ AVARA_API_KEY: 'a-real-avara-key', DEMO_ARRIVALS_SECONDS: '45' }, false)).toThrow(
      /DEMO_ARRIVALS_SECONDS applies to the bundled demo server only/,
    );
    expect(() => loadConfig({ DEMO_ARRIVALS_SECONDS: '-1' }, false)).toThrow(ConfigError);
    expect(() => loadConfig({ DEMO_ARRIVALS_SECONDS: '3601' }, false)).toThrow(ConfigError);
    expect(() => loadConfig({ DEMO_ARRIVALS_SECONDS: 'often' }, false)).toThrow(ConfigError);
  });
});
