import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningAvaraServer } from '../../src/avara-server/create-avara-server.ts';
import type { OrthancClient } from '../../src/bff/pacs/orthanc-client.ts';
import { startPacsSync, type PacsSync, type SyncLog } from '../../src/bff/pacs/pacs-sync.ts';
import { DEFAULT_PRIORITY_MAP, parsePriorityMap } from '../../src/bff/pacs/priority.ts';
import { openSyncState } from '../../src/bff/pacs/sync-state.ts';
import type { AvaraClient } from '../../src/bff/services/avara-client.ts';
import { startBffProcess, type BffProcess } from '../support/bff-process.ts';
import { freePort } from '../support/free-port.ts';
import { waitFor, waitForStableStudies, type RunningOrthanc } from '../support/orthanc.ts';
import {
  countingAvara,
  startCountingProxy,
  startSyncRig,
  type AvaraCalls,
  type AvaraFaults,
  type SyncRig,
} from './pacs-harness.ts';

const KEY = 'pacs-sync-test-key-0123456789';
let rig: SyncRig;
let orthanc: RunningOrthanc;
let avaraServer: RunningAvaraServer;
let realAvara: AvaraClient;
let orthancClient: OrthancClient;
let folder: string;

/** What the sync loop asked of Avara (over every loop the tests start), and switches to make it misbehave. */
const calls: AvaraCalls = { retrieveByUid: 0, created: 0, conflicts: 0 };
const faults: AvaraFaults = { down: false, loseAnswerOfCreate: 0 };

const warnings: string[] = [];
/** The loop's warn and error lines (their messages), as pino writes them. */
const log: SyncLog = pino(
  { level: 'warn' },
  new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean))
        warnings.push(String(JSON.parse(line).msg));
      done();
    },
  }),
);

function startSync(statePath: string): PacsSync {
  return startPacsSync({
    orthanc: orthancClient,
    avara: countingAvara(realAvara, { calls, faults }).client,
    state: openSyncState(statePath),
    priorityMap: parsePriorityMap(DEFAULT_PRIORITY_MAP),
    log,
    pollIntervalMs: 100,
    pageSize: 10,
    backoff: { initialMs: 100, maxMs: 800 },
  });
}

const createStudies = (count: number, offset: number) => rig.createStudies(count, offset, 4);
const onWorklist: SyncRig['onWorklist'] = (study) => rig.onWorklist(study);

beforeAll(async () => {
  rig = await startSyncRig({ apiKey: KEY, stableAgeSeconds: 1, folderPrefix: 'rw-pacs-sync-' });
  ({ orthanc, orthancClient, avaraServer, realAvara, folder } = rig);
});

afterAll(async () => {
  await rig?.close();
});

describe('PACS sync loop', () => {
  it('restarted mid-feed with the same state file, creates each of 60 arrivals once and skips none', async () => {
    const statePath = join(folder, 'restart', 'pacs-sync.sqlite');
    const first = await createStudies(30, 0);
    faults.loseAnswerOfCreate = 1;
    let sync = startSync(statePath);
    const second = await createStudies(20, 30);
    await waitFor(() => calls.created >= 15, 30_000, 'the first loop to create 15 studies');
    await sync.close(); // mid-feed: more arrivals are waiting
    const positionAtStop = openSyncState(statePath);
    const saved = positionAtStop.position();
    positionAtStop.close();
    expect(saved).toBeGreaterThan(0);
    const third = await createStudies(10, 50); // arrive while no loop runs

    sync = startSync(statePath);
    const all = [...first, ...second, ...third];
    await waitFor(() => all.every(onWorklist) && calls.created >= 60, 45_000, 'all 60 studies on the worklist', 200);
    await sync.close();

    expect(calls.created).toBe(60);
    expect(calls.conflicts).toBe(0);
    // The restart resumed from the saved position: no study before it was looked at again (the
    // study whose answer was lost is looked up twice, and at most the one in hand at the stop).
    expect(calls.retrieveByUid).toBeLessThanOrEqual(60 + 2);
    const created = avaraServer.service.retrieveStudyByUid(first[0]?.studyInstanceUid ?? '');
    expect(created.metadata).toMatchObject({ orthancStudyId: first[0]?.orthancStudyId, sourcePacs: 'orthanc:RW-TEST' });
  });

  // Its own time limit: two BFF processes start here, which alone can take most of the default 20 s on a busy machine.
  it('killed (SIGKILL) mid-feed and started again, the BFF process creates each of 60 arrivals once and skips none', async () => {
    const dataDir = join(folder, 'killed');
    // Creates take 40 ms each, so the kill lands with most of the feed still to handle.
    const avaraProxy = await startCountingProxy(avaraServer.url, { delayMs: (method) => (method === 'POST' ? 40 : 0) });
    const env = {
      AVARA_API_KEY: KEY,
      AVARA_BASE_URL: avaraProxy.url,
      ORTHANC_URL: orthanc.url,
      ORTHANC_SYNC_INTERVAL_MS: '100',
      DATA_DIR: dataDir,
      AUDIT_LOG: join(dataDir, 'audit.log'),
      LOG_LEVEL: 'warn',
    };
    let bff: BffProcess | undefined;
    try {
      const studies = await createStudies(60, 200);
      await waitForStableStudies(
        orthanc,
        studies.map((study) => study.orthancStudyId),
      );
      bff = await startBffProcess(await freePort(), env);
      await waitFor(() => studies.filter(onWorklist).length >= 10, 30_000, 'the first BFF to create 10 studies', 20);
      await bff.kill();
      const handledAtKill = studies.filter(onWorklist).length;
      expect(handledAtKill).toBeLessThan(60);

      bff = await startBffProcess(await freePort(), env);
      await waitFor(() => studies.every(onWorklist), 45_000, 'all 60 studies on the worklist', 200);
      await bff.stop();
      const creates = avaraProxy.requests.filter((line) => line === 'POST /v1/viewer/studies');
      // One create per study, none repeated: the study in hand at the kill was looked up by UID first.
      expect(creates).toHaveLength(60);
    } catch (error) {
      throw new Error(
        `${error instanceof Error ? error.message : String(error)}\nBFF output:\n${bff?.output() ?? ''}`,
        { cause: error },
      );
    } finally {
      await bff?.stop();
      await avaraProxy.close();
    }
  }, 90_000);

  it('loses no arrival while Orthanc is stopped for a while, nor while Avara is down', async () => {
    const statePath = join(folder, 'outage', 'pacs-sync.sqlite');
    const createdBefore = calls.created;
    const sync = startSync(statePath);
    try {
      const early = await createStudies(5, 100);
      await waitForStableStudies(
        orthanc,
        early.map((study) => study.orthancStudyId),
      );
      await orthanc.stop();
      const warningsAtStop = warnings.length;
      await waitFor(
        () => warnings.slice(warningsAtStop).filter((line) => line === 'PACS sync waiting to retry').length >= 3,
        15_000,
        'the loop to retry against a stopped Orthanc',
      );
      await orthanc.start();
      const late = await createStudies(5, 105);

      faults.down = true;
      const warningsAvaraDown = warnings.length;
      await waitFor(
        () => warnings.slice(warningsAvaraDown).length >= 2,
        15_000,
        'the loop to retry against a stopped Avara',
      );
      faults.down = false;

      await waitFor(
        () => [...early, ...late].every(onWorklist) && calls.created - createdBefore >= 10,
        30_000,
        'all 10 studies on the worklist',
        200,
      );
      expect(calls.created - createdBefore).toBe(10);
      expect(calls.conflicts).toBe(0);
    } finally {
      faults.down = false;
      await sync.close();
    }
  });
});
