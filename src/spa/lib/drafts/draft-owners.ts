import type { Me } from '../../../contract/worklist-api.ts';

/*
 * Whose drafts stay in the tab (see draft-store.ts). Apart from the store itself, so that the pages
 * every person loads carry only this much of it: the store is read and written by the study drawer.
 */

const PREFIX = 'rw.draft:';

/** Who a draft belongs to: the signed-in person, as the sign-in mode names them. */
export function draftOwnerOf(me: Pick<Me, 'authMode' | 'subject'>): string {
  return `${me.authMode}:${me.subject}`;
}

/** Where an owner's drafts are kept: every key of theirs starts with this. */
export function draftKeyPrefix(owner: string): string {
  return `${PREFIX}${encodeURIComponent(owner)}:`;
}

/** The tab's sessionStorage, or null where the browser refuses it (e.g. a sandboxed frame). */
export function tabStorage(): Storage | null {
  try {
    return typeof window === 'undefined' ? null : window.sessionStorage;
  } catch {
    return null;
  }
}

/**
 * Removes every draft but `keep`'s (everyone's when null): when someone else signs in at this tab,
 * and when the person signs out. Other keys in the storage are left alone.
 */
export function forgetDrafts(keep: string | null, storage: Storage | null = tabStorage()): void {
  if (!storage) return;
  try {
    const own = keep === null ? null : draftKeyPrefix(keep);
    const names: string[] = [];
    for (let index = 0; index < storage.length; index += 1) {
      const name = storage.key(index);
      if (name?.startsWith(PREFIX) && (own === null || !name.startsWith(own))) names.push(name);
    }
    for (const name of names) storage.removeItem(name);
  } catch {
    // A storage that refuses to be read holds no drafts of ours either.
  }
}
