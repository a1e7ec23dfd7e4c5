import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

/** How a study was settled: it is on the worklist (created now or found there), or Avara refused it for good. */
export type SettledOutcome = 'created' | 'already-there' | 'rejected';

/**
 * What the sync loop remembers between runs: its position in Orthanc's `/changes` feed, the
 * studies it saw arrive (`NewStudy`) and has not put on the worklist yet ("pending"), and the
 * Orthanc study IDs it has settled. Settled IDs are what keeps the reconcile pass cheap: only
 * the studies Orthanc holds that are neither settled nor pending cost anything.
 */
export interface SyncState {
  position(): number;
  save(position: number): void;
  /** Remembers a study that arrived (and moves the feed position, when given, in the same transaction). */
  addPending(orthancStudyId: string, position?: number): void;
  /** Pending studies, the longest-waiting first. */
  pending(limit: number): string[];
  /** The study is on the worklist (or refused for good): no longer pending, never looked at again. */
  settle(orthancStudyId: string, outcome: SettledOutcome, position?: number): void;
  /** The study is no longer in Orthanc: forgets it as pending. */
  forget(orthancStudyId: string, position?: number): void;
  isSettled(orthancStudyId: string): boolean;
  /** Those of `orthancStudyIds` that are neither settled nor pending, in the order given. */
  unaccounted(orthancStudyIds: string[]): string[];
  counts(): { pending: number; settled: number };
  close(): void;
}

/**
 * The sync state in SQLite (`DATA_DIR/pacs-sync.sqlite`). Each step is one committed transaction
 * (with the feed position it reached), written after the study is handled, so a crash loses at
 * most the study in hand, which the next start handles again (retrieve-by-uid first makes that
 * harmless). Older files (feed position only) gain the two study tables on open.
 */
export function openSyncState(path: string): SyncState {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = FULL');
  db.exec(`
    CREATE TABLE IF NOT EXISTS feed_position (id INTEGER PRIMARY KEY CHECK (id = 1), last_change INTEGER NOT NULL, updated_at TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS pending_studies (orthanc_id TEXT PRIMARY KEY, seen_at TEXT NOT NULL) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS settled_studies (orthanc_id TEXT PRIMARY KEY, outcome TEXT NOT NULL, settled_at TEXT NOT NULL) WITHOUT ROWID;
  `);
  const readPosition = db.prepare('SELECT last_change FROM feed_position WHERE id = 1');
  const writePosition = db.prepare(
    'INSERT INTO feed_position (id, last_change, updated_at) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET last_change = excluded.last_change, updated_at = excluded.updated_at',
  );
  const insertPending = db.prepare(
    'INSERT INTO pending_studies (orthanc_id, seen_at) VALUES (?, ?) ON CONFLICT (orthanc_id) DO NOTHING',
  );
  const selectPending = db.prepare('SELECT orthanc_id FROM pending_studies ORDER BY seen_at, orthanc_id LIMIT ?');
  const deletePending = db.prepare('DELETE FROM pending_studies WHERE orthanc_id = ?');
  const insertSettled = db.prepare(
    'INSERT INTO settled_studies (orthanc_id, outcome, settled_at) VALUES (?, ?, ?) ON CONFLICT (orthanc_id) DO UPDATE SET outcome = excluded.outcome, settled_at = excluded.settled_at',
  );
  const selectSettled = db.prepare('SELECT 1 AS found FROM settled_studies WHERE orthanc_id = ?');
  const selectUnaccounted = db.prepare(`
    SELECT ids.value AS orthanc_id FROM json_each(?) AS ids
    WHERE ids.value NOT IN (SELECT orthanc_id FROM settled_studies) AND ids.value NOT IN (SELECT orthanc_id FROM pending_studies)
    ORDER BY ids.key`);
  const countPending = db.prepare('SELECT count(*) AS n FROM pending_studies');
  const countSettled = db.prepare('SELECT count(*) AS n FROM settled_studies');

  /** Runs `write` and the position update as one transaction. */
  function step(write: (now: string) => void, position: number | undefined): void {
    const now = new Date().toISOString();
    db.exec('BEGIN IMMEDIATE');
    try {
      write(now);
      if (position !== undefined) writePosition.run(position, now);
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw error;
    }
  }

  return {
    position() {
      const row = readPosition.get();
      return row && typeof row.last_change === 'number' ? row.last_change : 0;
    },
    save(position) {
      writePosition.run(position, new Date().toISOString());
    },
    addPending(orthancStudyId, position) {
      step((now) => insertPending.run(orthancStudyId, now), position);
    },
    pending(limit) {
      return selectPending.all(limit).map((row) => String(row.orthanc_id));
    },
    settle(orthancStudyId, outcome, position) {
      step((now) => {
        insertSettled.run(orthancStudyId, outcome, now);
        deletePending.run(orthancStudyId);
      }, position);
    },
    forget(orthancStudyId, position) {
      step(() => deletePending.run(orthancStudyId), position);
    },
    isSettled: (orthancStudyId) => selectSettled.get(orthancStudyId) !== undefined,
    unaccounted(orthancStudyIds) {
      if (orthancStudyIds.length === 0) return [];
      return selectUnaccounted.all(JSON.stringify(orthancStudyIds)).map((row) => String(row.orthanc_id));
    },
    counts() {
      return { pending: Number(countPending.get()?.n ?? 0), settled: Number(countSettled.get()?.n ?? 0) };
    },
    close: () => db.close(),
  };
}
