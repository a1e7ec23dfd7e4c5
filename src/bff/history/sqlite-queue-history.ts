import type { SQLOutputValue, StatementSync } from 'node:sqlite';
import type { Severity } from '../../contract/avara-types.ts';
import { openSqliteDatabase } from '../lib/sqlite-database.ts';
import { mergeObservation, type HistoryEntry, type HistoryObservation, type QueueHistory } from './queue-history.ts';

/** The SQLite store's file under DATA_DIR. */
export const QUEUE_HISTORY_FILE = 'queue-history.sqlite';
const SCHEMA_VERSION = 1;

// One row per study, a column per time. `is_open` is kept beside read_at and cancelled_at so the
// open studies are one index range, whatever their age. The dashboard reads every study that
// changed in the last 7 days and every open one: both through covering indexes, so a read walks
// one index in order instead of looking each row up in the table (docs/performance.md, figure 10).
const WINDOW_COLUMNS =
  'study_id, severity, appeared_at, assignee_id, assigned_at, reading_started_at, reading_by, read_at, read_by, cancelled_at, version';
const SCHEMA = `
CREATE TABLE IF NOT EXISTS entries (
  study_id TEXT PRIMARY KEY,
  severity TEXT NOT NULL,
  appeared_at INTEGER NOT NULL,
  assignee_id TEXT,
  assigned_at INTEGER,
  reading_started_at INTEGER,
  reading_by TEXT,
  read_at INTEGER,
  read_by TEXT,
  cancelled_at INTEGER,
  version INTEGER NOT NULL,
  last_change_at INTEGER NOT NULL,
  is_open INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS entries_window ON entries (last_change_at, ${WINDOW_COLUMNS});
CREATE INDEX IF NOT EXISTS entries_open ON entries (is_open, last_change_at, ${WINDOW_COLUMNS}) WHERE is_open = 1;
CREATE INDEX IF NOT EXISTS entries_by_read ON entries (read_at) WHERE read_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS entries_by_appearance ON entries (appeared_at);
`;

const COLUMNS =
  'study_id, severity, appeared_at, assignee_id, assigned_at, reading_started_at, reading_by, read_at, read_by, cancelled_at, version, last_change_at';

/**
 * The embedded store: SQLite (WAL) at `path`, or `:memory:`. Each observation is merged in one
 * transaction (read, merge, write), so two openers of one file never lose each other's news.
 */
export function openSqliteQueueHistory(path: string): QueueHistory {
  const { db, statement, transaction } = openSqliteDatabase(path, {
    sql: SCHEMA,
    version: SCHEMA_VERSION,
    name: 'The queue history',
  });
  /** A statement answering rows as arrays (no object per row: the dashboard reads thousands). */
  const arrays = (sql: string): StatementSync => {
    const prepared = statement(sql);
    prepared.setReturnArrays(true);
    return prepared;
  };
  const byId = () => statement(`SELECT ${COLUMNS} FROM entries WHERE study_id = ?`);
  const upsert = () =>
    statement(
      `INSERT OR REPLACE INTO entries (${COLUMNS}, is_open) VALUES (:studyId, :severity, :appearedAt, :assigneeId, :assignedAt, :readingStartedAt, :readingBy, :readAt, :readBy, :cancelledAt, :version, :lastChangeAt, :isOpen)`,
    );

  return {
    kind: 'sqlite',
    async record(observations: readonly HistoryObservation[]) {
      if (observations.length === 0) return;
      transaction(() => {
        for (const observation of observations) {
          const studyId = observation.kind === 'study' ? observation.study.studyId : observation.studyId;
          const row = byId().get(studyId);
          const next = mergeObservation(row ? toEntry(row) : undefined, observation);
          if (next) upsert().run({ ...next, isOpen: next.readAt === null && next.cancelledAt === null ? 1 : 0 });
        }
      });
    },
    async entry(studyId) {
      const row = byId().get(studyId);
      return row ? toEntry(row) : undefined;
    },
    async entriesSince(since) {
      const changed = arrays(
        `SELECT last_change_at, ${WINDOW_COLUMNS} FROM entries INDEXED BY entries_window WHERE last_change_at >= ?`,
      ).all(since);
      const olderOpen = arrays(
        `SELECT last_change_at, ${WINDOW_COLUMNS} FROM entries INDEXED BY entries_open WHERE is_open = 1 AND last_change_at < ?`,
      ).all(since);
      return [...changed, ...olderOpen].map(fromArray);
    },
    async readBetween(from, to) {
      return statement(`SELECT ${COLUMNS} FROM entries WHERE read_at >= ? AND read_at < ? ORDER BY read_at, study_id`)
        .all(from, to)
        .map(toEntry);
    },
    async prune(before) {
      return Number(statement('DELETE FROM entries WHERE last_change_at < ?').run(before).changes);
    },
    async extent() {
      const row = statement('SELECT count(*) AS studies, min(appeared_at) AS oldest FROM entries').get();
      const oldest = row?.oldest;
      return { studies: Number(row?.studies ?? 0), oldestAppearedAt: typeof oldest === 'number' ? oldest : null };
    },
    async close() {
      if (db.isOpen) db.close();
    },
  };
}

/** A row of `SELECT last_change_at, ${WINDOW_COLUMNS}` read as an array. */
function fromArray(row: unknown): HistoryEntry {
  const cells: unknown[] = Array.isArray(row) ? row : [];
  const time = (index: number): number | null => {
    const value = cells[index];
    return typeof value === 'number' || typeof value === 'bigint' ? Number(value) : null;
  };
  const id = (index: number): string | null => {
    const value = cells[index];
    return typeof value === 'string' ? value : null;
  };
  const severity = cells[2];
  return {
    studyId: String(cells[1]),
    severity: severity === 'stat' || severity === 'high' ? severity : 'normal',
    appearedAt: time(3) ?? 0,
    assigneeId: id(4),
    assignedAt: time(5),
    readingStartedAt: time(6),
    readingBy: id(7),
    readAt: time(8),
    readBy: id(9),
    cancelledAt: time(10),
    version: time(11) ?? 0,
    lastChangeAt: time(0) ?? 0,
  };
}

function toEntry(row: Record<string, SQLOutputValue>): HistoryEntry {
  const time = (column: string): number | null => {
    const value = row[column];
    return typeof value === 'number' || typeof value === 'bigint' ? Number(value) : null;
  };
  const id = (column: string): string | null => {
    const value = row[column];
    return typeof value === 'string' ? value : null;
  };
  const severity = row.severity;
  return {
    studyId: String(row.study_id),
    severity: severity === 'stat' || severity === 'high' ? severity : ('normal' satisfies Severity),
    appearedAt: time('appeared_at') ?? 0,
    assigneeId: id('assignee_id'),
    assignedAt: time('assigned_at'),
    readingStartedAt: time('reading_started_at'),
    readingBy: id('reading_by'),
    readAt: time('read_at'),
    readBy: id('read_by'),
    cancelledAt: time('cancelled_at'),
    version: time('version') ?? 0,
    lastChangeAt: time('last_change_at') ?? 0,
  };
}
