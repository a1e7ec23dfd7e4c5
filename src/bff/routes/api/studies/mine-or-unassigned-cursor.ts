/**
 * The cursor of the "mine and unassigned" list (merged-walk.ts): base64url JSON of the position,
 * with a checksum, naming the filters and the person it was made for. A cursor that was changed, or
 * is used with other filters or by someone else, is refused (400), never walked. It is not a
 * secret: anything it could be made to say lists only what the caller may list anyway.
 */
import { positionFromJson, positionToJson, type MergedPosition } from './merged-walk.ts';
import { checksum, openCursor, sealCursor } from './signed-cursor.ts';

const KIND = 'mine-or-unassigned';

/** What a cursor is bound to: the person and the filters (everything but the assignee, cursor and limit). */
export function scopeOf(userId: string, filters: Readonly<Record<string, unknown>>): string {
  const entries = Object.entries(filters).sort(([a], [b]) => (a < b ? -1 : 1));
  return checksum(KIND, JSON.stringify([userId, entries]));
}

export function encodeMergedCursor(position: MergedPosition, scope: string): string {
  return sealCursor(KIND, scope, positionToJson(position));
}

/** The position a cursor holds, or undefined when it is not one this list issued for this scope. */
export function decodeMergedCursor(cursor: string, scope: string): MergedPosition | undefined {
  const fields = openCursor(KIND, cursor, scope);
  return fields ? positionFromJson(fields) : undefined;
}
