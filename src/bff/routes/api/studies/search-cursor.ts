/**
 * The cursor of a searched list (search-walk.ts): base64url JSON of where the walk underneath stands
 * (the list API's own cursor, or the "mine and unassigned" merged position), with a checksum, bound
 * to the person and to every filter, the search included. A cursor that was changed, or is used with
 * other filters or by someone else, is refused (400), never walked (docs/decisions/005).
 */
import { createHash } from 'node:crypto';
import { positionFromJson, positionToJson, type MergedPosition } from './merged-walk.ts';

const CURSOR_TEXT = /^([A-Za-z0-9_-]{1,3000})\.([0-9a-f]{16})$/;
const UPSTREAM_CURSOR = /^[A-Za-z0-9_=+/-]{1,512}$/;

/** Where a searched walk goes on: the list API's page, or the merged walk's position. */
export type SearchCursorPosition = { kind: 'plain'; cursor: string } | { kind: 'merged'; position: MergedPosition };

export function encodeSearchCursor(position: SearchCursorPosition, scope: string): string {
  const walk = position.kind === 'plain' ? { c: position.cursor } : { m: positionToJson(position.position) };
  const payload = Buffer.from(JSON.stringify({ v: 1, s: scope, ...walk })).toString('base64url');
  return `${payload}.${digest(payload)}`;
}

/** The position a cursor holds, or undefined when it is not one this list issued for this scope. */
export function decodeSearchCursor(cursor: string, scope: string): SearchCursorPosition | undefined {
  const match = CURSOR_TEXT.exec(cursor);
  if (!match?.[1] || match[2] !== digest(match[1])) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(match[1], 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const fields = new Map(Object.entries(parsed));
  if (fields.get('v') !== 1 || fields.get('s') !== scope) return undefined;
  const upstream = fields.get('c');
  if (typeof upstream === 'string' && UPSTREAM_CURSOR.test(upstream)) return { kind: 'plain', cursor: upstream };
  const merged = positionFromJson(fields.get('m'));
  return merged ? { kind: 'merged', position: merged } : undefined;
}

function digest(text: string): string {
  return createHash('sha256').update(`search:${text}`).digest('hex').slice(0, 16);
}
