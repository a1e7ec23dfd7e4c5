import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import { studyFixture, usersPageFixture } from './study-fixture.ts';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export type UpstreamResponder = (request: RecordedRequest, response: ServerResponse) => void;

export interface RecordingUpstream {
  url: string;
  requests: RecordedRequest[];
  /** Replaces how the upstream answers from now on. */
  respond(responder: UpstreamResponder): void;
  close(): Promise<void>;
}

/** Answers every request with a JSON body and status. */
export function json(status: number, body: unknown): UpstreamResponder {
  return (_request, response) => {
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
}

/**
 * A stand-in for the Avara API on loopback that records every request it receives, so tests can
 * prove what did (and did not) reach the upstream.
 */
export async function startRecordingUpstream(responder: UpstreamResponder = json(200, {})): Promise<RecordingUpstream> {
  const requests: RecordedRequest[] = [];
  let current = responder;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const recorded = {
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      current(recorded, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('The recording upstream has no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    respond(next) {
      current = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Answers Avara's users list (sign-in reads it) with `usersPageFixture`, and every other request with `other`. */
export function withUsers(other: UpstreamResponder): UpstreamResponder {
  return (request, response) => {
    if (request.url.startsWith('/v1/viewer/users')) return json(200, usersPageFixture())(request, response);
    return other(request, response);
  };
}

/**
 * An Avara holding one study: the users list, a one-page list of `studyFixture(studyId)` for
 * `GET /v1/viewer/studies`, and `held` for anything else.
 */
export function oneStudyAvara(studyId: string, held: unknown = studyFixture(studyId)): UpstreamResponder {
  return withUsers((request, response) => {
    if (request.method === 'GET' && (request.url.split('?')[0] ?? '') === '/v1/viewer/studies')
      return json(200, { studies: [studyFixture(studyId)], hasMore: false, cursor: null })(request, response);
    return json(200, held)(request, response);
  });
}
