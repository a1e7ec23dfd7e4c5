import type { FastifyInstance } from 'fastify';
import type { DashboardAnswer, RadiologistLoad } from '../../../../contract/dashboard-api.ts';
import { TURNAROUND_CSV_COLUMNS } from '../../../../contract/dashboard-api.ts';
import { invalidRequestProblem } from '../../../../contract/problem.ts';
import type { SlaTargets } from '../../../../contract/sla.ts';
import { readQueueCounts } from '../../../events/queue-watcher.ts';
import {
  compliance,
  hourly,
  radiologistLoad,
  readWithinTarget,
  tiles,
  turnaround,
  turnaroundMs,
  windows,
  WEEK_MS,
  type LeaseHolding,
} from '../../../history/dashboard-figures.ts';
import type { HistoryEntry, QueueHistory } from '../../../history/queue-history.ts';
import { sendProblem } from '../../../lib/problems.ts';
import { displayName, type PeopleDirectory } from '../../../people/people-directory.ts';
import { listLeases } from '../../../reading/reading-leases.ts';
import { SharedStateUnavailableError, type SharedState } from '../../../shared-state/shared-state.ts';

export interface DashboardRoutesOptions {
  history: QueueHistory;
  shared: SharedState;
  people: Pick<PeopleDirectory, 'list'>;
  slaTargets: Readonly<SlaTargets>;
  retentionDays: number;
  now?: () => number;
}

const EXTENT_CACHE_MS = 60_000;
/** The longest range the CSV export covers in one answer. */
export const MAX_EXPORT_DAYS = 366;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Midnight of the day of `at` in the BFF's time zone (TZ): where "today" starts. */
export function startOfDay(at: number): number {
  const day = new Date(at);
  day.setHours(0, 0, 0, 0);
  return day.getTime();
}

/** Midnight of a `YYYY-MM-DD` day in the BFF's time zone, or undefined when it is not a real date. */
export function dayStartOf(date: string): number | undefined {
  const match = DATE.exec(date);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const start = new Date(year, month - 1, day);
  return start.getFullYear() === year && start.getMonth() === month - 1 && start.getDate() === day
    ? start.getTime()
    : undefined;
}

/**
 * `GET /api/dashboard` (the coordinator's dashboard: live tiles, 24 hours, turnaround, compliance,
 * load per radiologist) and `GET /api/dashboard/turnaround.csv` (the studies read in a range of
 * days, with their turnaround), for coordinators only. Figures: src/bff/history/dashboard-figures.ts.
 */
export async function dashboardRoutes(app: FastifyInstance, options: DashboardRoutesOptions): Promise<void> {
  const { history, shared, people, slaTargets } = options;
  const now = options.now ?? Date.now;

  async function names(): Promise<Map<string, string>> {
    try {
      return new Map((await people.list()).map((person) => [person.userId, displayName(person) || person.email]));
    } catch {
      // Avara's users out of reach: the figures go on, by user ID.
      return new Map();
    }
  }

  async function queueState(): Promise<{
    counts: Awaited<ReturnType<typeof readQueueCounts>>;
    leases: LeaseHolding[];
  }> {
    try {
      const [counts, { leases }] = await Promise.all([readQueueCounts(shared.records), listLeases(shared)]);
      return { counts, leases: leases.map((lease) => ({ studyId: lease.studyId, holderId: lease.holder.userId })) };
    } catch (error) {
      // Reads go on while the shared store is down: the history's own figures answer.
      if (error instanceof SharedStateUnavailableError) return { counts: undefined, leases: [] };
      throw error;
    }
  }

  // How much the history holds is context ("since when, how many"), counted over every entry: once a minute is enough.
  let extentCache: { at: number; extent: Promise<{ studies: number; oldestAppearedAt: number | null }> } | undefined;
  function extent(at: number) {
    if (!extentCache || at - extentCache.at > EXTENT_CACHE_MS) {
      const counted = history.extent();
      extentCache = { at, extent: counted };
      counted.catch(() => {
        if (extentCache?.extent === counted) extentCache = undefined;
      });
    }
    return extentCache.extent;
  }

  app.get('/api/dashboard', { config: { access: 'coordinator' } }, async (_request, reply) => {
    const at = now();
    const todayStart = startOfDay(at);
    const [entries, queue, directory, held] = await Promise.all([
      history.entriesSince(at - WEEK_MS),
      queueState(),
      names(),
      extent(at),
    ]);
    const load: RadiologistLoad[] = radiologistLoad(entries, queue.leases, todayStart, queue.counts).map((figure) => ({
      ...figure,
      name: directory.get(figure.userId) ?? figure.userId,
    }));
    load.sort((a, b) => a.name.localeCompare(b.name));
    const answer: DashboardAnswer = {
      asOf: new Date(at).toISOString(),
      todayStart: new Date(todayStart).toISOString(),
      slaTargets: { ...slaTargets },
      tiles: tiles(entries, queue.leases, at, slaTargets, queue.counts),
      hourly: hourly(entries, at),
      turnaround: windows((from, to) => turnaround(entries, from, to), todayStart, at),
      compliance: windows((from, to) => compliance(entries, from, to, at, slaTargets), todayStart, at),
      radiologists: load,
      history: {
        studies: held.studies,
        since: held.oldestAppearedAt === null ? null : new Date(held.oldestAppearedAt).toISOString(),
        retentionDays: options.retentionDays,
      },
    };
    reply.header('cache-control', 'no-store');
    return answer;
  });

  app.get(
    '/api/dashboard/turnaround.csv',
    { config: { access: 'coordinator', audit: 'dashboard.export' } },
    async (request, reply) => {
      const query: Record<string, unknown> =
        typeof request.query === 'object' && request.query !== null ? { ...request.query } : {};
      const issues: Array<{ in: 'query'; name: string; message: string }> = [];
      const day = (name: 'from' | 'to') => {
        const value = query[name];
        const start = typeof value === 'string' ? dayStartOf(value) : undefined;
        if (start === undefined) issues.push({ in: 'query', name, message: 'is a date, YYYY-MM-DD' });
        return start;
      };
      for (const name of Object.keys(query))
        if (name !== 'from' && name !== 'to')
          issues.push({ in: 'query', name, message: 'is not a parameter of this export' });
      const from = day('from');
      const to = day('to');
      if (from !== undefined && to !== undefined) {
        if (to < from) issues.push({ in: 'query', name: 'to', message: 'is before from' });
        else if ((to - from) / 86_400_000 >= MAX_EXPORT_DAYS)
          issues.push({ in: 'query', name: 'to', message: `is more than ${MAX_EXPORT_DAYS} days after from` });
      }
      if (issues.length > 0 || from === undefined || to === undefined)
        return sendProblem(reply, invalidRequestProblem(issues));
      const toExclusive = startOfDay(to + 36 * 3_600_000);
      const [entries, directory] = await Promise.all([history.readBetween(from, toExclusive), names()]);
      const rows = entries
        .filter((entry) => entry.cancelledAt === null)
        .map((entry) => csvRow(entry, directory, slaTargets));
      const body = [TURNAROUND_CSV_COLUMNS.join(','), ...rows].join('\r\n') + '\r\n';
      const fileFrom = String(query.from);
      const fileTo = String(query.to);
      return reply
        .header('cache-control', 'no-store')
        .header('content-disposition', `attachment; filename="turnaround-${fileFrom}-to-${fileTo}.csv"`)
        .type('text/csv; charset=utf-8')
        .send(body);
    },
  );
}

function csvRow(entry: HistoryEntry, directory: ReadonlyMap<string, string>, targets: Readonly<SlaTargets>): string {
  const time = (at: number | null) => (at === null ? '' : new Date(at).toISOString());
  const person = (userId: string | null) => (userId === null ? '' : (directory.get(userId) ?? userId));
  const ms = turnaroundMs(entry);
  const cells = [
    entry.studyId,
    entry.severity,
    time(entry.appearedAt),
    time(entry.assignedAt),
    person(entry.assigneeId),
    time(entry.readingStartedAt),
    time(entry.readAt),
    person(entry.readBy),
    ms === null ? '' : (Math.round(ms / 6_000) / 10).toFixed(1),
    String(targets[entry.severity]),
    readWithinTarget(entry, targets) ? 'yes' : 'no',
  ];
  return cells.map(csvCell).join(',');
}

/** RFC 4180 quoting, and a leading = + - @ neutralized so a spreadsheet never runs a cell as a formula. */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
