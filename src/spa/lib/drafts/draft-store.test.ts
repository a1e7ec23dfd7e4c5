import { describe, expect, it } from 'vitest';
import { draftOwnerOf, forgetDrafts } from './draft-owners.ts';
import { DRAFT_MAX_AGE_MS, createDraftStore, drafts } from './draft-store.ts';

/** A Storage of the test's own, so each test starts empty and can look inside. */
class MemoryStorage implements Storage {
  readonly #items = new Map<string, string>();
  get length() {
    return this.#items.size;
  }
  clear() {
    this.#items.clear();
  }
  getItem(key: string) {
    return this.#items.get(key) ?? null;
  }
  key(index: number) {
    return [...this.#items.keys()][index] ?? null;
  }
  removeItem(key: string) {
    this.#items.delete(key);
  }
  setItem(key: string, value: string) {
    this.#items.set(key, value);
  }
  keys() {
    return [...this.#items.keys()];
  }
}

const ANA = draftOwnerOf({ authMode: 'dev', subject: 'ana.coordinator@example.org' });
const BEN = draftOwnerOf({ authMode: 'dev', subject: 'ben.radiologist@example.org' });

function setup(start = 1_000_000) {
  const storage = new MemoryStorage();
  let time = start;
  const store = createDraftStore(() => storage, { now: () => time });
  return { storage, store, advance: (ms: number) => (time += ms) };
}

describe('draft store', () => {
  it('gives a draft back to its owner, for the key it was written under', () => {
    const { store } = setup();
    store.write(ANA, 'study:stu_1', { studyDescription: 'CT Head' });
    expect(store.read(ANA, 'study:stu_1')).toEqual({ value: { studyDescription: 'CT Head' }, savedAt: 1_000_000 });
    expect(store.read(ANA, 'study:stu_2')).toBeNull();
  });

  it('never gives one person’s draft to another', () => {
    const { store } = setup();
    store.write(ANA, 'study:stu_1', { studyDescription: 'CT Head' });
    expect(store.read(BEN, 'study:stu_1')).toBeNull();
    store.write(BEN, 'study:stu_1', { studyDescription: 'MR Knee' });
    expect(store.read(ANA, 'study:stu_1')?.value).toEqual({ studyDescription: 'CT Head' });
    expect(store.read(BEN, 'study:stu_1')?.value).toEqual({ studyDescription: 'MR Knee' });
  });

  it('tells the same subject apart in different sign-in modes', () => {
    expect(draftOwnerOf({ authMode: 'dev', subject: 'a@example.org' })).not.toBe(
      draftOwnerOf({ authMode: 'oidc', subject: 'a@example.org' }),
    );
  });

  it('replaces a draft on each write, with the time of the write', () => {
    const { store, advance } = setup();
    store.write(ANA, 'study:stu_1', 'first');
    advance(1_000);
    store.write(ANA, 'study:stu_1', 'second');
    expect(store.read(ANA, 'study:stu_1')).toEqual({ value: 'second', savedAt: 1_001_000 });
  });

  it('removes one draft (saved or discarded), leaving the others', () => {
    const { store } = setup();
    store.write(ANA, 'study:stu_1', 'one');
    store.write(ANA, 'study:stu_2', 'two');
    store.remove(ANA, 'study:stu_1');
    expect(store.read(ANA, 'study:stu_1')).toBeNull();
    expect(store.read(ANA, 'study:stu_2')?.value).toBe('two');
  });

  it('keeps only the drafts of the person signing in (someone else signed in at this tab)', () => {
    const { store, storage } = setup();
    storage.setItem('theme', 'dark');
    store.write(ANA, 'study:stu_1', 'ana');
    store.write(BEN, 'study:stu_2', 'ben');
    store.write(BEN, 'study:stu_3', 'ben');
    forgetDrafts(ANA, storage);
    expect(store.read(ANA, 'study:stu_1')?.value).toBe('ana');
    expect(storage.keys().filter((key) => key.startsWith('rw.draft:'))).toHaveLength(1);
    // Nothing else in the storage is touched.
    expect(storage.getItem('theme')).toBe('dark');
  });

  it('drops a draft copied under another person’s key', () => {
    const { store, storage } = setup();
    store.write(ANA, 'study:stu_1', 'ana');
    const [anaKey] = storage.keys();
    const planted = anaKey?.replace(encodeURIComponent(ANA), encodeURIComponent(BEN)) ?? '';
    storage.setItem(planted, storage.getItem(anaKey ?? '') ?? '');
    expect(store.read(BEN, 'study:stu_1')).toBeNull();
    expect(storage.getItem(planted)).toBeNull();
  });

  it('clears every draft on sign-out, and nothing else', () => {
    const { store, storage } = setup();
    storage.setItem('theme', 'dark');
    store.write(ANA, 'study:stu_1', 'ana');
    store.write(BEN, 'study:stu_2', 'ben');
    forgetDrafts(null, storage);
    expect(storage.keys()).toEqual(['theme']);
  });

  it('drops drafts older than a day', () => {
    const { store, storage, advance } = setup();
    store.write(ANA, 'study:stu_1', 'old');
    advance(DRAFT_MAX_AGE_MS + 1);
    store.write(ANA, 'study:stu_2', 'new');
    expect(store.read(ANA, 'study:stu_1')).toBeNull();
    expect(store.read(ANA, 'study:stu_2')?.value).toBe('new');
    expect(storage.keys()).toHaveLength(1);
  });

  it('ignores what it cannot read', () => {
    const { store, storage } = setup();
    store.write(ANA, 'study:stu_1', 'ana');
    const [key] = storage.keys();
    storage.setItem(key ?? '', '{not json');
    expect(store.read(ANA, 'study:stu_1')).toBeNull();
    expect(storage.keys()).toEqual([]);
  });

  it('works without storage, and never throws when storage refuses', () => {
    const none = createDraftStore(() => null);
    none.write(ANA, 'study:stu_1', 'x');
    expect(none.read(ANA, 'study:stu_1')).toBeNull();

    const refusing = createDraftStore(() => {
      throw new DOMException('The operation is insecure.', 'SecurityError');
    });
    expect(() => refusing.write(ANA, 'study:stu_1', 'x')).not.toThrow();
    expect(refusing.read(ANA, 'study:stu_1')).toBeNull();
    const unreadable = new MemoryStorage();
    unreadable.key = () => {
      throw new DOMException('The operation is insecure.', 'SecurityError');
    };
    expect(() => forgetDrafts(ANA, unreadable)).not.toThrow();
    expect(() => forgetDrafts(null, null)).not.toThrow();
  });

  it('keeps the page’s drafts in sessionStorage, never in localStorage', () => {
    drafts.write(ANA, 'study:stu_1', 'ana');
    expect(window.sessionStorage.length).toBe(1);
    expect(window.localStorage.length).toBe(0);
    forgetDrafts(null);
    expect(window.sessionStorage.length).toBe(0);
  });
});
