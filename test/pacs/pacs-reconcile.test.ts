import { renameSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrthancClient, type OrthancClient } from '../../src/bff/pacs/orthanc-client.ts';
import { startPacsSync, type PacsSync, type PacsSyncOptions, type SyncLog } from '../../src/bff/pacs/pacs-sync.ts';
import { DEFAULT_PRIORITY_MAP, parsePriorityMap } from '../../src/bff/pacs/priority.ts';
import { openSyncState } from '../../src/bff/pacs/sync-state.ts';
import type { AvaraClient } from '../../src/bff/services/avara-client.ts';
import { waitFor, waitForStableStudies, type CreatedStudy, type RunningOrthanc } from '../support/orthanc.ts';
import { countingAvara, startCountingProxy, startSyncRig, type SyncRig } from './pacs-harness.ts';

/**
 * Arrivals that Orthanc's change feed never reports: Orthanc restarted (SIGTERM or SIGKILL) while
 * studies were still arriving sends no StableStudy for them; a cleared feed or a replaced database
 * loses their changes altogether. Every one must still reach the worklist, created once.
 */
const KEY = 'pacs-reconcile-test-key-0123456789';
/** Long enough that studies sent just before a stop are still unstable when Orthanc goes down. */
const STABLE_AGE_SECONDS = 3;
let rig: SyncRig;
let orthanc: RunningOrthanc;
let realAvara: AvaraClient;
let orthancClient: OrthancClient;
let folder: string;

const lines: Array<{ level: number; msg: string; [key: string]: unknown }> = [];
const log: SyncLog = pino(
  { level: 'info' },
  new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  }),
);

function startSync(statePath: string, avara: AvaraClient, options: Partial<PacsSyncOptions> = {}): PacsSync {
  return startPacsSync({
    orthanc: orthancClient,
    avara,
    state: openSyncState(statePath),
    priorityMap: parsePriorityMap(DEFAULT_PRIORITY_MAP),
    log,
    pollIntervalMs: 100,
    pageSize: 10,
    backoff: { initialMs: 100, maxMs: 500 },
    // Long: only the pass at start runs, so a restart's lost arrivals are found through the pending studies.
    reconcileIntervalMs: 600_000,
    ...options,
  });
}

const sendBurst = (count: number, offset: number) => rig.createStudies(count, offset, 5);
const onWorklist = (study: CreatedStudy) => rig.onWorklist(study);

/** Orthanc study IDs for which the feed holds a StableStudy change. */
async function studiesReportedStable(): Promise<Set<string>> {
  const stable = new Set<string>();
  for (let since = 0; ;) {
    const page = await orthancClient.changes(since, 1000);
    for (const change of page.changes) if (change.changeType === 'StableStudy') stable.add(change.id);
    if (page.done || page.changes.length === 0) return stable;
    since = page.changes.at(-1)?.seq ?? page.last;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

beforeAll(async () => {
  rig = await startSyncRig({
    apiKey: KEY,
    stableAgeSeconds: STABLE_AGE_SECONDS,
    folderPrefix: 'rw-pacs-reconcile-',
  });
  ({ orthanc, orthancClient, realAvara, folder } = rig);
});

afterAll(async () => {
  await rig?.close();
});

describe('PACS sync reconciliation', () => {
  const all: CreatedStudy[] = [];

  it('puts all 50 studies on the worklist, each created once, when Orthanc is stopped with SIGTERM and with SIGKILL mid-feed', async () => {
    const statePath = join(folder, 'restarts', 'pacs-sync.sqlite');
    // Creates take 100 ms, so the SIGKILL below lands while the loop is working through the feed.
    const avara = countingAvara(realAvara, { createDelayMs: 100 });
    const sync = startSync(statePath, avara.client);
    try {
      // Burst 1, then SIGTERM a second later: its studies are still unstable when Orthanc stops.
      all.push(...(await sendBurst(10, 0)));
      await delay(1_000);
      await orthanc.stop({ signal: 'SIGTERM' });
      await orthanc.start();

      // Bursts 2 and 3; once the loop is creating burst 2 (stable), SIGKILL: burst 3 is unstable
      // and the rest of burst 2 is still to be handled.
      const second = await sendBurst(10, 10);
      all.push(...second);
      await delay(1_500);
      all.push(...(await sendBurst(10, 20)));
      await waitFor(() => second.some(onWorklist), 15_000, 'the loop to create a study of the second burst', 20);
      await orthanc.stop({ signal: 'SIGKILL' });
      expect(second.every(onWorklist)).toBe(false);
      await orthanc.start();

      // Bursts 4 and 5 to an Orthanc that stays up.
      all.push(...(await sendBurst(10, 30)));
      all.push(...(await sendBurst(10, 40)));

      await waitFor(() => all.every(onWorklist), 60_000, 'all 50 studies on the worklist', 200);
      // A little longer: any duplicate create would come now, from a late StableStudy.
      await delay(STABLE_AGE_SECONDS * 1_000 + 500);
    } finally {
      await sync.close();
    }

    expect(all).toHaveLength(50);
    expect(avara.calls.created).toBe(50);
    expect(avara.calls.conflicts).toBe(0);
    // The restarts did take StableStudy changes away: without the pending studies these would be lost.
    const reported = await studiesReportedStable();
    const neverReported = all.filter((study) => !reported.has(study.orthancStudyId));
    expect(neverReported.length).toBeGreaterThanOrEqual(10);
    const viaPending = new Set(
      lines
        .filter((line) => line.msg === 'PACS study handled' && line.via === 'pending')
        .map((line) => line.orthancStudyId),
    );
    expect(neverReported.filter((study) => !viaPending.has(study.orthancStudyId))).toEqual([]);
    const state = openSyncState(statePath);
    expect(state.counts()).toEqual({ pending: 0, settled: 50 });
    state.close();
  }, 120_000);

  it('at start, puts on the worklist the studies a cleared feed no longer mentions; a later pass costs no Avara call', async () => {
    const statePath = join(folder, 'cleared', 'pacs-sync.sqlite');
    const unreported = await sendBurst(5, 100);
    await waitForStableStudies(
      orthanc,
      unreported.map((study) => study.orthancStudyId),
      15_000,
    );
    const cleared = await fetch(`${orthanc.url}/changes`, { method: 'DELETE' });
    expect(cleared.status).toBe(200);
    all.push(...unreported);
    // Whatever the tests before left in this Orthanc counts too (the 50 of the first, if it ran).
    const inPacs = (await orthancClient.listStudies(0, 10_000)).length;

    const orthancProxy = await startCountingProxy(orthanc.url);
    const proxied = createOrthancClient({ baseUrl: orthancProxy.url, timeoutMs: 2_000 });
    /** A loop on the same state file that only reconciles (at start), 20 studies a page, through the proxy. */
    const reconcilingSync = (client: AvaraClient) =>
      startPacsSync({
        orthanc: proxied,
        avara: client,
        state: openSyncState(statePath),
        priorityMap: parsePriorityMap(DEFAULT_PRIORITY_MAP),
        log,
        pollIntervalMs: 100,
        reconcileIntervalMs: 600_000,
        reconcilePageSize: 20,
      });
    let avara = countingAvara(realAvara);
    let sync = reconcilingSync(avara.client);
    try {
      await sync.reconciled();
      expect(unreported.every(onWorklist)).toBe(true);
      expect(avara.calls.created).toBe(5);
      // A new state knows none of them: each is looked up once, none twice.
      expect(avara.calls.retrieveByUid).toBe(inPacs);
      await sync.close();

      // The same state again: every study is settled, so the pass lists them and asks Avara nothing.
      orthancProxy.requests.length = 0;
      avara = countingAvara(realAvara);
      sync = reconcilingSync(avara.client);
      await sync.reconciled();
      expect(avara.calls).toEqual({ retrieveByUid: 0, created: 0, conflicts: 0 });
      const listings = orthancProxy.requests.filter((line) => line.startsWith('GET /studies?'));
      // One listing per 20 studies (and one that comes back short, or empty).
      const pages = Math.floor(inPacs / 20) + 1;
      expect(listings).toEqual(Array.from({ length: pages }, (_, page) => `GET /studies?since=${page * 20}&limit=20`));
      expect(orthancProxy.requests.filter((line) => /^GET \/studies\/[0-9a-f-]+/.test(line))).toEqual([]);
    } finally {
      await sync.close();
      await proxied.close();
      await orthancProxy.close();
    }
  }, 60_000);

  it('follows a replaced Orthanc database from its start and forgets the old pending studies', async () => {
    const statePath = join(folder, 'replaced', 'pacs-sync.sqlite');
    const avara = countingAvara(realAvara);
    let sync = startSync(statePath, avara.client);
    try {
      await sync.reconciled();
      // Enough changes in the old feed that the new database's feed is shorter than our position.
      const settled = await sendBurst(5, 190);
      await waitFor(() => settled.every(onWorklist), 15_000, 'the old database studies on the worklist', 100);
      // Still arriving when Orthanc stops: pending in the state, then gone with the old database.
      const lost = await sendBurst(2, 200);
      await waitFor(() => openSyncStateCounts(statePath).pending === 2, 2_000, 'the loop to see the new arrivals');
      await sync.close();

      await orthanc.stop();
      renameSync(join(orthanc.directory, 'db'), join(orthanc.directory, 'db-old'));
      mkdirSync(join(orthanc.directory, 'db'));
      await orthanc.start();
      const fresh = await sendBurst(3, 300);
      const positionBefore = openSyncStatePosition(statePath);

      sync = startSync(statePath, avara.client);
      await waitFor(() => fresh.every(onWorklist), 20_000, 'the studies of the new database on the worklist', 200);
      expect(sync.position()).toBeLessThan(positionBefore);
      await waitFor(
        () => lines.some((line) => line.msg === 'PACS change feed restarted; following it from the beginning'),
        5_000,
        'the restart to be logged',
      );
      await waitFor(
        () => openSyncStateCounts(statePath).pending === 0,
        10_000,
        'the old pending studies to be forgotten',
        200,
      );
      expect(lost.some(onWorklist)).toBe(false);
    } finally {
      await sync.close();
    }
  }, 60_000);
});

function openSyncStateCounts(statePath: string): { pending: number; settled: number } {
  const state = openSyncState(statePath);
  try {
    return state.counts();
  } finally {
    state.close();
  }
}

function openSyncStatePosition(statePath: string): number {
  const state = openSyncState(statePath);
  try {
    return state.position();
  } finally {
    state.close();
  }
}
