import { runLoad, type LoadResult } from '../lib/load.ts';
import { latencySummary, mb, ms, count } from '../lib/stats.ts';
import { cpuMs, residentBytes } from '../lib/processes.ts';
import { row, type BenchRow } from '../lib/table.ts';

/** The list request of the comparison: one page of the HIGH group, as a worklist asks for it. */
export const OVERHEAD_QUERY = 'limit=25&severity=high&studyViewerStatus=incomplete';

export interface OverheadOptions {
  upstreamUrl: string;
  upstreamPid: number;
  apiKey: string;
  bffUrl: string;
  bffPid: number;
  cookie: string;
  connections: number;
  rounds: number;
  roundSeconds: number;
}

/**
 * Figure 1 (and the BFF half of figure 5): the same list request sent straight to the upstream and
 * through the BFF, in alternated rounds at the same concurrency, after a warm-up round of each.
 */
export async function measureBffOverhead(options: OverheadOptions): Promise<BenchRow[]> {
  type Target = { url: string; headers: Record<string, string> };
  const direct: Target = {
    url: `${options.upstreamUrl}/v1/viewer/studies?${OVERHEAD_QUERY}`,
    headers: { authorization: `Bearer ${options.apiKey}`, accept: 'application/json' },
  };
  const throughBff: Target = {
    url: `${options.bffUrl}/api/studies?${OVERHEAD_QUERY}`,
    headers: { cookie: options.cookie, 'x-csrf': '1', accept: 'application/json' },
  };
  // CPU each process spends on the rounds through the BFF: on a machine with few cores this, not
  // the BFF's code path alone, sets how close the two sides can be.
  const cpu = { upstream: 0, bff: 0, loadGenerator: 0, requests: 0 };
  const load = async (target: Target, seconds: number) => {
    const upstreamBefore = cpuMs(options.upstreamPid);
    const bffBefore = cpuMs(options.bffPid);
    const result = await runLoad({ ...target, connections: options.connections, seconds });
    if (target === throughBff) {
      cpu.upstream += cpuMs(options.upstreamPid) - upstreamBefore;
      cpu.bff += cpuMs(options.bffPid) - bffBefore;
      cpu.loadGenerator += result.loadGeneratorCpuMs * result.latencies.length;
      cpu.requests += result.latencies.length;
    }
    return result;
  };

  // Warm-up: JIT, connection pools, SQLite's page cache.
  const warmSeconds = Math.max(1, Math.round(options.roundSeconds / 2));
  await load(direct, warmSeconds);
  await load(throughBff, warmSeconds);

  const directRounds: LoadResult[] = [];
  const bffRounds: LoadResult[] = [];
  for (let round = 0; round < options.rounds; round += 1) {
    // Alternate who goes first, so a drift in the machine's speed falls on both sides alike.
    if (round % 2 === 0) {
      directRounds.push(await load(direct, options.roundSeconds));
      bffRounds.push(await load(throughBff, options.roundSeconds));
    } else {
      bffRounds.push(await load(throughBff, options.roundSeconds));
      directRounds.push(await load(direct, options.roundSeconds));
    }
  }
  const perRequest = (total: number) => total / Math.max(1, cpu.requests);
  const failures = [...directRounds, ...bffRounds].reduce((sum, result) => sum + result.failures, 0);
  if (failures > 0) throw new Error(`${failures} requests of the load run failed (non-2xx, errors or timeouts)`);

  const rps = (rounds: LoadResult[]) =>
    rounds.reduce((sum, result) => sum + result.requestsPerSecond, 0) / rounds.length;
  const directRps = rps(directRounds);
  const bffRps = rps(bffRounds);
  const directLatency = latencySummary(directRounds.flatMap((result) => result.latencies));
  const bffLatency = latencySummary(bffRounds.flatMap((result) => result.latencies));
  const ratio = bffRps / directRps;
  const addedP50 = bffLatency.p50 - directLatency.p50;
  const addedP99 = bffLatency.p99 - directLatency.p99;
  const rss = residentBytes(options.bffPid);
  const where = `${options.connections} connections, ${options.rounds} × ${options.roundSeconds} s per side`;

  return [
    row('1', `Direct to the bundled server: requests/s (${where})`, count(Math.round(directRps)), '—', null),
    row('1', 'Through the BFF: requests/s', count(Math.round(bffRps)), '—', null),
    row('1', 'BFF throughput ÷ direct', `${(ratio * 100).toFixed(1)} %`, '≥ 80 %', ratio >= 0.8),
    row('1', 'Latency p50: direct / through the BFF', `${ms(directLatency.p50)} / ${ms(bffLatency.p50)}`, '—', null),
    row('1', 'Added latency p50 (BFF − direct)', ms(addedP50), '< 1 ms', addedP50 < 1),
    row('1', 'Latency p99: direct / through the BFF', `${ms(directLatency.p99)} / ${ms(bffLatency.p99)}`, '—', null),
    row('1', 'Added latency p99 (BFF − direct)', ms(addedP99), '< 5 ms', addedP99 < 5),
    row(
      '1',
      'CPU per request through the BFF: upstream / BFF / load generator',
      `${ms(perRequest(cpu.upstream))} / ${ms(perRequest(cpu.bff))} / ${ms(perRequest(cpu.loadGenerator))}`,
      '—',
      null,
    ),
    row('5', 'BFF resident memory after the load run', mb(rss), '< 300 MB', rss < 300 * 1024 * 1024),
  ];
}
