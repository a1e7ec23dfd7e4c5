import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

/** Where the sync loop is in Orthanc's `/changes` feed: the last change fully handled. */
export interface SyncState {
  position(): number;
  save(position: number): void;
  close(): void;
}

/**
 * The feed position in SQLite (`DATA_DIR/pacs-sync.sqlite`). Each save is its own committed
 * transaction, written after a study is handled, so a crash loses at most the study in hand, which
 * the next start handles again (retrieve-by-uid first makes that harmless).
 */
export function openSyncState(path: string): SyncState {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = FULL');
  db.exec('CREATE TABLE IF NOT EXISTS feed_position (id INTEGER PRIMARY KEY CHECK (id = 1), last_change INTEGER NOT NULL, updated_at TEXT NOT NULL)');
  const read = db.prepare('SELECT last_change FROM feed_position WHERE id = 1');
  const write = db.prepare(
    'INSERT INTO feed_position (id, last_change, updated_at) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET last_change = excluded.last_change, updated_at = excluded.updated_at',
  );
  return {
    position() {
      const row = read.get();
      return row && typeof row.last_change === 'number' ? row.last_change : 0;
    },
    save(position) {
      write.run(position, new Date().toISOString());
    },
    close: () => db.close(),
  };
}
