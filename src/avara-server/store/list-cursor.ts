import { invalidRequest } from './avara-error.ts';

export type CursorKind = 'studies' | 'users';

const KIND_TAG: Record<CursorKind, string> = { studies: 's1', users: 'u1' };
const TOKEN_TEXT = /^([su]1)\.(\d{1,15})\.([0-9a-z]{1,16})$/;

/**
 * An opaque cursor: base64url of the kind, the last `seq` answered and a fingerprint of the
 * filters. The fingerprint lets a cursor reused with other filters be refused instead of silently
 * walking a different list.
 */
export function encodeCursor(kind: CursorKind, lastSeq: number, filterFingerprint: string): string {
  return toBase64Url(`${KIND_TAG[kind]}.${lastSeq}.${filterFingerprint}`);
}

/** The `seq` a cursor continues after; throws a 400 (param `cursor`) for anything it did not issue. */
export function decodeCursor(kind: CursorKind, token: string, filterFingerprint: string): number {
  const match = TOKEN_TEXT.exec(fromBase64Url(token) ?? '');
  if (!match || match[1] !== KIND_TAG[kind]) {
    throw invalidRequest('cursor is not a cursor returned by a previous page', 'cursor');
  }
  if (match[3] !== filterFingerprint) {
    throw invalidRequest('cursor was issued for different filters; start again without a cursor', 'cursor');
  }
  return Number(match[2]);
}

/** A short, stable hash of the filter values (cyrb53), in base 36. */
export function fingerprintOf(values: readonly unknown[]): string {
  const text = JSON.stringify(values);
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ code, 2654435761);
    h2 = Math.imul(h2 ^ code, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}

// btoa/atob rather than Buffer: this file also runs in the browser.
function toBase64Url(text: string): string {
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(token: string): string | undefined {
  const base64 = token.replace(/-/g, '+').replace(/_/g, '/');
  try {
    return atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, '='));
  } catch {
    return undefined;
  }
}
