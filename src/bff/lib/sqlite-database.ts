import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';

/** What a store asks of its SQLite file: its schema, the schema's version and a name for messages. */
export interface SqliteSchema {
  /** `CREATE … IF NOT EXISTS` statements, run at every open. */
  sql: string;
  version: number;
  /** Names the store in the refusal of a newer file: "The queue history was written by …". */
  name: string;
}

export interface SqliteDatabase {
  db: DatabaseSync;
  /** The statement for `sql`, prepared once per distinct text. */
  statement: (sql: string) => StatementSync;
  /**
   * Runs `work` in one write transaction, taken at the start so two writers queue instead of failing;
   * inside a transaction already, `work` joins it.
   */
  transaction: <T>(work: () => T) => T;
}

/**
 * Opens a BFF store's SQLite file (`:memory:` or a path whose folder is created) in WAL mode, so
 * reads never wait for a write and two openers of one file wait for each other rather than fail,
 * and brings the schema up to `schema.version`; a file written by a newer version is refused.
 * The bundled server has its own copy (src/avara-server/store/sqlite-database.ts: it may import only
 * src/contract, and this is no contract); sqlite-database.test.ts runs one suite against both.
 */
export function openSqliteDatabase(path: string, schema: SqliteSchema): SqliteDatabase {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;');
  const version = Number(db.prepare('PRAGMA user_version').get()?.user_version ?? 0);
  if (version > schema.version) {
    db.close();
    throw new Error(
      `${schema.name} was written by a newer version (schema ${version}; this one knows ${schema.version})`,
    );
  }
  db.exec(schema.sql);
  db.exec(`PRAGMA user_version = ${schema.version}`);

  const statements = new Map<string, StatementSync>();
  return {
    db,
    statement(sql: string): StatementSync {
      let prepared = statements.get(sql);
      if (!prepared) {
        prepared = db.prepare(sql);
        statements.set(sql, prepared);
      }
      return prepared;
    },
    transaction<T>(work: () => T): T {
      if (db.isTransaction) return work();
      db.exec('BEGIN IMMEDIATE');
      try {
        const result = work();
        db.exec('COMMIT');
        return result;
      } catch (error) {
        db.exec('ROLLBACK');
        throw error;
      }
    },
  };
}
