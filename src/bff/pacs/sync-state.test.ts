import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { openSyncState } from './sync-state.ts';

const A = 'aaaaaaaa-aaaaaaaa-aaaaaaaa-aaaaaaaa-aaaaaaaa';
const B = 'bbbbbbbb-bbbbbbbb-bbbbbbbb-bbbbbbbb-bbbbbbbb';
const C = 'cccccccc-cccccccc-cccccccc-cccccccc-cccccccc';
const folders: string[] = [];

function statePath(): string {
  const folder = mkdtempSync(join(tmpdir(), 'rw-sync-state-'));
  folders.push(folder);
  return join(folder, 'pacs-sync.sqlite');
}

afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

describe('PACS sync state', () => {
  it('keeps pending and settled studies, with the feed position, across a reopen', () => {
    const path = statePath();
    let state = openSyncState(path);
    state.addPending(A, 3);
    state.addPending(B, 7);
    state.settle(A, 'created', 12);
    state.addPending(C);
    state.close();

    state = openSyncState(path);
    expect(state.position()).toBe(12);
    expect(state.pending(10)).toEqual([B, C]);
    expect(state.isSettled(A)).toBe(true);
    expect(state.isSettled(B)).toBe(false);
    expect(state.counts()).toEqual({ pending: 2, settled: 1 });
    state.forget(B);
    expect(state.position()).toBe(12);
    expect(state.pending(10)).toEqual([C]);
    state.close();
  });

  it('answers which listed studies are neither settled nor pending, in the order listed', () => {
    const state = openSyncState(':memory:');
    state.settle(A, 'already-there');
    state.addPending(B);
    const D = 'dddddddd-dddddddd-dddddddd-dddddddd-dddddddd';
    expect(state.unaccounted([D, A, B, C])).toEqual([D, C]);
    expect(state.unaccounted([])).toEqual([]);
    state.close();
  });

  it('opens a file written before it held studies, keeping its feed position', () => {
    const path = statePath();
    const old = new DatabaseSync(path);
    old.exec(
      'CREATE TABLE feed_position (id INTEGER PRIMARY KEY CHECK (id = 1), last_change INTEGER NOT NULL, updated_at TEXT NOT NULL)',
    );
    old.exec("INSERT INTO feed_position VALUES (1, 42, '2026-11-01T00:00:00.000Z')");
    old.close();

    const state = openSyncState(path);
    expect(state.position()).toBe(42);
    expect(state.counts()).toEqual({ pending: 0, settled: 0 });
    state.close();
  });
});
