import type { ServerResponse } from 'node:http';
import {
  WORKLIST_EVENT_TYPES,
  type WorklistEventData,
  type WorklistEventType,
} from '../../contract/worklist-events.ts';
import { comparePositions, parseEventId, type EventPosition } from '../shared-state/event-ids.ts';
import {
  SharedStateUnavailableError,
  type BusEvent,
  type SharedState,
  type SharedStateLog,
  type SharedStateStatus,
} from '../shared-state/shared-state.ts';

/** A client whose unsent data passes this is dropped; it reconnects with Last-Event-ID and catches up. */
export const DEFAULT_MAX_UNSENT_BYTES = 256 * 1024;
/** How soon a client should reconnect after the server ended its stream to shut down. */
export const RECONNECT_AFTER_SHUTDOWN_MS = 1_000;
const SHUTDOWN_RETRY = `: server shutting down\nretry: ${RECONNECT_AFTER_SHUTDOWN_MS}\n\n`;
/** Events asked of the bus per replay call while a client catches up. */
const REPLAY_PAGE = 500;

export interface EventStreamHubOptions {
  shared: Pick<SharedState, 'events' | 'status' | 'onStatusChange'>;
  /** How often idle streams get a comment line, so proxies and the server's idle timeout keep them. */
  heartbeatMs: number;
  maxUnsentBytes?: number;
  /**
   * Whether the session behind a stream is still live, asked once per heartbeat for each session
   * with a stream open: a stream ends with its session (sign-out, expiry). Throws when that cannot be
   * told now (the stream then goes on).
   */
  sessionIsLive?: (sessionId: string) => Promise<boolean>;
  log: SharedStateLog;
}

/** One SSE message, formatted once and written to every client. */
interface Message {
  /** The bus id, or undefined for the stream's own messages. */
  id: string | undefined;
  /** The id, parsed once for every client's comparison. */
  at: EventPosition | undefined;
  text: string;
}

interface StreamClient {
  readonly response: ServerResponse;
  readonly sessionId: string | null;
  /** Live messages held while the client catches up (then written after what it was replayed); null once live. */
  pending: Message[] | null;
  pendingBytes: number;
  /** The last id the client has: where a catch-up starts (undefined: the request named none). */
  position: string | undefined;
  /** `position` parsed: live events at or before it are not sent again. */
  at: EventPosition | undefined;
  /** The catch-up could not run (the shared state was unavailable): it runs when the state is back. */
  owed: boolean;
  closed: boolean;
  /**
   * For a request that named no Last-Event-ID: the newest id when it arrived, read before anything
   * was sent, so an event published while the stream opens is replayed rather than missed.
   */
  start: string | undefined;
}

/** What the hub counts, for tests and logs. */
export interface EventStreamStats {
  clients: number;
  dropped: number;
}

/**
 * The live event stream of one BFF instance: one bus subscription fanned out to every SSE client of
 * this instance. A client that reconnects with Last-Event-ID is replayed what it missed (or told to
 * resync when the bus no longer has it); idle streams get a comment every heartbeat; a client that
 * does not read is dropped once its unsent data passes a bound; while the shared state is
 * unavailable every client is told the stream is degraded, and told again when it is back.
 */
export class EventStreamHub {
  readonly #options: EventStreamHubOptions;
  readonly #maxUnsent: number;
  readonly #clients = new Set<StreamClient>();
  #subscription: Promise<() => void> | undefined;
  #stopStatus: (() => void) | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #status: SharedStateStatus;
  #closing = false;
  #checkingSessions = false;
  #dropped = 0;

  constructor(options: EventStreamHubOptions) {
    this.#options = options;
    this.#maxUnsent = options.maxUnsentBytes ?? DEFAULT_MAX_UNSENT_BYTES;
    this.#status = options.shared.status();
  }

  stats(): EventStreamStats {
    return { clients: this.#clients.size, dropped: this.#dropped };
  }

  /**
   * Takes over `response` (headers not sent yet) as an event stream, starting after `lastEventId`
   * when the client names one. Resolves once the stream is open and caught up (or waiting for the
   * shared state to catch up).
   */
  async open(
    response: ServerResponse,
    { lastEventId, sessionId }: { lastEventId: string | undefined; sessionId: string | null },
  ): Promise<void> {
    let start: string | undefined;
    if (lastEventId === undefined) {
      try {
        start = await this.#options.shared.events.latestId();
      } catch (error) {
        // Unreachable: the stream opens degraded and starts where the bus is once it is back.
        if (!(error instanceof SharedStateUnavailableError)) throw error;
      }
    }
    response.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
    });
    response.flushHeaders();
    if (this.#closing) {
      response.end();
      return;
    }
    const client: StreamClient = {
      response,
      sessionId,
      pending: [],
      pendingBytes: 0,
      position: lastEventId,
      at: lastEventId === undefined ? undefined : parseEventId(lastEventId),
      owed: false,
      closed: false,
      start,
    };
    this.#clients.add(client);
    response.on('close', () => this.#remove(client));
    this.#startHeartbeat();
    try {
      await this.#subscribe();
    } catch (error) {
      if (!(error instanceof SharedStateUnavailableError)) throw error;
    }
    await this.#catchUp(client);
  }

  /**
   * Ends every stream (the server is shutting down): clients reconnect, to this instance or another.
   * Each stream's last line is an SSE `retry:` hint, so an EventSource comes back soon rather than
   * after its own default delay (the SPA has its own backoff and ignores it).
   */
  endAll(): void {
    this.#closing = true;
    for (const client of this.#clients) {
      client.closed = true;
      client.response.end(SHUTDOWN_RETRY);
    }
    this.#clients.clear();
    this.#stopHeartbeat();
  }

  /** Ends every stream and stops listening to the bus. */
  async close(): Promise<void> {
    this.endAll();
    this.#stopStatus?.();
    this.#stopStatus = undefined;
    const subscription = this.#subscription;
    this.#subscription = undefined;
    const stop = await subscription?.catch(() => undefined);
    stop?.();
  }

  // ---- the bus --------------------------------------------------------------------------------------

  /** One subscription for every client of this instance, made with the first; tried again after a failure. */
  #subscribe(): Promise<() => void> {
    if (!this.#stopStatus) this.#stopStatus = this.#options.shared.onStatusChange((status) => this.#onStatus(status));
    this.#subscription ??= this.#options.shared.events.subscribe({
      onEvent: (event) => this.#onEvent(event),
      onResync: () =>
        this.#broadcast(
          ownMessage('resync', { reason: 'Events may have been missed while the shared store was unreachable.' }),
        ),
    });
    const subscription = this.#subscription;
    subscription.catch(() => {
      if (this.#subscription === subscription) this.#subscription = undefined;
    });
    return subscription;
  }

  #onEvent(event: BusEvent): void {
    if (!isStreamedType(event.type)) return;
    this.#broadcast(busMessage(event));
  }

  #onStatus(status: SharedStateStatus): void {
    if (this.#closing || status === this.#status) return;
    this.#status = status;
    for (const client of this.#clients) {
      // A client still owed its catch-up gets its own `ok` from it.
      if (status === 'ok' && client.owed) void this.#catchUp(client);
      else this.#deliver(client, status === 'ok' ? OK : DEGRADED);
    }
  }

  #broadcast(message: Message): void {
    for (const client of this.#clients) this.#deliver(client, message);
  }

  // ---- one client -----------------------------------------------------------------------------------

  #deliver(client: StreamClient, message: Message): void {
    if (client.closed) return;
    if (client.pending) {
      client.pending.push(message);
      client.pendingBytes += message.text.length;
      if (client.pendingBytes > this.#maxUnsent) this.#drop(client, 'too many events while catching up');
      return;
    }
    this.#write(client, message);
  }

  /**
   * Writes a live message, unless the client already has it: the bus may still deliver events the
   * replay just sent (its reader lags behind the history the replay reads).
   */
  #write(client: StreamClient, message: Message): void {
    if (message.at && client.at && !isAfter(message.at, client.at)) return;
    client.response.write(message.text);
    if (message.id !== undefined) moveTo(client, message);
    if (client.response.writableLength > this.#maxUnsent) this.#drop(client, 'it does not read what it is sent');
  }

  /**
   * Replays what the client missed (or sends a resync), then what arrived live meanwhile, then goes
   * live. It starts with `stream.status`; without Last-Event-ID that carries the id of the newest
   * event, the position a reconnect resumes from. When the shared state cannot be reached the client
   * is told the stream is degraded, and the catch-up runs again once it is back.
   */
  async #catchUp(client: StreamClient): Promise<void> {
    client.owed = false;
    const { events } = this.#options.shared;
    try {
      if (client.position === undefined) {
        const position = client.start ?? (await events.latestId());
        client.start = undefined;
        if (client.closed) return;
        this.#write(client, {
          id: position,
          at: parseEventId(position),
          text: formatMessage('stream.status', { status: 'ok' }, position),
        });
        // What was published between reading that id and this client hearing the bus.
        await this.#replay(client, position, false);
      } else {
        await this.#replay(client, client.position);
      }
    } catch (error) {
      if (client.closed) return;
      if (!(error instanceof SharedStateUnavailableError)) {
        this.#options.log.error({ err: error }, 'An event stream could not catch up; it is closed and will reconnect');
        this.#drop(client, 'its catch-up failed');
        return;
      }
      client.response.write(DEGRADED.text);
      client.owed = true;
      // Unavailable for a moment without a status change (a command timed out): try again soon.
      if (this.#options.shared.status() === 'ok') setTimeout(() => void this.#retryOwed(client), 1_000).unref();
      return;
    }
    if (client.closed) return;
    const pending = client.pending ?? [];
    client.pending = null;
    client.pendingBytes = 0;
    for (const message of pending) {
      if (client.closed) return;
      this.#write(client, message);
    }
  }

  async #retryOwed(client: StreamClient): Promise<void> {
    if (client.owed && !client.closed) await this.#catchUp(client);
  }

  /** `stream.status` ok, then every streamed event after `from`, page by page; or `resync` when the bus no longer has them. */
  async #replay(client: StreamClient, from: string, announce = true): Promise<void> {
    const { events } = this.#options.shared;
    let cursor = from;
    let replay = await events.since(cursor, { limit: REPLAY_PAGE });
    if (client.closed) return;
    if (announce) client.response.write(OK.text);
    for (;;) {
      if (replay.resync) {
        const position = await events.latestId();
        if (client.closed) return;
        const data: WorklistEventData['resync'] = {
          reason: 'The events since your last one are no longer kept: load everything again.',
        };
        await this.#writeWaiting(client, {
          id: position,
          at: parseEventId(position),
          text: formatMessage('resync', data, position),
        });
        return;
      }
      for (const event of replay.events) {
        cursor = event.id;
        if (isStreamedType(event.type)) await this.#writeWaiting(client, busMessage(event));
        if (client.closed) return;
      }
      moveTo(client, { id: cursor, at: parseEventId(cursor) });
      if (!replay.more || replay.events.length === 0) return;
      replay = await events.since(cursor, { limit: REPLAY_PAGE });
      if (client.closed) return;
    }
  }

  /** Writes a replayed message, waiting while the socket is full: a long replay is paced by the client. */
  async #writeWaiting(client: StreamClient, message: Message): Promise<void> {
    const { response } = client;
    const flowing = response.write(message.text);
    if (message.id !== undefined) moveTo(client, message);
    if (flowing || client.closed) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        response.off('drain', done);
        response.off('close', done);
        resolve();
      };
      response.on('drain', done);
      response.on('close', done);
    });
  }

  #drop(client: StreamClient, why: string): void {
    if (client.closed) return;
    this.#dropped += 1;
    this.#options.log.warn(
      { unsentBytes: client.response.writableLength, pendingBytes: client.pendingBytes },
      `An event stream was closed: ${why}`,
    );
    this.#remove(client);
    client.response.destroy();
  }

  #remove(client: StreamClient): void {
    client.closed = true;
    client.pending = null;
    this.#clients.delete(client);
    if (this.#clients.size === 0) this.#stopHeartbeat();
  }

  // ---- heartbeats and sessions ------------------------------------------------------------------------

  #startHeartbeat(): void {
    if (this.#heartbeat) return;
    this.#heartbeat = setInterval(() => void this.#beat(), this.#options.heartbeatMs);
    this.#heartbeat.unref();
  }

  #stopHeartbeat(): void {
    clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
  }

  async #beat(): Promise<void> {
    // Catching-up and degraded streams too: whole messages are written at once, so a comment never splits one.
    for (const client of this.#clients) this.#write(client, HEARTBEAT);
    const check = this.#options.sessionIsLive;
    if (!check || this.#checkingSessions) return;
    this.#checkingSessions = true;
    try {
      await this.#endStreamsOfEndedSessions(check);
    } finally {
      this.#checkingSessions = false;
    }
  }

  async #endStreamsOfEndedSessions(check: (sessionId: string) => Promise<boolean>): Promise<void> {
    const sessions = new Set<string>();
    for (const client of this.#clients) if (client.sessionId) sessions.add(client.sessionId);
    for (const sessionId of sessions) {
      let live: boolean;
      try {
        live = await check(sessionId);
      } catch (error) {
        // Not known to have ended: the stream goes on.
        if (!(error instanceof SharedStateUnavailableError))
          this.#options.log.error({ err: error }, 'Checking the session of an event stream failed');
        continue;
      }
      if (live) continue;
      for (const client of this.#clients) {
        if (client.sessionId !== sessionId) continue;
        this.#remove(client);
        client.response.end();
      }
    }
  }
}

const HEARTBEAT: Message = { id: undefined, at: undefined, text: ': keep-alive\n\n' };
const OK = ownMessage('stream.status', { status: 'ok' });
const DEGRADED = ownMessage('stream.status', { status: 'degraded' });

const STREAMED_TYPES: ReadonlySet<string> = new Set<WorklistEventType>(
  WORKLIST_EVENT_TYPES.filter((type) => type !== 'stream.status'),
);

/** Only the contract's event types reach browsers; `stream.status` is the stream's own, never the bus's. */
function isStreamedType(type: string): type is WorklistEventType {
  return STREAMED_TYPES.has(type);
}

function ownMessage<T extends 'stream.status' | 'resync'>(type: T, data: WorklistEventData[T]): Message {
  return { id: undefined, at: undefined, text: formatMessage(type, data, undefined) };
}

/** One SSE message. JSON never holds a raw line break, so `data` is one line. */
export function formatMessage(type: string, data: unknown, id: string | undefined): string {
  return `${id === undefined ? '' : `id: ${id}\n`}event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}

function busMessage(event: BusEvent): Message {
  return { id: event.id, at: parseEventId(event.id), text: formatMessage(event.type, event.data, event.id) };
}

function moveTo(client: StreamClient, message: Pick<Message, 'id' | 'at'>): void {
  client.position = message.id;
  client.at = message.at;
}

/** `at` came after `position`; a position of another history (the bus started a new one) counts as after. */
function isAfter(at: EventPosition, position: EventPosition): boolean {
  return at.history !== position.history || comparePositions(at, position) > 0;
}
