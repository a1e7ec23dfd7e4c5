/**
 * A Server-Sent Events client for tests, reading the stream with fetch as the SPA does (so it can
 * send X-CSRF and a cookie), and keeping every message and comment it received.
 */

export interface SseMessage {
  id?: string;
  event?: string;
  data?: string;
  /** The `retry` field: how soon (ms) the server asks the client to reconnect. */
  retry?: string;
  /** A comment line (`: keep-alive`), kept as its own entry. */
  comment?: string;
}

export interface SseClient {
  status: number;
  headers: Headers;
  /** The body when the answer was not a stream (a refusal). */
  body: string;
  messages: SseMessage[];
  /** Messages with an `event` field (not comments), in order. */
  events(): SseMessage[];
  /** The first message (from `from` on) that matches, waiting for it up to `timeoutMs`. */
  waitFor(
    match: (message: SseMessage) => boolean,
    options?: { timeoutMs?: number; from?: number },
  ): Promise<SseMessage>;
  /** Resolves when the server ends the stream (or it breaks). */
  ended: Promise<void>;
  close(): void;
}

export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  const abort = new AbortController();
  const response = await fetch(url, { headers, signal: abort.signal });
  const messages: SseMessage[] = [];
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const waiter of waiters) waiter();
  };
  let endedFlag = false;
  let body = '';
  let ended: Promise<void>;
  const isStream = response.ok && (response.headers.get('content-type') ?? '').startsWith('text/event-stream');
  if (!isStream) {
    body = await response.text();
    endedFlag = true;
    ended = Promise.resolve();
  } else {
    ended = read(response, messages, notify).finally(() => {
      endedFlag = true;
      notify();
    });
  }

  return {
    status: response.status,
    headers: response.headers,
    body,
    messages,
    events: () => messages.filter((message) => message.event !== undefined),
    ended,
    close: () => abort.abort(),
    waitFor(match, { timeoutMs = 5_000, from = 0 } = {}) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = messages.slice(from).find(match);
          if (found) {
            finish();
            resolve(found);
          } else if (endedFlag) {
            finish();
            reject(new Error(`The stream ended without the message; it had: ${JSON.stringify(messages)}`));
          }
        };
        const timer = setTimeout(() => {
          finish();
          reject(
            new Error(`No such message within ${timeoutMs} ms; the stream had: ${JSON.stringify(messages.slice(-20))}`),
          );
        }, timeoutMs);
        const finish = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
  };
}

async function read(response: Response, messages: SseMessage[], notify: () => void): Promise<void> {
  if (!response.body) return;
  const decoder = new TextDecoder();
  let buffer = '';
  let current: SseMessage = {};
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let newline = buffer.indexOf('\n');
      while (newline >= 0) {
        const line = buffer.slice(0, newline).replace(/\r$/, '');
        buffer = buffer.slice(newline + 1);
        if (line === '') {
          if (Object.keys(current).length > 0) messages.push(current);
          current = {};
        } else if (line.startsWith(':')) {
          messages.push({ comment: line.slice(1).trim() });
        } else {
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'id' || field === 'event' || field === 'retry') current[field] = value;
          else if (field === 'data') current.data = current.data === undefined ? value : `${current.data}\n${value}`;
        }
        newline = buffer.indexOf('\n');
      }
      notify();
    }
  } catch {
    // Aborted by close(), or the server dropped the connection.
  }
}

/** The parsed `data` of a message. */
export function dataOf(message: SseMessage): unknown {
  return JSON.parse(message.data ?? 'null');
}
