import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SEVERITIES, type Severity } from '../../contract/avara-types.ts';
import { DEFAULT_SLA_TARGETS } from '../../contract/sla.ts';
import {
  compliance,
  hourly,
  percentile,
  radiologistLoad,
  tiles,
  turnaround,
  windows,
  WEEK_MS,
} from './dashboard-figures.ts';
import { newHistoryEntry, type HistoryEntry } from './queue-history.ts';

const MINUTE = 60_000;
const NOW = Date.parse('2026-12-01T14:30:00.000Z');
const TODAY = Date.parse('2026-12-01T00:00:00.000Z');
const DR_A = 'usr_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const DR_B = 'usr_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
let serial = 0;

function entry(fields: Partial<HistoryEntry> & Pick<HistoryEntry, 'severity' | 'appearedAt'>): HistoryEntry {
  serial += 1;
  return {
    ...newHistoryEntry({
      studyId: `stu_${String(serial).padStart(32, '0')}`,
      severity: fields.severity,
      appearedAt: fields.appearedAt,
      version: fields.appearedAt,
      lastChangeAt: fields.appearedAt,
    }),
    ...fields,
  };
}

/** Read at `readAt`, `minutes` after arriving. */
const read = (severity: Severity, readAt: number, minutes: number, readBy: string | null = DR_A) =>
  entry({ severity, appearedAt: readAt - minutes * MINUTE, readAt, readBy, assigneeId: readBy });

describe('fixtures with known answers', () => {
  // Ten STAT studies read this morning, 10, 20, …, 100 minutes after arriving; one more read last
  // week in 5 minutes; one still waiting 2 hours (overdue); one waiting 10 minutes; one cancelled.
  const stat = Array.from({ length: 10 }, (_, index) =>
    read('stat', TODAY + (index + 1) * 60 * MINUTE, (index + 1) * 10, index % 2 === 0 ? DR_A : DR_B),
  );
  const lastWeek = read('stat', NOW - 3 * 24 * 60 * MINUTE, 5);
  const waitingLong = entry({ severity: 'stat', appearedAt: NOW - 120 * MINUTE, assigneeId: DR_B });
  const waitingShort = entry({ severity: 'stat', appearedAt: NOW - 10 * MINUTE });
  const cancelled = entry({ severity: 'stat', appearedAt: NOW - 300 * MINUTE, cancelledAt: NOW - 200 * MINUTE });
  const highRead = read('high', NOW - 30 * MINUTE, 239);
  const highLate = read('high', NOW - 20 * MINUTE, 240);
  const all = [...stat, lastWeek, waitingLong, waitingShort, cancelled, highRead, highLate];

  it('turnaround p50 and p90 per severity, today and over 7 days (nearest rank)', () => {
    const figures = windows((from, to) => turnaround(all, from, to), TODAY, NOW);
    expect(figures.stat.today).toEqual({ count: 10, p50Minutes: 50, p90Minutes: 90 });
    // 5, 10, 20, …, 100: the 6th of 11 is 50, the 10th is 90.
    expect(figures.stat.week).toEqual({ count: 11, p50Minutes: 50, p90Minutes: 90 });
    expect(figures.high.today).toEqual({ count: 2, p50Minutes: 239, p90Minutes: 240 });
    expect(figures.normal.today).toEqual({ count: 0, p50Minutes: null, p90Minutes: null });
  });

  it('SLA compliance: read before the target, against read plus still waiting past it', () => {
    const figures = windows((from, to) => compliance(all, from, to, NOW, DEFAULT_SLA_TARGETS), TODAY, NOW);
    // Read in 10-50 minutes met STAT's 60; 60-100 did not; one more is waiting past it.
    expect(figures.stat.today).toEqual({ read: 10, readWithinTarget: 5, waitingOverdue: 1, share: 5 / 11 });
    expect(figures.stat.week).toEqual({ read: 11, readWithinTarget: 6, waitingOverdue: 1, share: 6 / 12 });
    // 239 minutes is within high's 4 hours, 240 is not.
    expect(figures.high.today).toEqual({ read: 2, readWithinTarget: 1, waitingOverdue: 0, share: 0.5 });
    expect(figures.normal.today.share).toBeNull();
    // Other targets (settings) give other answers.
    expect(compliance(all, TODAY, NOW + 1, NOW, { stat: 101, high: 240, normal: 1440 }).stat).toEqual({
      read: 10,
      readWithinTarget: 10,
      waitingOverdue: 1,
      share: 10 / 11,
    });
  });

  it('load per radiologist: assigned unread, reading now, read today', () => {
    const load = radiologistLoad(all, [{ studyId: waitingLong.studyId, holderId: DR_B }], TODAY);
    expect(load).toEqual([
      { userId: DR_A, assignedUnread: { stat: 0, high: 0, normal: 0 }, readingNow: 0, readToday: 7 },
      { userId: DR_B, assignedUnread: { stat: 1, high: 0, normal: 0 }, readingNow: 1, readToday: 5 },
    ]);
    // With the queue watcher's counts, assigned unread is its exact answer.
    const queue = {
      bySeverity: { stat: 9, high: 0, normal: 0 },
      overdue: { stat: 3, high: 0, normal: 0 },
      unassigned: { stat: 4, high: 0, normal: 0 },
      byAssignee: { [DR_A]: { stat: 2, high: 1, normal: 0 } },
      asOf: new Date(NOW).toISOString(),
    };
    expect(radiologistLoad(all, [], TODAY, queue)[0]).toEqual({
      userId: DR_A,
      assignedUnread: { stat: 2, high: 1, normal: 0 },
      readingNow: 0,
      readToday: 7,
    });
    expect(tiles(all, [], NOW, DEFAULT_SLA_TARGETS, queue)).toMatchObject({
      unread: queue.bySeverity,
      overdue: queue.overdue,
      source: 'queue-watcher',
    });
  });

  it('the live tiles from the history before the queue watcher has walked', () => {
    expect(tiles(all, [{ studyId: waitingLong.studyId, holderId: DR_B }], NOW, DEFAULT_SLA_TARGETS)).toEqual({
      unread: { stat: 2, high: 0, normal: 0 },
      overdue: { stat: 1, high: 0, normal: 0 },
      unassigned: { stat: 1, high: 0, normal: 0 },
      beingRead: 1,
      source: 'history',
      asOf: null,
    });
  });

  it('arrivals and completions per hour over 24 hours', () => {
    const hours = hourly(all, NOW);
    expect(hours).toHaveLength(24);
    expect(hours[23]?.hour).toBe('2026-12-01T14:00:00.000Z');
    expect(hours[0]?.hour).toBe('2026-11-30T15:00:00.000Z');
    // 10:00: the STAT study read at 10:00 (after 100 minutes), both high studies arrived (10:01, 10:10);
    // 14:00: both high studies read, the short wait arrived.
    expect(hours.find((hour) => hour.hour === '2026-12-01T10:00:00.000Z')).toEqual({
      hour: '2026-12-01T10:00:00.000Z',
      arrivals: 2,
      completions: 1,
    });
    expect(hours[23]).toEqual({ hour: '2026-12-01T14:00:00.000Z', arrivals: 1, completions: 2 });
    expect(hours.reduce((sum, hour) => sum + hour.completions, 0)).toBe(12);
  });
});

describe('generated histories', () => {
  const generatedEntry = fc
    .record({
      severity: fc.constantFrom<Severity>(...SEVERITIES),
      appearedMinutesAgo: fc.integer({ min: 0, max: 9 * 24 * 60 }),
      readAfterMinutes: fc.option(fc.integer({ min: 0, max: 3 * 24 * 60 })),
      cancelled: fc.boolean(),
      assignee: fc.constantFrom(null, DR_A, DR_B),
    })
    .map(({ severity, appearedMinutesAgo, readAfterMinutes, cancelled, assignee }) => {
      const appearedAt = NOW - appearedMinutesAgo * MINUTE;
      const readAt =
        readAfterMinutes === null || appearedAt + readAfterMinutes * MINUTE > NOW
          ? null
          : appearedAt + readAfterMinutes * MINUTE;
      return entry({
        severity,
        appearedAt,
        readAt,
        readBy: readAt === null ? null : assignee,
        assigneeId: assignee,
        cancelledAt: cancelled && readAt === null ? NOW : null,
      });
    });
  const histories = fc.array(generatedEntry, { maxLength: 200 });

  it('percentiles are nearest-rank: at least q of the values at or below, fewer than q below', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 1, maxLength: 300 }),
        fc.constantFrom(0.5, 0.9),
        (values, q) => {
          const sorted = [...values].sort((a, b) => a - b);
          const p = percentile(sorted, q);
          if (p === null) return false;
          return (
            values.filter((value) => value <= p).length >= q * values.length &&
            values.filter((value) => value < p).length < q * values.length
          );
        },
      ),
    );
  });

  it('turnaround counts every study read in the window, p50 ≤ p90, both within what was seen', () => {
    fc.assert(
      fc.property(histories, (entries) => {
        const figures = turnaround(entries, NOW - WEEK_MS, NOW + 1);
        for (const severity of SEVERITIES) {
          const durations = entries
            .filter(
              (each) =>
                each.severity === severity &&
                each.readAt !== null &&
                each.readAt >= NOW - WEEK_MS &&
                each.cancelledAt === null,
            )
            .map((each) => ((each.readAt ?? 0) - each.appearedAt) / MINUTE);
          const figure = figures[severity];
          expect(figure.count).toBe(durations.length);
          if (durations.length === 0) expect(figure.p50Minutes).toBeNull();
          else {
            expect(figure.p50Minutes).toBeLessThanOrEqual(figure.p90Minutes ?? -1);
            expect(durations).toContain(figure.p50Minutes);
            expect(durations).toContain(figure.p90Minutes);
          }
        }
      }),
    );
  });

  it('compliance is a share of what was read or is overdue; a looser target never lowers it', () => {
    fc.assert(
      fc.property(histories, fc.integer({ min: 1, max: 600 }), (entries, extra) => {
        const strict = compliance(entries, NOW - WEEK_MS, NOW + 1, NOW, DEFAULT_SLA_TARGETS);
        const loose = compliance(entries, NOW - WEEK_MS, NOW + 1, NOW, {
          stat: 60 + extra,
          high: 240 + extra,
          normal: 1440 + extra,
        });
        for (const severity of SEVERITIES) {
          const figure = strict[severity];
          expect(figure.readWithinTarget).toBeLessThanOrEqual(figure.read);
          if (figure.share !== null) expect(figure.share).toBeGreaterThanOrEqual(0);
          if (figure.share !== null) expect(figure.share).toBeLessThanOrEqual(1);
          expect(loose[severity].read).toBe(figure.read);
          expect(loose[severity].readWithinTarget).toBeGreaterThanOrEqual(figure.readWithinTarget);
          expect(loose[severity].waitingOverdue).toBeLessThanOrEqual(figure.waitingOverdue);
        }
      }),
    );
  });

  it('load per radiologist adds up to the history: open assigned studies, studies read today', () => {
    fc.assert(
      fc.property(histories, (entries) => {
        const load = radiologistLoad(entries, [], TODAY);
        const assigned = load.reduce(
          (sum, person) => sum + person.assignedUnread.stat + person.assignedUnread.high + person.assignedUnread.normal,
          0,
        );
        const readToday = load.reduce((sum, person) => sum + person.readToday, 0);
        expect(assigned).toBe(
          entries.filter((each) => each.readAt === null && each.cancelledAt === null && each.assigneeId !== null)
            .length,
        );
        expect(readToday).toBe(
          entries.filter((each) => each.readAt !== null && each.readAt >= TODAY && each.readBy !== null).length,
        );
      }),
    );
  });

  it('the hours count every arrival and reading of the last 24 hours once', () => {
    fc.assert(
      fc.property(histories, (entries) => {
        const hours = hourly(entries, NOW);
        const first = Date.parse(hours[0]?.hour ?? '');
        expect(hours.reduce((sum, hour) => sum + hour.arrivals, 0)).toBe(
          entries.filter((each) => each.appearedAt >= first).length,
        );
        expect(hours.reduce((sum, hour) => sum + hour.completions, 0)).toBe(
          entries.filter((each) => each.readAt !== null && each.readAt >= first).length,
        );
      }),
    );
  });
});
