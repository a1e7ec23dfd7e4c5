import { setTimeout as sleep } from 'node:timers/promises';
import { createStudy, patchStudy } from '../lib/live-api.ts';
import { cpuMs, residentBytes } from '../lib/processes.ts';
import { newToken, nowMs, type SseClientPool } from '../lib/sse-clients.ts';
import { count, kb, latencySummary, mb, median, ms } from '../lib/stats.ts';
import { row, type BenchRow } from '../lib/table.ts';

/**
 * The live setting's own cost with nothing asked of it: CPU per second of the two instances and of
 * the upstream over `seconds` of quiet. The instance that leads the queue watcher walks the whole
 * active queue every QUEUE_WATCH_INTERVAL_MS (5 s), so this grows with the queue, and the live
 * figures (and anything else on the machine) are measured beside it.
 */
export async function measureIdleCost(options: {
  instancePids: readonly number[];
  upstreamPid: number;
  seconds: number;
}): Promise<BenchRow[]> {
  const read = () => ({
    instances: options.instancePids.reduce((sum, pid) => sum + cpuMs(pid), 0),
    upstream: cpuMs(options.upstreamPid),
  });
  const before = read();
  const started = performance.now();
  await sleep(options.seconds * 1_000);
  const after = read();
  const perSecond = (used: number) => (used / (performance.now() - started)) * 1_000;
  return [
    row(
      '6',
      `With nothing asked of them: CPU per second of instances A + B / of the upstream, over ${count(options.seconds)} s (the queue watcher's walks of the active queue)`,
      `${ms(perSecond(after.instances - before.instances), 0)} / ${ms(perSecond(after.upstream - before.upstream), 0)}`,
      '—',
      null,
    ),
  ];
}

export interface LatencyOptions {
  /** The instance the changes go through, and the one whose event stream is read. */
  changeUrl: string;
  streamUrl: string;
  upstreamUrl: string;
  apiKey: string;
  /** A coordinator's session (changes the description), and someone else's for the stream. */
  coordinatorCookie: string;
  viewerCookie: string;
  clients: SseClientPool;
  samples: number;
}

/**
 * Figure 6: one person's change through instance A, on another person's event stream on instance B.
 * Each sample is one `PATCH` (a new description carrying a token, `If-Match: *`), sent only after
 * the previous sample's event has arrived: the time from just before the request is sent until the
 * client on B has the chunk with the token (both read process.hrtime, the one monotonic clock of the
 * machine; the client runs in its own process).
 */
export async function measureEventLatency(options: LatencyOptions): Promise<BenchRow[]> {
  const study = await createStudy(options.upstreamUrl, options.apiKey, 'Bench event latency', 'normal');
  await options.clients.open(`${options.streamUrl}/api/events`, [options.viewerCookie], 1);
  const change = async (sample: number) => {
    const token = newToken('lat', sample);
    const sent = nowMs();
    const [answer, collected] = await Promise.all([
      patchStudy(options.changeUrl, options.coordinatorCookie, study.studyId, '*', {
        studyDescription: `Bench event latency ${token}`,
      }).then((result) => ({ ...result, at: nowMs() })),
      options.clients.collect(token),
    ]);
    if (answer.status !== 200)
      throw new Error(`A change through instance A answered ${answer.status}: ${answer.body.slice(0, 300)}`);
    return { eventMs: (collected.arrivals[0] ?? Number.NaN) - sent, answerMs: answer.at - sent };
  };
  // Warm-up (not counted): connections, JIT, the stream's first events.
  for (let sample = 0; sample < Math.min(10, Math.max(3, options.samples / 10)); sample += 1) await change(-1 - sample);
  const samples: Array<{ eventMs: number; answerMs: number }> = [];
  for (let sample = 0; sample < options.samples; sample += 1) samples.push(await change(sample));
  await options.clients.closeStreams();

  const event = latencySummary(samples.map((sample) => sample.eventMs));
  const answer = latencySummary(samples.map((sample) => sample.answerMs));
  const what = `${count(samples.length)} changes one after another`;
  return [
    row(
      '6',
      `Event across instances: PATCH through A until B's event stream has its study.changed, p50 (${what})`,
      ms(event.p50),
      '< 50 ms',
      event.p50 < 50,
    ),
    row('6', 'Event across instances: same, p99', ms(event.p99), '< 250 ms', event.p99 < 250),
    row('6', 'The PATCH answer on A, p50 / p99 (same changes)', `${ms(answer.p50)} / ${ms(answer.p99)}`, '—', null),
  ];
}

export interface FanoutOptions {
  /** The instance the clients connect to; the changes go through it too. */
  bffUrl: string;
  bffPid: number;
  upstreamUrl: string;
  apiKey: string;
  coordinatorCookie: string;
  /** Sessions the streams are spread over (several people, as in a reading room). */
  cookies: readonly string[];
  clients: SseClientPool;
  clientProcesses: number;
  fanoutClients: number;
  fanoutEvents: number;
  log: (message: string) => void;
}

/**
 * Figure 7: `fanoutClients` event streams on one instance, then `fanoutEvents` changes one after
 * another: for each, the time from sending the PATCH until the last client has its event. And the
 * instance's resident memory per connected client.
 */
export async function measureFanout(options: FanoutOptions): Promise<BenchRow[]> {
  const study = await createStudy(options.upstreamUrl, options.apiKey, 'Bench fan-out', 'normal');
  const streams = `${options.bffUrl}/api/events`;
  // A first batch, open while memory is read "before": what the first streams cost once (code,
  // buffers) is then not counted per client.
  const firstBatch = Math.min(options.fanoutClients - 1, Math.max(10, Math.round(options.fanoutClients / 20)));
  await options.clients.open(streams, options.cookies, firstBatch);
  const before = await settledResident(options.bffUrl, options.bffPid);
  await options.clients.open(streams, options.cookies, options.fanoutClients - firstBatch);
  const after = await settledResident(options.bffUrl, options.bffPid);
  const perClient = (after - before) / (options.fanoutClients - firstBatch);
  options.log(`  ${count(options.fanoutClients)} streams open; resident memory ${mb(before)} → ${mb(after)}`);

  const change = async (sample: number) => {
    const token = newToken('fan', sample);
    const sent = nowMs();
    const [answer, collected] = await Promise.all([
      patchStudy(options.bffUrl, options.coordinatorCookie, study.studyId, '*', {
        studyDescription: `Bench fan-out ${token}`,
      }),
      options.clients.collect(token, 30_000),
    ]);
    if (answer.status !== 200) throw new Error(`A change answered ${answer.status}: ${answer.body.slice(0, 300)}`);
    const arrivals = collected.arrivals.map((at) => at - sent).sort((a, b) => a - b);
    // The busiest client process: its CPU while the event reached its clients, and that span.
    const busiest = collected.perProcess.reduce((most, part) => (part.cpuMs > most.cpuMs ? part : most), {
      cpuMs: 0,
      spreadMs: 0,
    });
    return {
      allMs: arrivals.at(-1) ?? Number.NaN,
      firstMs: arrivals[0] ?? Number.NaN,
      medianMs: median(arrivals),
      clientCpuMs: busiest.cpuMs,
      clientBusy: busiest.spreadMs > 0 ? busiest.cpuMs / busiest.spreadMs : 0,
    };
  };
  await change(-1);
  const events: Array<Awaited<ReturnType<typeof change>>> = [];
  for (let sample = 0; sample < options.fanoutEvents; sample += 1) {
    await sleep(100);
    events.push(await change(sample));
  }
  await options.clients.closeStreams();

  const all = latencySummary(events.map((event) => event.allMs));
  const clients = count(options.fanoutClients);
  return [
    row(
      '7',
      `Fan-out: ${clients} event streams on one instance, PATCH until every client has the event, p50 / p99 of ${count(events.length)} events`,
      `${ms(all.p50)} / ${ms(all.p99)}`,
      'p99 < 500 ms',
      all.p99 < 500,
    ),
    row(
      '7',
      'Fan-out: first client / median client, medians over the events',
      `${ms(median(events.map((event) => event.firstMs)))} / ${ms(median(events.map((event) => event.medianMs)))}`,
      '—',
      null,
    ),
    row(
      '7',
      `Fan-out, the clients' side: CPU of the busiest of ${count(options.clientProcesses)} client processes from its first client's event to its last (at most what the clients added to the time), and its share of that span; medians over the events`,
      `${ms(median(events.map((event) => event.clientCpuMs)))} (${(median(events.map((event) => event.clientBusy)) * 100).toFixed(0)} %)`,
      '—',
      null,
    ),
    row(
      '7',
      `BFF resident memory per connected event stream (${clients} streams)`,
      kb(perClient),
      '< 50 KB',
      perClient < 50 * 1024,
    ),
  ];
}

/**
 * The instance's resident memory once it is quiet: the same few hundred light requests first (so
 * both readings find its young generation in a like state), then the median of five readings.
 */
async function settledResident(bffUrl: string, pid: number): Promise<number> {
  await sleep(500);
  for (let batch = 0; batch < 10; batch += 1) {
    await Promise.all(Array.from({ length: 30 }, async () => (await fetch(`${bffUrl}/api/health`)).arrayBuffer()));
  }
  await sleep(500);
  const readings: number[] = [];
  for (let reading = 0; reading < 5; reading += 1) {
    readings.push(residentBytes(pid));
    await sleep(100);
  }
  return median(readings);
}
