import { randomBytes } from 'node:crypto';

/**
 * Event ids are `<history>:<ms>-<seq>`: the id of the history they belong to (new for every in-process
 * start, and for every Redis that lost its data), then a Redis stream id (milliseconds and a sequence
 * within them). Within one history they are ordered; an id from another history is never "before" or
 * "after" anything, which is how a replay across a restart knows to ask for a resync.
 */
export interface EventPosition {
  history: string;
  ms: number;
  seq: number;
}

const EVENT_ID = /^([0-9a-f]{1,32}):(\d{1,15})-(\d{1,15})$/;
const STREAM_ID = /^(\d{1,15})-(\d{1,15})$/;

/** A new history id: 10 hex digits. */
export function newHistoryId(): string {
  return randomBytes(5).toString('hex');
}

export function formatEventId(history: string, streamId: string): string {
  return `${history}:${streamId}`;
}

/** The parts of an event id, or undefined when it is not one (a client may send anything as Last-Event-ID). */
export function parseEventId(id: string): EventPosition | undefined {
  const match = EVENT_ID.exec(id);
  if (!match) return undefined;
  return { history: match[1] ?? '', ms: Number(match[2]), seq: Number(match[3]) };
}

/** The `ms-seq` of a Redis stream id, or undefined. */
export function parseStreamId(id: string): { ms: number; seq: number } | undefined {
  const match = STREAM_ID.exec(id);
  if (!match) return undefined;
  return { ms: Number(match[1]), seq: Number(match[2]) };
}

export function streamIdOf(position: { ms: number; seq: number }): string {
  return `${position.ms}-${position.seq}`;
}

/** Orders two positions of the same history: negative, zero or positive. */
export function comparePositions(a: { ms: number; seq: number }, b: { ms: number; seq: number }): number {
  return a.ms !== b.ms ? a.ms - b.ms : a.seq - b.seq;
}

/**
 * Orders two event ids of one history (negative when `a` came first). Ids of different histories (or
 * malformed ones) have no order: TypeError.
 */
export function compareEventIds(a: string, b: string): number {
  const first = parseEventId(a);
  const second = parseEventId(b);
  if (!first || !second || first.history !== second.history)
    throw new TypeError(`Event ids ${a} and ${b} are not of one history`);
  return comparePositions(first, second);
}
