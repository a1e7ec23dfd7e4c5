import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RunningRedis } from '../../../test/support/redis.ts';
import { createSharedState } from '../shared-state/create-shared-state.ts';
import type { SharedState } from '../shared-state/shared-state.ts';
import {
  MAX_VIEWS_PER_PERSON,
  createSavedViews,
  defaultViewAddress,
  ownerKey,
  type ViewContent,
} from './saved-views.ts';

// One suite, both implementations of the shared store. "Reopen" is a restart: a new shared state
// on the same SQLite file (in-process), a new client of the same Redis.

let redis: RunningRedis | undefined;
const folders: string[] = [];
const opened: SharedState[] = [];

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  await Promise.all(opened.map((state) => state.close().catch(() => undefined)));
  await redis?.dispose();
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

interface Store {
  open(): Promise<SharedState>;
}

let worlds = 0;
const implementations: Array<{ name: string; store(): Store }> = [
  {
    name: 'in-process',
    store() {
      const dataDir = mkdtempSync(join(tmpdir(), 'rw-views-'));
      folders.push(dataDir);
      return { open: async () => track(await createSharedState({ dataDir })) };
    },
  },
  {
    name: 'redis',
    store() {
      const keyPrefix = `views${++worlds}-${process.pid}:`;
      const dataDir = mkdtempSync(join(tmpdir(), 'rw-views-'));
      folders.push(dataDir);
      return { open: async () => track(await createSharedState({ dataDir, redisUrl: redis?.url ?? '', keyPrefix })) };
    },
  },
];

function track(state: SharedState): SharedState {
  opened.push(state);
  return state;
}

const content = (name: string, filters = 'assignee=anyone'): ViewContent => ({
  name,
  filters,
  columns: null,
  collapsed: [],
});

describe.each(implementations)('saved views ($name)', (implementation) => {
  it('keeps a person’s views, their default and their changes across a restart', async () => {
    const store = implementation.store();
    const first = await store.open();
    const views = createSavedViews(first.records);
    const stat = await views.create('alice@example.org', {
      ...content('STAT only', 'assignee=anyone&groups=stat'),
      collapsed: ['high'],
    });
    const mine = await views.create('alice@example.org', content('Mine', 'assignee=me'), { makeDefault: true });
    expect(stat.ok && mine.ok).toBe(true);
    if (!stat.ok || !mine.ok) return;
    expect(mine.value.isDefault).toBe(true);
    expect(mine.value.viewId).toMatch(/^viw_[0-9a-f]{24}$/);
    const renamed = await views.update('alice@example.org', stat.value.viewId, {
      name: 'STAT first',
      columns: { visibility: { customer: false }, order: ['severity'], sizing: { description: 400 } },
    });
    expect(renamed.ok && renamed.value.name).toBe('STAT first');
    await first.close();

    const second = await store.open();
    const after = await createSavedViews(second.records).list('alice@example.org');
    expect(after.defaultViewId).toBe(mine.value.viewId);
    expect(after.views.map((view) => [view.name, view.isDefault, view.filters])).toEqual([
      ['STAT first', false, 'assignee=anyone&groups=stat'],
      ['Mine', true, 'assignee=me'],
    ]);
    expect(after.views[0]).toMatchObject({
      collapsed: ['high'],
      columns: { visibility: { customer: false }, order: ['severity'], sizing: { description: 400 } },
    });
  });

  it('keeps each person’s views apart', async () => {
    const state = await implementation.store().open();
    const views = createSavedViews(state.records);
    const alice = await views.create('alice@example.org', content('Today'));
    await views.create('bob@example.org', content('Today'));
    expect((await views.list('bob@example.org')).views).toHaveLength(1);
    expect((await views.list('carol@example.org')).views).toEqual([]);
    if (!alice.ok) throw new Error('not created');
    // Bob cannot reach Alice's view by its ID: it is not among his.
    expect(await views.update('bob@example.org', alice.value.viewId, { name: 'Taken' })).toEqual({
      ok: false,
      reason: 'not-found',
    });
    expect(await views.remove('bob@example.org', alice.value.viewId)).toEqual({ ok: false, reason: 'not-found' });
    expect(await views.setDefault('bob@example.org', alice.value.viewId)).toEqual({ ok: false, reason: 'not-found' });
    expect((await views.list('alice@example.org')).views[0]?.name).toBe('Today');
  });

  it('refuses a name used twice (whatever the case) and more than the limit of views', async () => {
    const state = await implementation.store().open();
    const views = createSavedViews(state.records);
    await views.create('dana@example.org', content('Overdue CT'));
    expect(await views.create('dana@example.org', content('overdue ct'))).toEqual({ ok: false, reason: 'name-taken' });
    for (let index = 1; index < MAX_VIEWS_PER_PERSON; index += 1)
      expect((await views.create('dana@example.org', content(`View ${index}`))).ok).toBe(true);
    expect(await views.create('dana@example.org', content('One more'))).toEqual({ ok: false, reason: 'too-many' });
  });

  it('loses no view when two are saved at once, and deleting the default leaves none', async () => {
    const state = await implementation.store().open();
    const views = createSavedViews(state.records);
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, index) =>
        views.create('erin@example.org', content(`Parallel ${index}`), { makeDefault: index === 3 }),
      ),
    );
    expect(results.every((result) => result.ok)).toBe(true);
    const list = await views.list('erin@example.org');
    expect(list.views).toHaveLength(8);
    const chosen = results[3];
    if (!chosen?.ok) throw new Error('not created');
    expect(list.defaultViewId).toBe(chosen.value.viewId);
    expect(await views.remove('erin@example.org', chosen.value.viewId)).toEqual({ ok: true, value: null });
    expect((await views.list('erin@example.org')).defaultViewId).toBeNull();
  });

  it('sends a person who opens the worklist with no filters to their default view, keeping embed', async () => {
    const state = await implementation.store().open();
    const views = createSavedViews(state.records);
    const log = { warn() {} };
    const created = await views.create('fay@example.org', content('CT', 'modality=CT&assignee=anyone'), {
      makeDefault: true,
    });
    if (!created.ok) throw new Error('not created');
    const user = { subject: 'fay@example.org' };
    expect(await defaultViewAddress(views, { user, url: '/?embed=1', log })).toBe(
      `/?modality=CT&assignee=anyone&embed=1&view=${created.value.viewId}`,
    );
    expect(await defaultViewAddress(views, { user, url: '/', log })).toBe(
      `/?modality=CT&assignee=anyone&view=${created.value.viewId}`,
    );
    expect(await defaultViewAddress(views, { user, url: '/?status=any', log })).toBeUndefined();
    expect(await defaultViewAddress(views, { user: { subject: 'gus@example.org' }, url: '/', log })).toBeUndefined();
    expect(await defaultViewAddress(views, { user: undefined, url: '/', log })).toBeUndefined();
  });
});

describe('the owner key', () => {
  it('is the subject, or its digest when too long for a key', () => {
    expect(ownerKey('alice@example.org')).toBe('sub:alice@example.org');
    expect(ownerKey('x'.repeat(600))).toMatch(/^sha:[0-9a-f]{64}$/);
  });
});
