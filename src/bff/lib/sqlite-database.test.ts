import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteDatabase as openBundledServerDatabase } from '../../avara-server/store/sqlite-database.ts';
import { openSqliteDatabase } from './sqlite-database.ts';

// The bundled server keeps its own copy of the opener (it may import only src/contract): one suite
// runs against both, and the two files differ only in their comments.
const openers = [
  ['the BFF', openSqliteDatabase],
  ['the bundled server', openBundledServerDatabase],
] as const;

const SCHEMA = { sql: 'CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)', version: 2 };
const folders: string[] = [];

function temporaryFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'sqlite-database-'));
  folders.push(folder);
  return folder;
}

afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

describe.each(openers)('opening a SQLite file for %s', (_name, open) => {
  it('creates the folder, uses WAL and waits for a busy file, and writes the schema and its version', () => {
    const path = join(temporaryFolder(), 'deeper', 'store.sqlite');
    const { db } = open(path, { ...SCHEMA, name: 'The store' });
    expect(db.prepare('PRAGMA journal_mode').get()?.journal_mode).toBe('wal');
    expect(db.prepare('PRAGMA synchronous').get()?.synchronous).toBe(1);
    expect(db.prepare('PRAGMA busy_timeout').get()?.timeout).toBe(5000);
    expect(db.prepare('PRAGMA user_version').get()?.user_version).toBe(2);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all()).toEqual([{ name: 'notes' }]);
    db.close();
  });

  it('refuses a file written by a newer schema, naming the store', () => {
    const path = join(temporaryFolder(), 'store.sqlite');
    const newer = new DatabaseSync(path);
    newer.exec('PRAGMA user_version = 3');
    newer.close();
    expect(() => open(path, { ...SCHEMA, name: 'The store' })).toThrow(
      'The store was written by a newer version (schema 3; this one knows 2)',
    );
  });

  it('prepares a statement once per text', () => {
    const { db, statement } = open(':memory:', { ...SCHEMA, name: 'The store' });
    expect(statement('SELECT 1')).toBe(statement('SELECT 1'));
    expect(statement('SELECT 1')).not.toBe(statement('SELECT 2'));
    db.close();
  });

  it('commits a transaction, rolls it back when the work throws, and joins an open one', () => {
    const { db, statement, transaction } = open(':memory:', { ...SCHEMA, name: 'The store' });
    const insert = (text: string) => statement('INSERT INTO notes (text) VALUES (?)').run(text);
    const texts = () =>
      statement('SELECT text FROM notes ORDER BY id')
        .all()
        .map((row) => row.text);
    expect(transaction(() => (insert('kept'), 'answer'))).toBe('answer');
    expect(() =>
      transaction(() => {
        insert('inner');
        transaction(() => insert('joined'));
        throw new Error('no');
      }),
    ).toThrow('no');
    expect(texts()).toEqual(['kept']);
    expect(db.isTransaction).toBe(false);
    db.close();
  });
});

it('keeps the two copies the same but for their comments', () => {
  const code = (file: URL) =>
    readFileSync(file, 'utf8')
      .replace(/\/\*\*[\s\S]*?\*\//g, '')
      .replace(/\/\/.*$/gm, '');
  expect(code(new URL('../../avara-server/store/sqlite-database.ts', import.meta.url))).toBe(
    code(new URL('./sqlite-database.ts', import.meta.url)),
  );
});
