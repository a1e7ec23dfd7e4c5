/**
 * The queue watcher (src/bff/events/queue-watcher.ts) against the bundled Avara-compatible server,
 * changed directly through its own HTTP API (as Avara's own tools would), on both shared-state
 * implementations: what it announces, that one instance walks at a time and another takes over, that
 * it goes on from the shared snapshot, and the exact counts of GET /api/worklist/counts.
 */
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { startAvaraServer, type RunningAvaraServer } from '../../src/avara-server/create-avara-server.ts';
import { SNAPSHOT_BUCKETS, bucketOf, countQueue, isActive, summarize } from '../../src/bff/events/queue-snapshot.ts';
import {
  MAX_EVENTS_PER_WALK,
  readQueueCounts,
  startQueueWatcher,
  type QueueWatcher,
} from '../../src/bff/events/queue-watcher.ts';
import { createStudyEvents } from '../../src/bff/events/study-events.ts';
import { createAvaraClient, type AvaraClient } from '../../src/bff/services/avara-client.ts';
import { createSharedState } from '../../src/bff/shared-state/create-shared-state.ts';
import { noLog, type BusEvent, type SharedState } from '../../src/bff/shared-state/shared-state.ts';
import type { Study, StudyCreateParams } from '../../src/contract/avara-types.ts';
import { generateUid, waitFor } from '../support/orthanc.ts';
import { useRedisSuite } from '../support/redis-suite.ts';
import { dataOf, openSse } from '../support/sse-client.ts';
import { buildTestBff, signIn } from '../support/test-bff.ts';

const KEY = 'queue-watcher-test-key-0123456789';
const INTERVAL_MS = 500;
const suite = useRedisSuite();
const { cleanups } = suite;
let worlds = 0;

/** One shared state as several instances see it: two objects on one SQLite file, or two clients of one Redis. */
interface World {
  open(instanceId: string): Promise<SharedState>;
  /** Whether an event published on one instance reaches another's subscribers. */
  crossInstanceEvents: boolean;
}

const implementations: Array<{ name: string; world(): World }> = [
  {
    name: 'in-process',
    world() {
      const dataDir = suite.tempFolder('rw-watcher-');
      return { crossInstanceEvents: false, open: (instanceId) => track(createSharedState({ dataDir, instanceId })) };
    },
  },
  {
    name: 'redis',
    world() {
      const keyPrefix = `watcher${++worlds}-${process.pid}:`;
      return {
        crossInstanceEvents: true,
        open: (instanceId) =>
          track(createSharedState({ redisUrl: suite.redis.url, dataDir: tmpdir(), keyPrefix, instanceId })),
      };
    },
  },
];

async function track(opening: Promise<SharedState>): Promise<SharedState> {
  const shared = await opening;
  cleanups.push(() => shared.close());
  return shared;
}

async function upstreamServer(demoStudies: number): Promise<RunningAvaraServer> {
  const server = await startAvaraServer({ databasePath: ':memory:', apiKey: KEY, demoStudies });
  cleanups.push(() => server.close());
  return server;
}

/** An Avara client of the upstream that counts the queue walks' pages. */
function countingClient(server: RunningAvaraServer): AvaraClient & { pages(): number } {
  const client = createAvaraClient({ baseUrl: server.url, apiKey: KEY, timeoutMs: 2_000, retries: 0 });
  cleanups.push(() => client.close());
  let pages = 0;
  return {
    ...client,
    listStudies: (query) => {
      pages += 1;
      return client.listStudies(query);
    },
    pages: () => pages,
  };
}

function watch(
  server: RunningAvaraServer,
  shared: SharedState,
  options: { now?: () => number; avara?: AvaraClient } = {},
): QueueWatcher {
  const watcher = startQueueWatcher({
    avara: options.avara ?? countingClient(server),
    shared,
    intervalMs: INTERVAL_MS,
    log: noLog,
    ...(options.now ? { now: options.now } : {}),
  });
  cleanups.push(() => watcher.close());
  return watcher;
}

/** The bus events of `shared` from now on. */
async function listen(shared: SharedState): Promise<BusEvent[]> {
  const heard: BusEvent[] = [];
  const stop = await shared.events.subscribe({ onEvent: (event) => void heard.push(event) });
  cleanups.push(stop);
  return heard;
}

async function baselineDone(shared: SharedState): Promise<void> {
  await waitFor(async () => (await readQueueCounts(shared.records)) !== undefined, 10_000, 'the first walk');
}

/** Avara's own HTTP API, as its tools would use it: not through the BFF. */
async function upstreamCall(
  server: RunningAvaraServer,
  method: 'PATCH' | 'POST',
  path: string,
  body: unknown,
): Promise<Study> {
  const response = await fetch(`${server.url}/v1/viewer${path}`, {
    method,
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as Study;
}

function activeStudies(server: RunningAvaraServer): Study[] {
  const studies: Study[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = server.service.listStudies({
      studyViewerStatus: 'incomplete',
      isCancelled: false,
      limit: 100,
      ...(cursor ? { cursor } : {}),
    });
    studies.push(...page.studies);
    if (!page.hasMore || !page.cursor) return studies;
    cursor = page.cursor;
  }
}

function newStudy(severity: StudyCreateParams['severity'], assignedTo?: string): StudyCreateParams {
  return {
    studyInstanceUid: generateUid(),
    studyDescription: 'CT Chest',
    severity,
    ...(assignedTo ? { assignedTo } : {}),
  };
}

describe.each(implementations)('the queue watcher ($name)', (implementation) => {
  it('announces changes made directly upstream to SSE clients within the interval plus a second', async () => {
    const server = await upstreamServer(30);
    const shared = await implementation.world().open('bff-1');
    watch(server, shared);
    const app = await buildTestBff({ upstreamUrl: server.url, apiKey: KEY, shared });
    cleanups.push(() => app.close());
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const coordinator = server.service.listUsers({ limit: 100 }).users.find((user) => user.canManageStudies);
    const client = await openSse(`${url}/api/events`, await signIn(app, coordinator?.email ?? ''));
    cleanups.push(() => client.close());
    await baselineDone(shared);
    await client.waitFor((message) => message.event === 'stream.status');
    const [changed, read, cancelled] = activeStudies(server);
    const within = { timeoutMs: INTERVAL_MS + 1_000 };

    let from = client.messages.length;
    const patched = await upstreamCall(server, 'PATCH', `/studies/${changed?.studyId}`, {
      studyDescription: 'Changed in Avara',
    });
    const change = await client.waitFor((message) => message.event === 'study.changed', { ...within, from });
    expect(dataOf(change)).toEqual({ study: patched, origin: 'watcher' });

    from = client.messages.length;
    const created = await upstreamCall(server, 'POST', '/studies', newStudy('stat'));
    const creation = await client.waitFor((message) => message.event === 'study.created', { ...within, from });
    expect(dataOf(creation)).toEqual({ study: created, origin: 'watcher' });

    from = client.messages.length;
    await upstreamCall(server, 'PATCH', `/studies/${read?.studyId}`, { studyViewerStatus: 'complete' });
    const readElsewhere = await client.waitFor((message) => message.event === 'study.changed', { ...within, from });
    expect(dataOf(readElsewhere)).toMatchObject({
      study: { studyId: read?.studyId, studyViewerStatus: 'complete' },
      origin: 'watcher',
    });

    from = client.messages.length;
    await fetch(`${server.url}/v1/viewer/studies/cancel`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ studyId: cancelled?.studyId }),
    });
    const cancellation = await client.waitFor((message) => message.event === 'study.changed', { ...within, from });
    expect(dataOf(cancellation)).toMatchObject({
      study: { studyId: cancelled?.studyId, isCancelled: true },
      origin: 'watcher',
    });
  });

  it('publishes nothing while nothing changes', async () => {
    const server = await upstreamServer(30);
    const shared = await implementation.world().open('bff-1');
    const heard = await listen(shared);
    const avara = countingClient(server);
    watch(server, shared, { avara });
    await baselineDone(shared);
    const walked = avara.pages();
    await waitFor(() => avara.pages() >= walked + 3, 5_000, 'three more walks');
    expect(heard).toEqual([]);
  });

  it('walks on one instance at a time; another takes over from the snapshot when it stops', async () => {
    const server = await upstreamServer(30);
    const world = implementation.world();
    const first = await world.open('bff-1');
    const second = await world.open('bff-2');
    const firstAvara = countingClient(server);
    const secondAvara = countingClient(server);
    const leader = watch(server, first, { avara: firstAvara });
    await baselineDone(first);
    const follower = watch(server, second, { avara: secondAvara });
    await waitFor(() => firstAvara.pages() >= 4, 5_000, 'a few walks');
    expect(leader.isLeader()).toBe(true);
    expect(follower.isLeader()).toBe(false);
    expect(secondAvara.pages()).toBe(0);

    const heard = await listen(second);
    await leader.close();
    await waitFor(() => follower.isLeader(), INTERVAL_MS * 3, 'the other instance to lead');
    await waitFor(() => secondAvara.pages() > 0, 2_000, 'the new leader to walk');
    const paused = firstAvara.pages();

    // The new leader goes on from the shared snapshot: a change is announced, not taken as a baseline.
    const [study] = activeStudies(server);
    const patched = await upstreamCall(server, 'PATCH', `/studies/${study?.studyId}`, {
      severity: study?.severity === 'stat' ? 'high' : 'stat',
    });
    await waitFor(() => heard.some((event) => event.type === 'study.changed'), INTERVAL_MS + 1_000, 'the change');
    expect(heard.map((event) => [event.type, event.data])).toEqual([
      ['study.changed', { study: patched, origin: 'watcher' }],
    ]);
    expect(heard[0]?.source).toBe('bff-2');
    expect(firstAvara.pages()).toBe(paused);
  });

  it('takes a snapshot saved in another number of buckets as none: a baseline, and the old records gone', async () => {
    const server = await upstreamServer(30);
    const shared = await implementation.world().open('bff-1');
    const [study] = activeStudies(server);
    // As an older version saved it: 32 buckets, one of them holding a study in a state it no longer has.
    await shared.records.set('queue-watch', 'state', { savedAt: new Date().toISOString(), buckets: 32 });
    await shared.records.set('queue-watch', 'snapshot-07', {
      studies: { [String(study?.studyId)]: ['0000000000000000', 'stat', null, null] },
    });
    const heard = await listen(shared);
    watch(server, shared);
    await baselineDone(shared);
    const left = await shared.records.list('queue-watch', { prefix: 'snapshot-' });
    expect(left.records.map((record) => record.key)).not.toContain('snapshot-07');
    expect(left.records.every((record) => /^snapshot-\d{3}$/.test(record.key))).toBe(true);
    expect((await shared.records.get('queue-watch', 'state'))?.value.buckets).toBe(SNAPSHOT_BUCKETS);
    expect(heard.filter((event) => event.type.startsWith('study.'))).toEqual([]);
  });

  it('takes a snapshot of fingerprints (an older version’s form) as none: a baseline, and no announcement', async () => {
    const server = await upstreamServer(30);
    const shared = await implementation.world().open('bff-1');
    const [study] = activeStudies(server);
    // As the version before answer hashes saved it: 256 buckets, no form, a fingerprint per study.
    await shared.records.set('queue-watch', 'state', { savedAt: new Date().toISOString(), buckets: SNAPSHOT_BUCKETS });
    await shared.records.set('queue-watch', `snapshot-${String(bucketOf(String(study?.studyId))).padStart(3, '0')}`, {
      studies: { [String(study?.studyId)]: ['0000000000000000', 'stat', null, null] },
    });
    const heard = await listen(shared);
    watch(server, shared);
    await waitFor(
      async () => (await shared.records.get('queue-watch', 'state'))?.value.form === 'answer-hash',
      INTERVAL_MS + 5_000,
      'the baseline in the new form',
    );
    expect(heard.filter((event) => event.type.startsWith('study.') || event.type === 'resync')).toEqual([]);
  });

  it('announces what changed while no instance watched, and a flood as one resync', async () => {
    const server = await upstreamServer(0);
    const users = server.service.listUsers({ limit: 100 }).users;
    for (let n = 0; n < MAX_EVENTS_PER_WALK + 20; n++) server.service.createStudy(newStudy('normal'));
    const shared = await implementation.world().open('bff-1');
    const first = watch(server, shared);
    await baselineDone(shared);
    await first.close();

    const [study] = activeStudies(server);
    const assigned = server.service.updateStudy(study?.studyId ?? '', { assignedTo: users[0]?.userId ?? null });
    const heard = await listen(shared);
    const second = watch(server, shared);
    await waitFor(() => heard.length > 0, INTERVAL_MS + 2_000, 'the change made while nobody watched');
    expect(heard.map((event) => [event.type, event.data])).toEqual([
      ['study.changed', { study: JSON.parse(JSON.stringify(assigned)), origin: 'watcher' }],
    ]);
    await second.close();

    for (const each of activeStudies(server))
      server.service.updateStudy(each.studyId, { studyDescription: 'Bulk change' });
    heard.length = 0;
    watch(server, shared);
    await waitFor(() => heard.length > 0, INTERVAL_MS + 2_000, 'the flood');
    await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS * 2));
    expect(heard.map((event) => event.type)).toEqual(['resync']);
  });

  it('counts exactly: per severity, overdue, unassigned and per assignee, for every instance', async () => {
    const server = await upstreamServer(0);
    const [alice, bob] = server.service.listUsers({ limit: 100 }).users;
    const a = alice?.userId ?? '';
    const b = bob?.userId ?? '';
    for (const params of [
      newStudy('stat', a),
      newStudy('stat', a),
      newStudy('stat'),
      newStudy('high', b),
      newStudy('high'),
      newStudy('normal', a),
      newStudy('normal'),
      newStudy('normal'),
      newStudy('normal'),
    ]) {
      server.service.createStudy(params);
    }
    // Not in the active queue: read, and cancelled.
    server.service.updateStudy(server.service.createStudy(newStudy('stat', a)).studyId, {
      studyViewerStatus: 'complete',
    });
    server.service.cancelStudy({ studyId: server.service.createStudy(newStudy('high')).studyId });

    const world = implementation.world();
    const watching = await world.open('bff-1');
    const answering = await world.open('bff-2');
    // 90 minutes on: the STAT studies (1 h) are overdue, the high (4 h) and normal (24 h) not yet.
    watch(server, watching, { now: () => Date.now() + 90 * 60_000 });
    await baselineDone(watching);
    const app = await buildTestBff({ upstreamUrl: server.url, apiKey: KEY, shared: answering });
    cleanups.push(() => app.close());
    const coordinator = server.service.listUsers({ limit: 100 }).users.find((user) => user.canManageStudies);
    const response = await app.inject({
      url: '/api/worklist/counts',
      headers: await signIn(app, coordinator?.email ?? ''),
    });
    expect(response.statusCode).toBe(200);
    const counts = response.json();
    expect(counts).toEqual({
      unread: { stat: { count: 3, capped: false }, high: { count: 2, capped: false } },
      bySeverity: { stat: 3, high: 2, normal: 4 },
      overdue: { stat: 3, high: 0, normal: 0 },
      unassigned: { stat: 1, high: 1, normal: 3 },
      byAssignee: { [a]: { stat: 2, high: 0, normal: 1 }, [b]: { stat: 0, high: 1, normal: 0 } },
      // The coordinator asking is `a`: their own and the unassigned ones.
      mineAndUnassigned: { stat: 3, high: 1, normal: 4 },
      asOf: expect.stringMatching(/Z$/),
      capped: false,
    });
    expect(Date.parse(counts.asOf)).toBeGreaterThan(Date.now() + 80 * 60_000);
  });
});

describe('the queue watcher and the product’s own events', () => {
  it('does not announce again a change the worklist already published', async () => {
    const server = await upstreamServer(20);
    const shared = await implementations[0]?.world().open('bff-1');
    if (!shared) throw new Error('no shared state');
    const avara = countingClient(server);
    watch(server, shared, { avara });
    await baselineDone(shared);
    const heard = await listen(shared);
    const [study] = activeStudies(server);
    // As the study routes do: the change reaches Avara, then its event goes out. In-process the event
    // is heard before any walk can read the change (both happen in this process, the event first).
    const changed = server.service.updateStudy(study?.studyId ?? '', { studyViewerStatus: 'complete' });
    await createStudyEvents(shared.events, noLog).changed(changed, 'worklist');
    const [other] = activeStudies(server);
    const edited = server.service.updateStudy(other?.studyId ?? '', { studyDescription: 'Edited in the worklist' });
    await createStudyEvents(shared.events, noLog).changed(edited, 'worklist');
    const walked = avara.pages();
    await waitFor(() => avara.pages() >= walked + 3, 5_000, 'three more walks');
    expect(heard.map((event) => event.data.origin)).toEqual(['worklist', 'worklist']);
  });

  it('counts a seeded queue exactly as a direct count does', async () => {
    const server = await upstreamServer(600);
    const shared = await implementations[0]?.world().open('bff-1');
    if (!shared) throw new Error('no shared state');
    const at = Date.now();
    watch(server, shared, { now: () => at });
    await baselineDone(shared);
    const expected = countQueue(
      activeStudies(server)
        .filter(isActive)
        .map((study) => summarize(study)),
      at,
    );
    expect(await readQueueCounts(shared.records)).toEqual(expected);
    expect(expected.bySeverity.stat + expected.bySeverity.high + expected.bySeverity.normal).toBeGreaterThan(200);
    expect(expected.overdue.normal).toBeGreaterThan(0);
  });

  it('waits for a pause in the requests before each page it reads', async () => {
    const server = await upstreamServer(600);
    const shared = await implementations[0]?.world().open('bff-1');
    if (!shared) throw new Error('no shared state');
    const avara = countingClient(server);
    const asked: number[] = [];
    let busy = true;
    const watcher = startQueueWatcher({
      avara,
      shared,
      intervalMs: INTERVAL_MS,
      log: noLog,
      // Requests are being answered: each wait lasts as long as the watcher allows.
      whenQuiet: async (maxWaitMs) => {
        asked.push(avara.pages());
        if (busy) await new Promise((resolve) => setTimeout(resolve, maxWaitMs));
      },
    });
    cleanups.push(() => watcher.close());
    await baselineDone(shared);
    busy = false;
    // Before each page (and each bucket written), never two pages without a wait in between.
    expect(asked.slice(0, 5)).toEqual([0, 1, 2, 3, 4]);
    expect(avara.pages()).toBeGreaterThanOrEqual(5);
  });
});
