/**
 * The cursor of a searched list (search-walk.ts): base64url JSON of where the walk underneath stands
 * (the list API's own cursor, or the "mine and unassigned" merged position), with a checksum, bound
 * to the person and to every filter, the search included. A cursor that was changed, or is used with
 * other filters or by someone else, is refused (400), never walked (docs/decisions/005).
 */
import { positionFromJson, positionToJson, type MergedPosition } from './merged-walk.ts';
import { openCursor, sealCursor } from './signed-cursor.ts';

const KIND = 'search';
const UPSTREAM_CURSOR = /^[A-Za-z0-9_=+/-]{1,512}$/;

/** Where a searched walk goes on: the list API's page, or the merged walk's position. */
export type SearchCursorPosition = { kind: 'plain'; cursor: string } | { kind: 'merged'; position: MergedPosition };

export function encodeSearchCursor(position: SearchCursorPosition, scope: string): string {
  return sealCursor(
    KIND,
    scope,
    position.kind === 'plain' ? { c: position.cursor } : { m: positionToJson(position.position) },
  );
}

/** The position a cursor holds, or undefined when it is not one this list issued for this scope. */
export function decodeSearchCursor(cursor: string, scope: string): SearchCursorPosition | undefined {
  const fields = openCursor(KIND, cursor, scope);
  if (!fields) return undefined;
  const upstream = fields.c;
  if (typeof upstream === 'string' && UPSTREAM_CURSOR.test(upstream)) return { kind: 'plain', cursor: upstream };
  const merged = positionFromJson(fields.m);
  return merged ? { kind: 'merged', position: merged } : undefined;
}
