/**
 * "Mine and unassigned" (GET /api/studies?assignedTo=mine-or-unassigned): the caller's studies and
 * the unassigned ones they may claim, as one list in the list API's order (oldest first). The API
 * cannot OR two assignee filters, so the BFF walks both lists (`assignedTo=<me>` and `assignedTo=`)
 * with the same other filters and merges them, page by page, behind one cursor of its own.
 *
 * A position says, for each walk, where the page it is in starts (the upstream's cursor), how many of
 * that page were answered already and which study came last; a walk that is done is null. The BFF
 * carries it in a cursor of its own (mine-or-unassigned-cursor.ts). No I/O here and nothing of
 * Node's: the mock API (src/mocks/) merges with the same code.
 */
import type { Study } from '../../../../contract/avara-types.ts';
import { isUnknownArray } from '../../../lib/unknown-array.ts';

/** Which walk: the caller's studies, or the unassigned ones. */
export type WalkName = 'mine' | 'unassigned';
export const WALKS: readonly WalkName[] = ['mine', 'unassigned'];

/** Where a walk stands: the page it is in (`page`: the upstream cursor, null for the first), how many of it were answered, the last one answered. */
export interface WalkPosition {
  page: string | null;
  taken: number;
  lastId: string | null;
  lastCreatedAt: string | null;
}

/** Both walks' positions (null: done) and the page size the walks are read with (so a page is the same page when read again). */
export interface MergedPosition {
  pageSize: number;
  walks: Record<WalkName, WalkPosition | null>;
}

export interface UpstreamPage {
  studies: Study[];
  hasMore: boolean;
  cursor: string | undefined;
}

/** Reads one page of a walk (the list API with that walk's assignee filter). */
export type FetchWalkPage = (walk: WalkName, cursor: string | null, limit: number) => Promise<UpstreamPage>;

export interface MergedPage {
  studies: Study[];
  /** Where to go on from; null when both walks are done. */
  next: MergedPosition | null;
}

/** Upstream pages one request may read (two to start, a few more where a walk's page runs out). */
const MAX_UPSTREAM_READS = 6;

export function startPosition(pageSize: number): MergedPosition {
  const start: WalkPosition = { page: null, taken: 0, lastId: null, lastCreatedAt: null };
  return { pageSize, walks: { mine: start, unassigned: { ...start } } };
}

interface WalkState {
  position: WalkPosition;
  /** What is left of the page read, in order. */
  buffer: Study[];
  hasMore: boolean;
  nextPage: string | undefined;
}

/**
 * Up to `limit` studies of both walks, merged oldest first (by `createdAt`; the caller's own first
 * on a tie), from `from`. Each walk keeps the upstream's order.
 */
export async function mergedPage(fetchPage: FetchWalkPage, from: MergedPosition, limit: number): Promise<MergedPage> {
  let reads = 0;
  const states = new Map<WalkName, WalkState>();
  const read = async (walk: WalkName, position: WalkPosition): Promise<WalkState> => {
    reads += 1;
    const page = await fetchPage(walk, position.page, from.pageSize);
    const skip = alreadyTaken(page.studies, position);
    return {
      position: { ...position, taken: skip },
      buffer: page.studies.slice(skip),
      hasMore: page.hasMore,
      nextPage: page.cursor,
    };
  };
  await Promise.all(
    WALKS.map(async (walk) => {
      const position = from.walks[walk];
      if (position) states.set(walk, await read(walk, position));
    }),
  );
  const studies: Study[] = [];
  let stopped = false;
  while (studies.length < limit) {
    // Every walk still going needs a head to compare: read its next page when this one ran out.
    for (const walk of WALKS) {
      let state = states.get(walk);
      while (state && state.buffer.length === 0) {
        if (!state.hasMore || !state.nextPage) {
          states.delete(walk);
          state = undefined;
        } else if (reads >= MAX_UPSTREAM_READS) {
          stopped = true;
          break;
        } else {
          state = await read(walk, { ...state.position, page: state.nextPage, taken: 0 });
          states.set(walk, state);
        }
      }
    }
    if (stopped) break;
    const heads = WALKS.flatMap((walk) => {
      const head = states.get(walk)?.buffer[0];
      return head ? [{ walk, head }] : [];
    });
    const first = heads.reduce<(typeof heads)[number] | undefined>(
      (best, entry) => (!best || waitingLonger(entry.head, best.head) ? entry : best),
      undefined,
    );
    if (!first) break;
    const state = states.get(first.walk);
    if (!state) break;
    state.buffer.shift();
    state.position = {
      ...state.position,
      taken: state.position.taken + 1,
      lastId: first.head.studyId,
      lastCreatedAt: first.head.createdAt,
    };
    studies.push(first.head);
  }
  const walks: Record<WalkName, WalkPosition | null> = { mine: null, unassigned: null };
  for (const walk of WALKS) {
    const state = states.get(walk);
    if (!state) continue;
    if (state.buffer.length > 0) walks[walk] = state.position;
    else if (state.hasMore && state.nextPage) walks[walk] = { ...state.position, page: state.nextPage, taken: 0 };
  }
  return { studies, next: walks.mine || walks.unassigned ? { pageSize: from.pageSize, walks } : null };
}

/** Strictly older (waiting longer) than `other`; a study without a creation time counts as oldest. */
function waitingLonger(study: Study, other: Study): boolean {
  return (study.createdAt ?? '') < (other.createdAt ?? '');
}

/**
 * How many leading studies of a page read again were answered already. Normally `taken`; when the
 * page changed meanwhile (a study left the walk), found again by the last study answered, or,
 * when that one left too, by its creation time: the walk is oldest first.
 */
function alreadyTaken(studies: readonly Study[], position: WalkPosition): number {
  if (position.taken === 0 || position.lastId === null) return 0;
  if (studies[position.taken - 1]?.studyId === position.lastId) return position.taken;
  const found = studies.findIndex((study) => study.studyId === position.lastId);
  if (found >= 0) return found + 1;
  const newer = studies.findIndex((study) => (study.createdAt ?? '') > (position.lastCreatedAt ?? ''));
  return newer === -1 ? studies.length : newer;
}

const UPSTREAM_CURSOR = /^[A-Za-z0-9_=+/-]{1,512}$/;
const STUDY_ID = /^stu_[0-9a-f]{32}$/;

/** A position as JSON for a cursor: `p` the page size, `m` and `u` the walks (null when done). */
export function positionToJson(position: MergedPosition): { p: number; m: unknown[] | null; u: unknown[] | null } {
  const walk = (value: WalkPosition | null) =>
    value ? [value.page, value.taken, value.lastId, value.lastCreatedAt] : null;
  return { p: position.pageSize, m: walk(position.walks.mine), u: walk(position.walks.unassigned) };
}

/** The position read back from positionToJson's JSON; undefined for anything it would not have written. */
export function positionFromJson(value: unknown): MergedPosition | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const fields = new Map<string, unknown>(Object.entries(value));
  const pageSize = fields.get('p');
  if (typeof pageSize !== 'number' || !Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) return undefined;
  const mine = walkFrom(fields.get('m'), pageSize);
  const unassigned = walkFrom(fields.get('u'), pageSize);
  if (mine === undefined || unassigned === undefined || (mine === null && unassigned === null)) return undefined;
  return { pageSize, walks: { mine, unassigned } };
}

function walkFrom(value: unknown, pageSize: number): WalkPosition | null | undefined {
  if (value === null) return null;
  if (!isUnknownArray(value) || value.length !== 4) return undefined;
  const [page, taken, lastId, lastCreatedAt] = value;
  if (page !== null && (typeof page !== 'string' || !UPSTREAM_CURSOR.test(page))) return undefined;
  if (typeof taken !== 'number' || !Number.isInteger(taken) || taken < 0 || taken > pageSize) return undefined;
  if (lastId !== null && (typeof lastId !== 'string' || !STUDY_ID.test(lastId))) return undefined;
  if (lastCreatedAt !== null && (typeof lastCreatedAt !== 'string' || lastCreatedAt.length > 40)) return undefined;
  if (taken > 0 && lastId === null) return undefined;
  return { page, taken, lastId, lastCreatedAt };
}
