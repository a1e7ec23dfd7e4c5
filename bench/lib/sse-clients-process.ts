// Child process of the bench: many event-stream clients (`GET /api/events`, plain node:http, one
// socket each), driven over IPC by bench/lib/sse-clients.ts. Clients live here rather than in the
// bench process so that reading a thousand streams does not share an event loop with the code that
// sends the changes and takes the times.
//
// Each client only notes, for every token (`bench-mark-…`, put in a study's description by the
// change it measures) the moment the chunk carrying it arrived (process.hrtime, the monotonic clock
// every process on the machine shares). Nothing is parsed on the way: the time is taken first, then
// the chunk is searched for the token.
import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import { TOKEN_PREFIX, type ClientCommand, type ClientReply, type Collected } from './sse-clients-protocol.ts';

interface Client {
  request: ClientRequest;
  response?: IncomingMessage;
  /** The end of the previous chunk, so that a token cut in two is still found. */
  tail: string;
  ended: boolean;
}

interface TokenArrivals {
  /** By client index; NaN until that client has it. */
  at: Float64Array;
  have: number;
  /** CPU time of this process when the first and the last client had it. */
  cpuAtFirst?: number;
  cpuAtLast?: number;
  waiter?: () => void;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

const clients: Client[] = [];
/** The status reported for a stream that answered 200 but sent no event within 15 s. */
const NO_FIRST_EVENT = 1;
const tokens = new Map<string, TokenArrivals>();
const TOKEN = new RegExp(`(${TOKEN_PREFIX}[a-z0-9]+)(?=[^a-z0-9])`, 'g');

function send(reply: ClientReply): void {
  process.send?.(reply);
}

function cpuNow(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

function arrivalsOf(token: string): TokenArrivals {
  let entry = tokens.get(token);
  if (!entry) {
    entry = { at: new Float64Array(clients.length).fill(Number.NaN), have: 0 };
    tokens.set(token, entry);
  }
  return entry;
}

function onChunk(index: number, client: Client, chunk: Buffer): void {
  const now = Number(process.hrtime.bigint()) / 1e6;
  const text = client.tail + chunk.toString('latin1');
  client.tail = text.slice(-64);
  if (!text.includes(TOKEN_PREFIX)) return;
  for (const match of text.matchAll(TOKEN)) {
    const entry = arrivalsOf(match[1] ?? '');
    if (!Number.isNaN(entry.at[index] ?? 0)) continue;
    entry.at[index] = now;
    entry.have += 1;
    if (entry.have === 1) entry.cpuAtFirst = cpuNow();
    if (entry.have === clients.length) {
      entry.cpuAtLast = cpuNow();
      entry.waiter?.();
    }
  }
}

function openOne(url: URL, cookie: string): Promise<number> {
  return new Promise((resolve) => {
    const index = clients.length;
    const client: Client = {
      tail: '',
      ended: false,
      request: request(
        {
          host: url.hostname,
          port: url.port,
          path: `${url.pathname}${url.search}`,
          agent: false,
          headers: { cookie, 'x-csrf': '1', accept: 'text/event-stream' },
        },
        (response) => {
          client.response = response;
          const type = response.headers['content-type'] ?? '';
          if (response.statusCode !== 200 || !type.startsWith('text/event-stream')) {
            response.resume();
            client.ended = true;
            resolve(response.statusCode ?? 0);
            return;
          }
          // Open means live: the stream's first event (`stream.status`, sent once this instance
          // listens to the bus for it), not just its headers.
          const timer = setTimeout(() => resolve(NO_FIRST_EVENT), 15_000);
          let live = false;
          response.on('data', (chunk: Buffer) => {
            onChunk(index, client, chunk);
            if (!live && /^event:/m.test(client.tail + chunk.toString('latin1'))) {
              live = true;
              clearTimeout(timer);
              resolve(200);
            }
          });
          response.once('end', () => (client.ended = true));
          response.once('error', () => (client.ended = true));
        },
      ),
    };
    client.request.once('error', () => {
      client.ended = true;
      resolve(0);
    });
    client.request.end();
    clients.push(client);
  });
}

async function open(url: string, cookies: string[], count: number, concurrency: number): Promise<number[]> {
  const target = new URL(url);
  const refused: number[] = [];
  let next = 0;
  const start = clients.length;
  const worker = async () => {
    while (next < count) {
      const index = next;
      next += 1;
      const status = await openOne(target, cookies[(start + index) % cookies.length] ?? '');
      if (status !== 200) refused.push(status);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  // Token tables made before these clients existed are too short for them.
  tokens.clear();
  return refused;
}

async function collect(token: string, timeoutMs: number): Promise<Collected> {
  const entry = arrivalsOf(token);
  if (entry.have < clients.length) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      entry.waiter = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
  tokens.delete(token);
  const arrivals = Array.from(entry.at).filter((value) => !Number.isNaN(value));
  const first = Math.min(...arrivals);
  const last = Math.max(...arrivals);
  return {
    arrivals,
    missing: clients.length - entry.have,
    ended: clients.filter((client) => client.ended).length,
    cpuMs:
      entry.cpuAtFirst !== undefined && entry.cpuAtLast !== undefined ? entry.cpuAtLast - entry.cpuAtFirst : Number.NaN,
    spreadMs: arrivals.length > 0 ? last - first : Number.NaN,
  };
}

process.on('message', (message: ClientCommand) => {
  const reply = (body: DistributiveOmit<ClientReply, 'id'>) => send({ ...body, id: message.id });
  const fail = (error: unknown) =>
    reply({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  switch (message.type) {
    case 'open':
      open(message.url, message.cookies, message.count, message.concurrency).then(
        (refused) => reply({ type: 'opened', open: clients.length, refused }),
        fail,
      );
      break;
    case 'collect':
      collect(message.token, message.timeoutMs).then((collected) => reply({ type: 'collected', collected }), fail);
      break;
    case 'close':
      for (const client of clients) {
        client.request.destroy();
        client.response?.destroy();
      }
      clients.length = 0;
      tokens.clear();
      reply({ type: 'closed' });
      break;
  }
});

process.once('disconnect', () => process.exit(0));
send({ type: 'ready', id: 0 });
