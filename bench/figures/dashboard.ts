import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import Fastify from 'fastify';
import type { Severity } from '../../src/contract/avara-types.ts';
import { DEFAULT_SLA_TARGETS } from '../../src/contract/sla.ts';
import type { HistoryObservation } from '../../src/bff/history/queue-history.ts';
import { openSqliteQueueHistory } from '../../src/bff/history/sqlite-queue-history.ts';
import { dashboardRoutes } from '../../src/bff/routes/api/dashboard/dashboard-routes.ts';
import { openInProcessSharedState } from '../../src/bff/shared-state/in-process-shared-state.ts';
import { REPO_ROOT } from '../lib/options.ts';
import { count, kb, latencySummary, ms } from '../lib/stats.ts';
import { row, type BenchRow } from '../lib/table.ts';

export interface DashboardBenchOptions {
  /** Recorded studies in the history. */
  studies: number;
  /** Sequential requests timed per case. */
  requests: number;
  /** Also time the worst case: every study recorded within the last 7 days. */
  worstCase: boolean;
  dataDir: string;
  log: (message: string) => void;
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const RADIOLOGISTS = Array.from({ length: 25 }, (_, index) => `usr_${index.toString(16).padStart(32, '0')}`);

/** A reproducible history: `studies` studies over `days` days, about 95% read, 2% cancelled, the rest open. */
function observations(studies: number, days: number, now: number): HistoryObservation[] {
  let seed = 42;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const all: HistoryObservation[] = [];
  for (let index = 0; index < studies; index += 1) {
    const studyId = `stu_${index.toString(16).padStart(32, '0')}`;
    const roll = random();
    const severity: Severity = roll < 0.05 ? 'stat' : roll < 0.25 ? 'high' : 'normal';
    const appearedAt = now - Math.floor(random() * days * DAY);
    const assigneeId = RADIOLOGISTS[Math.floor(random() * RADIOLOGISTS.length)] ?? null;
    const readAfter = Math.floor(random() * DEFAULT_SLA_TARGETS[severity] * 1.3 * MINUTE);
    const fate = random();
    const iso = (at: number) => new Date(at).toISOString();
    const base = { studyId, severity, createdAt: iso(appearedAt), assigneeId, isCancelled: false, cancelledAt: null };
    all.push({
      kind: 'study',
      study: { ...base, updatedAt: iso(appearedAt), complete: false },
      by: null,
      seenAt: appearedAt,
    });
    if (fate < 0.95 && appearedAt + readAfter < now) {
      all.push({ kind: 'reading', studyId, holderId: assigneeId, since: appearedAt + Math.floor(readAfter / 2) });
      all.push({
        kind: 'study',
        study: { ...base, updatedAt: iso(appearedAt + readAfter), complete: true },
        by: assigneeId,
        seenAt: appearedAt + readAfter,
      });
    } else if (fate < 0.97) {
      all.push({
        kind: 'study',
        study: {
          ...base,
          updatedAt: iso(appearedAt + MINUTE),
          complete: false,
          isCancelled: true,
          cancelledAt: iso(appearedAt + MINUTE),
        },
        by: null,
        seenAt: appearedAt + MINUTE,
      });
    }
  }
  return all;
}

/** p50 and p99 of GET /api/dashboard answered in-process (Fastify's inject: the route's own work, no socket). */
async function timeAnswer(
  path: string,
  studies: number,
  days: number,
  requests: number,
): Promise<{ p50: number; p99: number; count: number }> {
  const history = openSqliteQueueHistory(path);
  const shared = openInProcessSharedState({ path: ':memory:', instanceId: 'bench', eventHistorySize: 100 });
  const now = Date.now();
  const all = observations(studies, days, now);
  for (let start = 0; start < all.length; start += 5_000) await history.record(all.slice(start, start + 5_000));
  const app = Fastify();
  const people = RADIOLOGISTS.map((userId, index) => ({
    userId,
    email: `r${index}@example.org`,
    firstName: 'Radiologist',
    lastName: String(index),
    clinicRole: 'Radiologist',
    canManageStudies: false,
  }));
  await app.register(dashboardRoutes, {
    history,
    shared,
    people: { list: async () => people },
    slaTargets: DEFAULT_SLA_TARGETS,
    retentionDays: 90,
  });
  try {
    for (let warm = 0; warm < 5; warm += 1) await app.inject({ url: '/api/dashboard' });
    const samples: number[] = [];
    for (let request = 0; request < requests; request += 1) {
      const began = performance.now();
      const answer = await app.inject({ url: '/api/dashboard' });
      samples.push(performance.now() - began);
      if (answer.statusCode !== 200) throw new Error(`GET /api/dashboard answered ${answer.statusCode}`);
    }
    return latencySummary(samples);
  } finally {
    await app.close();
    await history.close();
    await shared.close();
  }
}

/** The dashboard page's own scripts in dist/ (loaded on demand), gzip as the SPA figures count them. */
function dashboardScripts(): { gzip: number; files: string[] } {
  const assets = join(REPO_ROOT, 'dist/assets');
  const files = readdirSync(assets).filter((name) => /^dashboard-page-.*\.js$/.test(name));
  if (files.length === 0) throw new Error('No dashboard-page chunk in dist/assets: is dist/ built?');
  return {
    gzip: files.reduce((sum, name) => sum + gzipSync(readFileSync(join(assets, name)), { level: 9 }).length, 0),
    files,
  };
}

/** Figure 10: the dashboard's data answer over a large history, and its JavaScript (outside the worklist's budget). */
export async function measureDashboard(options: DashboardBenchOptions): Promise<BenchRow[]> {
  const folder = mkdtempSync(join(options.dataDir, 'history-'));
  try {
    options.log(`recording ${count(options.studies)} studies over 90 days into the queue history`);
    const spread = await timeAnswer(join(folder, 'spread.sqlite'), options.studies, 90, options.requests);
    const rows = [
      row(
        '10',
        `Dashboard answer (GET /api/dashboard, in-process), ${count(options.studies)} studies recorded over 90 days: p50`,
        ms(spread.p50),
        '< 50 ms',
        spread.p50 < 50,
      ),
      row('10', 'Dashboard answer, same: p99', ms(spread.p99), '—', null),
    ];
    if (options.worstCase) {
      options.log(`recording ${count(options.studies)} studies all within the last 7 days`);
      const dense = await timeAnswer(
        join(folder, 'dense.sqlite'),
        options.studies,
        7,
        Math.max(10, Math.floor(options.requests / 4)),
      );
      rows.push(
        row(
          '10',
          `Dashboard answer, ${count(options.studies)} studies all in the last 7 days (worst case): p50`,
          ms(dense.p50),
          '—',
          null,
        ),
      );
    }
    const scripts = dashboardScripts();
    return [
      ...rows,
      row(
        '10',
        `Dashboard JS, gzip, loaded on demand (${scripts.files.join(', ')}); not in the worklist's budget`,
        kb(scripts.gzip),
        '—',
        null,
      ),
    ];
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
