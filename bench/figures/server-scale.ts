import { runLoad } from '../lib/load.ts';
import { count, latencySummary, ms } from '../lib/stats.ts';
import { row, type BenchRow } from '../lib/table.ts';

/** The worklist's page size: the SPA asks for 100 studies at a time. */
const PAGE = 100;
const OPEN_GROUP = 'studyViewerStatus=incomplete&isCancelled=false';

/** Filter combinations the worklist sends, each as one list request of a full page. */
const COMBINATIONS: ReadonlyArray<{ name: string; query: string }> = [
  { name: 'by severity: STAT group, first page', query: `severity=stat&${OPEN_GROUP}` },
  { name: 'by severity: NORMAL group, first page', query: `severity=normal&${OPEN_GROUP}` },
  { name: 'unassigned, HIGH group', query: `assignedTo=&severity=high&${OPEN_GROUP}` },
  { name: 'description contains "chest", NORMAL group', query: `studyDescription=chest&severity=normal&${OPEN_GROUP}` },
  {
    name: 'description contains "thyroid" (rare), NORMAL group',
    query: `studyDescription=thyroid&severity=normal&${OPEN_GROUP}`,
  },
  { name: 'description contains "knee", no other filter', query: 'studyDescription=knee' },
];

export interface ScaleOptions {
  upstreamUrl: string;
  apiKey: string;
  studies: number;
  requests: number;
}

/** Figure 2: p50 and p99 of list requests, one at a time, against the bundled server holding `studies` studies. */
export async function measureServerScale(options: ScaleOptions): Promise<BenchRow[]> {
  const headers = { authorization: `Bearer ${options.apiKey}`, accept: 'application/json' };
  const listUrl = (query: string) => `${options.upstreamUrl}/v1/viewer/studies?limit=${PAGE}&${query}`;
  const deep = await deepCursor(listUrl(`severity=normal&${OPEN_GROUP}`), headers, 0.9);
  const combinations = [
    ...COMBINATIONS,
    {
      name: `cursor deep into the list: NORMAL group, page ${count(deep.page)} of ${count(deep.pages)}`,
      query: `severity=normal&${OPEN_GROUP}&cursor=${encodeURIComponent(deep.cursor)}`,
    },
  ];

  const rows: BenchRow[] = [];
  for (const { name, query } of combinations) {
    const url = listUrl(query);
    await runLoad({
      url,
      headers,
      connections: 1,
      seconds: 1,
      amount: Math.max(10, Math.round(options.requests / 10)),
    });
    const result = await runLoad({ url, headers, connections: 1, seconds: 1, amount: options.requests });
    if (result.failures > 0) throw new Error(`${result.failures} requests to ${url} failed`);
    const { p50, p99 } = latencySummary(result.latencies);
    rows.push(row('2', `${name}: p50 / p99`, `${ms(p50)} / ${ms(p99)}`, 'p50 < 5 ms', p50 < 5));
  }
  return rows;
}

/** Walks a list page by page and returns the cursor found `share` of the way through it. */
async function deepCursor(
  url: string,
  headers: Record<string, string>,
  share: number,
): Promise<{ cursor: string; page: number; pages: number }> {
  const cursors: string[] = [];
  let cursor: string | null = null;
  // Bounded: 100,000 studies are 1,000 pages of 100.
  for (let page = 0; page < 20_000; page += 1) {
    const response = await fetch(cursor === null ? url : `${url}&cursor=${encodeURIComponent(cursor)}`, { headers });
    if (!response.ok) throw new Error(`Walking ${url} answered ${response.status}`);
    const body: unknown = await response.json();
    const next =
      typeof body === 'object' && body !== null && 'cursor' in body && typeof body.cursor === 'string'
        ? body.cursor
        : null;
    if (next === null) break;
    cursors.push(next);
    cursor = next;
  }
  const index = Math.min(cursors.length - 1, Math.floor(cursors.length * share));
  const found = cursors[index];
  if (found === undefined) throw new Error(`${url} has a single page: seed more studies for a deep cursor`);
  return { cursor: found, page: index + 2, pages: cursors.length + 1 };
}
