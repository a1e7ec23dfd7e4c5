// The messages between the bench and its event-stream client processes (bench/lib/sse-clients.ts
// and bench/lib/sse-clients-process.ts).

/** What a change puts in a study's description so that its event can be recognised: the prefix, then [a-z0-9]+. */
export const TOKEN_PREFIX = 'bench-mark-';

export type ClientCommand =
  | { type: 'open'; id: number; url: string; cookies: string[]; count: number; concurrency: number }
  | { type: 'collect'; id: number; token: string; timeoutMs: number }
  | { type: 'close'; id: number };

/** When every client of one process had one token. */
export interface Collected {
  /** process.hrtime of each client's arrival, in ms (one clock for every process on the machine). */
  arrivals: number[];
  /** Clients that did not have it within the time allowed. */
  missing: number;
  /** Streams that ended (or were refused). */
  ended: number;
  /** CPU this process used from the first client's arrival to the last's. */
  cpuMs: number;
  /** Time from the first client's arrival to the last's. */
  spreadMs: number;
}

export type ClientReply =
  | { type: 'ready'; id: number }
  | { type: 'opened'; id: number; open: number; refused: number[] }
  | { type: 'collected'; id: number; collected: Collected }
  | { type: 'closed'; id: number }
  | { type: 'error'; id: number; message: string };
