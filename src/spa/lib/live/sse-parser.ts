/**
 * An incremental reader of the Server-Sent Events wire format (the HTML standard's "event stream
 * interpretation"), for a stream read with fetch: the BFF's `/api/events` needs `X-CSRF: 1`, which
 * `EventSource` cannot send (docs/api.md).
 */

export interface SseMessage {
  /** The `id` field of this message, when it had one (only events of the bus carry one). */
  id: string | undefined;
  /** The `event` field; `message` when absent, as in the standard. */
  event: string;
  /** The `data` lines, joined with newlines. */
  data: string;
}

export interface SseParser {
  /** Feeds the next decoded chunk; complete messages go to the callback in order. */
  push(chunk: string): void;
}

/**
 * Comments (`: keep-alive`) are not messages; `onActivity` hears every chunk so a caller can tell a
 * quiet stream from a dead one.
 */
export function createSseParser(onMessage: (message: SseMessage) => void): SseParser {
  let buffer = '';
  let data: string[] = [];
  let event = '';
  let id: string | undefined;
  let sawData = false;

  function dispatch() {
    if (sawData) onMessage({ id, event: event === '' ? 'message' : event, data: data.join('\n') });
    data = [];
    event = '';
    id = undefined;
    sawData = false;
  }

  function line(text: string) {
    if (text === '') return dispatch();
    if (text.startsWith(':')) return;
    const colon = text.indexOf(':');
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') {
      data.push(value);
      sawData = true;
    } else if (field === 'event') event = value;
    // An id with a NUL is ignored, as the standard says.
    else if (field === 'id' && !value.includes('\0')) id = value;
    // `retry` is ignored: the client's own backoff decides.
  }

  return {
    push(chunk) {
      buffer += chunk;
      for (;;) {
        const match = /\r\n|\r|\n/.exec(buffer);
        if (!match) break;
        // A lone \r at the very end may be the first half of \r\n: wait for the next chunk.
        if (match[0] === '\r' && match.index === buffer.length - 1) break;
        line(buffer.slice(0, match.index));
        buffer = buffer.slice(match.index + match[0].length);
      }
    },
  };
}
