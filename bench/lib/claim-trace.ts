import { Redis } from 'ioredis';

/**
 * What the processes of figure 8 did, counted before and after the rushes: the commands Redis ran
 * (INFO commandstats, by command) and the exchanges each instance had with the upstream (its
 * `worklist_upstream_request_duration_seconds` counts, by operation). Divided by the number of
 * claims, it says what one claim costs in round trips, whatever the machine's load.
 */
export interface Tally {
  redis: Map<string, number>;
  upstream: Map<string, number>;
}

export interface TraceSources {
  redisUrl: string;
  /** Each instance's URL; GET /metrics is asked with `metricsToken`. */
  instances: readonly string[];
  metricsToken: string;
}

export async function takeTally(sources: TraceSources): Promise<Tally> {
  const [redis, ...upstreams] = await Promise.all([
    redisCommands(sources.redisUrl),
    ...sources.instances.map((url) => upstreamCalls(url, sources.metricsToken)),
  ]);
  const upstream = new Map<string, number>();
  for (const calls of upstreams) for (const [operation, count] of calls) add(upstream, operation, count);
  return { redis, upstream };
}

/** `after` less `before`, per key; keys with no difference are left out. */
export function tallyDifference(before: Tally, after: Tally): Tally {
  const difference = (from: Map<string, number>, to: Map<string, number>) => {
    const out = new Map<string, number>();
    for (const [key, count] of to) {
      const delta = count - (from.get(key) ?? 0);
      if (delta > 0) out.set(key, delta);
    }
    return out;
  };
  return { redis: difference(before.redis, after.redis), upstream: difference(before.upstream, after.upstream) };
}

/** `name 1.23, other 0.5` per claim, largest first; the two INFO calls of the tally itself are not counted. */
export function perClaim(counts: Map<string, number>, claims: number, leaveOut: Record<string, number> = {}): string {
  const entries = [...counts]
    .map(([key, count]) => [key, count - (leaveOut[key] ?? 0)] as const)
    .filter(([, count]) => count > 0)
    .sort((left, right) => right[1] - left[1]);
  const total = entries.reduce((sum, [, count]) => sum + count, 0);
  const parts = entries.map(([key, count]) => `${key} ${(count / claims).toFixed(2)}`);
  return `${(total / claims).toFixed(2)} (${parts.join(', ') || 'none'})`;
}

async function redisCommands(url: string): Promise<Map<string, number>> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    const info = await client.info('commandstats');
    const counts = new Map<string, number>();
    for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
      const [, command, calls] = match;
      if (command && calls) counts.set(command, Number(calls));
    }
    return counts;
  } finally {
    client.disconnect();
  }
}

async function upstreamCalls(instanceUrl: string, token: string): Promise<Map<string, number>> {
  const response = await fetch(`${instanceUrl}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok) throw new Error(`GET ${instanceUrl}/metrics answered ${response.status}`);
  const text = await response.text();
  const counts = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('worklist_upstream_request_duration_seconds_count{')) continue;
    const operation = /operation="([^"]*)"/.exec(line)?.[1];
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (operation && Number.isFinite(value)) add(counts, operation, value);
  }
  return counts;
}

function add(counts: Map<string, number>, key: string, count: number): void {
  counts.set(key, (counts.get(key) ?? 0) + count);
}
