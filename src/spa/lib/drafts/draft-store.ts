import { draftKeyPrefix, tabStorage } from './draft-owners.ts';

/**
 * Unsaved edits kept in the browser tab, so that a session that ends in the middle of an edit (a
 * timeout, a server restart) loses nothing: each draft belongs to one person and one thing edited,
 * and only that person, signed in again in the same tab, gets it back.
 *
 * The storage is the tab's `sessionStorage`, not `localStorage` (docs/decisions/011): drafts carry
 * patient data, and on a shared reading-room workstation they must not outlive the tab, nor reach
 * the next person who signs in, nor survive signing out (`forgetDrafts` in draft-owners.ts).
 */
export interface DraftStore {
  /** The owner's draft under `key`, if it is there and not too old. */
  read(owner: string, key: string): StoredDraft | null;
  write(owner: string, key: string, value: unknown): void;
  remove(owner: string, key: string): void;
}

export interface StoredDraft {
  /** As it was written; the caller checks its shape. */
  value: unknown;
  /** When it was last written (ms since the epoch). */
  savedAt: number;
}

export interface DraftStoreOptions {
  now?: () => number;
  maxAgeMs?: number;
}

/** A draft older than a day is dropped: the study has moved on, and the tab has stayed open too long. */
export const DRAFT_MAX_AGE_MS = 24 * 60 * 60 * 1000;

function parse(text: string | null): { owner: string; savedAt: number; value: unknown } | null {
  if (text === null) return null;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null) return null;
    if (!('owner' in parsed) || typeof parsed.owner !== 'string') return null;
    if (!('savedAt' in parsed) || typeof parsed.savedAt !== 'number') return null;
    return { owner: parsed.owner, savedAt: parsed.savedAt, value: 'value' in parsed ? parsed.value : undefined };
  } catch {
    return null;
  }
}

/**
 * A draft store over `storage()` (read at each call: the storage may be refused, and then drafts are
 * simply not kept). Storage errors never reach the caller: a draft is a safety net, and the form
 * works without it.
 */
export function createDraftStore(
  storage: () => Storage | null,
  { now = Date.now, maxAgeMs = DRAFT_MAX_AGE_MS }: DraftStoreOptions = {},
): DraftStore {
  function attempt<T>(work: (store: Storage) => T, fallback: T): T {
    try {
      const store = storage();
      return store ? work(store) : fallback;
    } catch {
      return fallback;
    }
  }

  return {
    read(owner, key) {
      return attempt((store) => {
        const name = draftKeyPrefix(owner) + key;
        const text = store.getItem(name);
        const entry = parse(text);
        // The owner is written inside too: a draft copied under someone else's key is not theirs.
        if (entry && entry.owner === owner && now() - entry.savedAt <= maxAgeMs)
          return { value: entry.value, savedAt: entry.savedAt };
        if (text !== null) store.removeItem(name);
        return null;
      }, null);
    },
    write(owner, key, value) {
      attempt(
        (store) => store.setItem(draftKeyPrefix(owner) + key, JSON.stringify({ owner, savedAt: now(), value })),
        undefined,
      );
    },
    remove(owner, key) {
      attempt((store) => store.removeItem(draftKeyPrefix(owner) + key), undefined);
    },
  };
}

/** The page's drafts, in this tab's sessionStorage. */
export const drafts: DraftStore = createDraftStore(tabStorage);
