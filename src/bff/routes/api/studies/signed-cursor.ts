/**
 * The envelope of the BFF's own list cursors: base64url JSON (`v: 1`, `s`: the scope it was issued
 * for, then the walk's own fields) and a checksum keyed by the kind of list. A cursor that was
 * changed, is of another kind, or is used with another scope (other filters, someone else) opens to
 * nothing, and the list refuses it (400), never walks it (docs/decisions/005). It is not a secret:
 * anything it could be made to say lists only what the caller may list anyway.
 */
import { createHash } from 'node:crypto';

const CURSOR_TEXT = /^([A-Za-z0-9_-]{1,3000})\.([0-9a-f]{16})$/;

/** A cursor holding `fields` for lists of `kind` in `scope`. */
export function sealCursor(kind: string, scope: string, fields: Readonly<Record<string, unknown>>): string {
  const payload = Buffer.from(JSON.stringify({ v: 1, s: scope, ...fields })).toString('base64url');
  return `${payload}.${checksum(kind, payload)}`;
}

/** The fields a cursor holds (with `v` and `s`), or undefined when it is not one sealed for this kind and scope. */
export function openCursor(kind: string, cursor: string, scope: string): Record<string, unknown> | undefined {
  const match = CURSOR_TEXT.exec(cursor);
  if (!match?.[1] || match[2] !== checksum(kind, match[1])) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(match[1], 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const fields = Object.fromEntries(Object.entries(parsed));
  return fields.v === 1 && fields.s === scope ? fields : undefined;
}

/** 64 bits of SHA-256 of `text`, keyed by the kind of list (also what scopes are made of). */
export function checksum(kind: string, text: string): string {
  return createHash('sha256').update(`${kind}:${text}`).digest('hex').slice(0, 16);
}
