import type { Readable } from 'node:stream';
import { observed, type UpstreamObserver } from '../lib/upstream-observer.ts';
import { listOf, recordOf, textOf } from './json-fields.ts';
import { transportFault, upstreamConnection } from '../lib/upstream-pool.ts';
import { isUnknownArray } from '../lib/unknown-array.ts';

export interface OrthancClientOptions {
  /** Orthanc's REST root, e.g. http://127.0.0.1:8042 (a path prefix behind a reverse proxy is kept). */
  baseUrl: string;
  username?: string | undefined;
  password?: string | undefined;
  timeoutMs: number;
  connections?: number;
  /** The largest JSON answer read (UPSTREAM_MAX_BYTES). Streamed answers are not held, so not capped. */
  maxBodyBytes?: number;
  /** Told of every exchange (the metrics' upstream latency and errors). */
  observe?: UpstreamObserver;
}

/**
 * Orthanc could not be reached, did not answer in time, or answered nonsense or more than
 * UPSTREAM_MAX_BYTES: the caller retries, or answers 502/503.
 */
export class PacsUnavailableError extends Error {
  readonly kind: 'unavailable' | 'timeout' | 'invalid-response' | 'too-large';
  constructor(
    kind: 'unavailable' | 'timeout' | 'invalid-response' | 'too-large',
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.kind = kind;
  }
}

/** A JSON answer from Orthanc: the parsed body on 2xx, only the status otherwise. */
export type OrthancJson = { ok: true; status: number; body: unknown } | { ok: false; status: number };

/** A streamed answer (images, viewer assets): the caller pipes `body` and must consume or destroy it. */
export interface OrthancStream {
  status: number;
  headers: Record<string, string>;
  body: Readable;
}

/** One `/changes` entry, as far as the sync loop needs it. */
export interface OrthancChange {
  seq: number;
  changeType: string;
  resourceType: string;
  id: string;
}

export interface OrthancChangesPage {
  changes: OrthancChange[];
  done: boolean;
  last: number;
}

/**
 * The read routes of Orthanc the BFF uses, plus `/tools/find` (a read, though it is a POST), the
 * `/changes` feed and the study listing. Nothing that writes to the PACS.
 */
export interface OrthancClient {
  /** `POST /tools/find`, expanded, at the given level, for StudyInstanceUIDs (one request for all). */
  findByStudyUids(level: 'Study' | 'Series' | 'Instance', studyInstanceUids: string[]): Promise<unknown[]>;
  /**
   * DICOMweb's study search (QIDO-RS, `GET /dicom-web/studies`) for StudyInstanceUIDs, one request
   * for all, with the attributes Orthanc works out per study (modalities, series and instance
   * counts). `undefined` when Orthanc has no DICOMweb plugin (404).
   */
  searchStudies(studyInstanceUids: string[]): Promise<unknown[] | undefined>;
  getJson(path: string): Promise<OrthancJson>;
  changes(since: number, limit: number): Promise<OrthancChangesPage>;
  /** `GET /changes?last`: the sequence number of the newest change Orthanc has recorded. */
  lastChange(): Promise<number>;
  /** One page of the IDs of every study Orthanc holds (`GET /studies?since=&limit=`, in Orthanc's storage order). */
  listStudies(since: number, limit: number): Promise<string[]>;
  /** Streams a GET answer as it comes (status and body untouched); used for previews and the viewer. */
  stream(path: string, headers?: Record<string, string>): Promise<OrthancStream>;
  close(): Promise<void>;
}

/** Orthanc's own resource IDs: five groups of eight hex digits (a SHA-1 of the DICOM UIDs). */
export const ORTHANC_ID = /^[0-9a-f]{8}(-[0-9a-f]{8}){4}$/;

/**
 * Asked for in a study search besides QIDO's defaults (which include patient name and ID, study
 * date, accession number and UID): ModalitiesInStudy, NumberOfStudyRelatedSeries and
 * NumberOfStudyRelatedInstances.
 */
const QIDO_STUDY_FIELDS = ['00080061', '00201206', '00201208'];

/** Headers of a streamed answer worth passing on; the rest (cookies, server, connection) are dropped. */
const PASSED_HEADERS = [
  'content-type',
  'content-length',
  'etag',
  'last-modified',
  'content-disposition',
  'content-encoding',
];

export function createOrthancClient(options: OrthancClientOptions): OrthancClient {
  const upstream = upstreamConnection({ ...options, connections: options.connections ?? 16 }, toUnavailable);
  const authorization =
    options.username !== undefined && options.password !== undefined
      ? `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`
      : undefined;

  function request(method: 'GET' | 'POST', path: string, body?: unknown, extraHeaders: Record<string, string> = {}) {
    return upstream.request(method, path, authorization ? { ...extraHeaders, authorization } : extraHeaders, body);
  }

  const faultOf = (error: unknown) => (error instanceof PacsUnavailableError ? error.kind : undefined);

  function json(
    operation: string,
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    accept = 'application/json',
  ): Promise<OrthancJson> {
    return observed(
      options.observe,
      operation,
      () => jsonOnce(method, path, body, accept),
      (answer) => answer.status,
      faultOf,
    );
  }

  async function jsonOnce(method: 'GET' | 'POST', path: string, body: unknown, accept: string): Promise<OrthancJson> {
    const response = await request(method, path, body, { accept });
    const text = await upstream.readText(response);
    if (response.statusCode < 200 || response.statusCode >= 300) return { ok: false, status: response.statusCode };
    try {
      return { ok: true, status: response.statusCode, body: JSON.parse(text) };
    } catch {
      // Not the parser's message as a cause: it quotes the body, which may hold patient data.
      throw new PacsUnavailableError(
        'invalid-response',
        `Orthanc answered ${path.split('?')[0]} with something other than JSON`,
      );
    }
  }

  async function mustSucceed(
    operation: string,
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
  ): Promise<unknown> {
    const result = await json(operation, method, path, body);
    // 401/403 (wrong credentials) and 5xx are the PACS's fault, not the request's: report them as down.
    if (!result.ok)
      throw new PacsUnavailableError(
        'unavailable',
        `Orthanc answered ${result.status} to ${method} ${path.split('?')[0]}`,
      );
    return result.body;
  }

  return {
    async findByStudyUids(level, studyInstanceUids) {
      if (studyInstanceUids.length === 0) return [];
      const body = await mustSucceed('find', 'POST', '/tools/find', {
        Level: level,
        Expand: true,
        // DICOM's list matching: several UIDs in one query, separated by a backslash.
        Query: { StudyInstanceUID: studyInstanceUids.join('\\') },
      });
      return isUnknownArray(body) ? body : [];
    },
    async searchStudies(studyInstanceUids) {
      if (studyInstanceUids.length === 0) return [];
      // UID list matching in QIDO is comma-separated (Orthanc's DICOMweb plugin finds nothing for a
      // backslash-separated list); the route has already refused anything but digits and dots.
      const query = new URLSearchParams({
        StudyInstanceUID: studyInstanceUids.join(','),
        limit: String(studyInstanceUids.length),
      });
      for (const tag of QIDO_STUDY_FIELDS) query.append('includefield', tag);
      const path = `/dicom-web/studies?${query.toString().replaceAll('%2C', ',')}`;
      const result = await json('searchStudies', 'GET', path, undefined, 'application/dicom+json');
      if (!result.ok && result.status === 404) return undefined;
      if (!result.ok)
        throw new PacsUnavailableError('unavailable', `Orthanc answered ${result.status} to GET /dicom-web/studies`);
      return isUnknownArray(result.body) ? result.body : [];
    },
    getJson: (path) => json('getJson', 'GET', path),
    async changes(since, limit) {
      const body = await mustSucceed('changes', 'GET', `/changes?since=${since}&limit=${limit}`);
      return readChanges(body);
    },
    async lastChange() {
      return readChanges(await mustSucceed('lastChange', 'GET', '/changes?last')).last;
    },
    async listStudies(since, limit) {
      const body = await mustSucceed('listStudies', 'GET', `/studies?since=${since}&limit=${limit}`);
      if (!Array.isArray(body))
        throw new PacsUnavailableError('invalid-response', 'Orthanc answered /studies in an unexpected form');
      return body.filter((id): id is string => typeof id === 'string' && ORTHANC_ID.test(id));
    },
    async stream(path, headers = {}) {
      const response = await observed(
        options.observe,
        'stream',
        () => request('GET', path, undefined, headers),
        (answer) => answer.statusCode,
        faultOf,
      );
      const passed: Record<string, string> = {};
      for (const name of PASSED_HEADERS) {
        const value = response.headers[name];
        if (typeof value === 'string') passed[name] = value;
      }
      return { status: response.statusCode, headers: passed, body: response.body };
    },
    close: upstream.close,
  };
}

function readChanges(body: unknown): OrthancChangesPage {
  const page = recordOf(body);
  if (!Array.isArray(page.Changes) || typeof page.Last !== 'number') {
    throw new PacsUnavailableError('invalid-response', 'Orthanc answered /changes in an unexpected form');
  }
  const changes: OrthancChange[] = [];
  for (const entry of listOf(page, 'Changes')) {
    const change = recordOf(entry);
    if (typeof change.Seq !== 'number') continue;
    changes.push({
      seq: change.Seq,
      changeType: textOf(change, 'ChangeType'),
      resourceType: textOf(change, 'ResourceType'),
      id: textOf(change, 'ID'),
    });
  }
  return { changes, done: page.Done === true, last: page.Last };
}

function toUnavailable(error: unknown): PacsUnavailableError {
  if (error instanceof PacsUnavailableError) return error;
  const fault = transportFault('Orthanc', error);
  return new PacsUnavailableError(fault.kind, fault.message, fault.options);
}
