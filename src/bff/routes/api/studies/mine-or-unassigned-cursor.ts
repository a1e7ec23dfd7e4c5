/**
 * The cursor of the "mine and unassigned" list (merged-walk.ts): base64url JSON of the position,
 * with a checksum, naming the filters and the person it was made for. A cursor that was changed, or
 * is used with other filters or by someone else, is refused (400), never walked. It is not a
 * secret: anything it could be made to say lists only what the caller may list anyway.
 */
import { createHash } from 'node:crypto';
import { positionFromJson, positionToJson, type MergedPosition } from './merged-walk.ts';

const CURSOR_TEXT = /^([A-Za-z0-9_-]{1,3000})\.([0-9a-f]{16})$/;

/** What a cursor is bound to: the person and the filters (everything but the assignee, cursor and limit). */
export function scopeOf(userId: string, filters: Readonly<Record<string, unknown>>): string {
  const entries = Object.entries(filters).sort(([a], [b]) => (a < b ? -1 : 1));
  return digest(JSON.stringify([userId, entries]));
}

export function encodeMergedCursor(position: MergedPosition, scope: string): string {
  const payload = Buffer.from(JSON.stringify({ v: 1, s: scope, ...positionToJson(position) })).toString('base64url');
  return `${payload}.${digest(payload)}`;
}

/** The position a cursor holds, or undefined when it is not one this list issued for this scope. */
export function decodeMergedCursor(cursor: string, scope: string): MergedPosition | undefined {
  const match = CURSOR_TEXT.exec(cursor);
  if (!match?.[1] || match[2] !== digest(match[1])) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(match[1], 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || !('v' in parsed) || !('s' in parsed) || parsed.v !== 1 || parsed.s !== scope) return undefined;
  return positionFromJson(parsed);
}

function digest(text: string): string {
  return createHash('sha256').update(`mine-or-unassigned:${text}`).digest('hex').slice(0, 16);
}
