import { createSseParser } from './sse-parser.ts';
import type { SseMessage } from './sse-parser.ts';

/** How one connection to the event stream ended. */
export interface StreamEnd {
  /** The HTTP status when the server refused the stream (401 after the session ended), else undefined. */
  status?: number;
}

export interface StreamHandlers {
  /** The server accepted the stream (200, `text/event-stream`). */
  onOpen(): void;
  onMessage(message: SseMessage): void;
  /** Any bytes at all, comments included: the stream is alive. */
  onActivity(): void;
  /** The connection ended, for whatever reason; called once, and not after close(). */
  onEnd(end: StreamEnd): void;
}

export interface StreamConnection {
  close(): void;
}

/** Opens one connection; `lastEventId` resumes after that event. Tests pass a fake. */
export type OpenStream = (options: { lastEventId: string | null }, handlers: StreamHandlers) => StreamConnection;

export const EVENTS_PATH = '/api/events';

/**
 * The browser's transport: fetch with a stream reader, same-origin with the session cookie and the
 * `X-CSRF: 1` every `/api` route needs (which `EventSource` cannot send), resuming with the
 * `Last-Event-ID` header after each reconnect.
 */
export const openFetchStream: OpenStream = ({ lastEventId }, handlers) => {
  const controller = new AbortController();
  let ended = false;
  const end = (result: StreamEnd) => {
    if (ended || controller.signal.aborted) return;
    ended = true;
    handlers.onEnd(result);
  };
  void (async () => {
    try {
      const headers = new Headers({ Accept: 'text/event-stream', 'X-CSRF': '1' });
      if (lastEventId !== null) headers.set('Last-Event-ID', lastEventId);
      const response = await fetch(new URL(EVENTS_PATH, document.baseURI), {
        headers,
        credentials: 'same-origin',
        cache: 'no-store',
        signal: controller.signal,
      });
      const type = response.headers.get('content-type') ?? '';
      if (!response.ok || !type.startsWith('text/event-stream') || !response.body) {
        void response.body?.cancel().catch(() => undefined);
        return end({ status: response.status });
      }
      handlers.onOpen();
      const parser = createSseParser((message) => handlers.onMessage(message));
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        handlers.onActivity();
        parser.push(value);
      }
      end({});
    } catch {
      end({});
    }
  })();
  return {
    close() {
      ended = true;
      controller.abort();
    },
  };
};
