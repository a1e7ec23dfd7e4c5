import { closeSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import pino from 'pino';
import { StartupError, ensureFolder } from '../config/data-dir.ts';
import type { SessionUser } from './session-user.ts';

export type AuditAction =
  | 'study.list'
  | 'study.view'
  | 'study.create'
  | 'study.update'
  | 'study.cancel'
  | 'study.uncancel'
  | 'study.open-viewer'
  | 'study.launch'
  | 'study.lease'
  | 'study.lease-take-over'
  | 'study.lease-break'
  | 'study.next'
  | 'pacs.context'
  | 'pacs.preview'
  | 'pacs.view-series'
  | 'pacs.download-instance'
  | 'events.stream'
  | 'session.sign-in'
  | 'session.sign-out'
  | 'session.refused'
  | 'dashboard.export'
  | 'report.delivered'
  | 'report.view'
  | 'report.pdf'
  | 'report.acknowledge'
  | 'report.critical-list'
  | 'webhook.avara'
  | 'pacs.dicom-file';

/** Who did it: the signed-in person, or (not signed in) nobody, with the address in both cases. */
export type AuditUser =
  Pick<SessionUser, 'email' | 'role' | 'userId'> | { email: string | null; role: null; userId: null };

export interface AuditEntry {
  action: AuditAction;
  user: AuditUser;
  /** A caller that is not a person (`avara-webhook`: a signed webhook, or a DICOM file URL given in answer to one). */
  actor?: 'avara-webhook';
  /** For a webhook: its event type and `webhook-id`, and what became of it beyond the outcome (`ignored`, `replayed`, …). */
  event?: string;
  webhookId?: string;
  result?: string;
  /** The client's address, as the server saw it. */
  address?: string;
  studyId?: string;
  studyInstanceUid?: string;
  /** For a list: the studies shown. */
  studyIds?: string[];
  /** For a PACS context lookup: the studies asked about. */
  studyInstanceUids?: string[];
  /** For the PACS viewer: the Orthanc series or instance opened. */
  orthancSeriesId?: string;
  orthancInstanceId?: string;
  /** For a change: the fields it touched, as they were and as they became. */
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
  outcome: 'ok' | 'refused' | 'failed';
  status?: number;
}

export interface AuditLog {
  record(entry: AuditEntry): void;
  /** Opens the file again (after a log rotation moved it); no line is lost or written twice. */
  reopen(): void;
  close(): Promise<void>;
}

/** Lists longer than this are cut, with a count of what was left out; long texts are cut too. */
export const AUDIT_LIST_LIMIT = 100;
export const AUDIT_TEXT_LIMIT = 1_000;

/**
 * One JSON line per event (who, what, when, which study, before and after), to stdout or an
 * append-only file (mode 600). JSON escaping keeps each entry on one line whatever the values
 * contain; lists and texts are bounded, so one line stays small whatever a request carried. No
 * token, cookie or key is ever passed in.
 *
 * The file is written through pino's destination (sonic-boom): writes made while one is in flight
 * go out together, and `reopen()` (on SIGHUP, see server.ts) lets logrotate move the file away.
 */
export function createAuditLog(destination: string, write?: (line: string) => void): AuditLog {
  const file = write || destination === 'stdout' ? undefined : openAuditFile(destination);
  const sink =
    write ?? (file ? (line: string) => void file.write(line) : (line: string) => void process.stdout.write(line));
  return {
    record(entry) {
      sink(`${JSON.stringify({ time: new Date().toISOString(), type: 'audit', ...bounded(entry) })}\n`);
    },
    reopen() {
      file?.reopen();
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (!file) return resolve();
        file.once('close', () => resolve());
        file.end();
      }),
  };
}

function openAuditFile(path: string) {
  try {
    // Checked now, in this turn: a folder that cannot be written is a reason not to start.
    ensureFolder(dirname(path));
    closeSync(openSync(path, 'a', 0o600));
  } catch (error) {
    // The server does not start without its audit trail: one line says why (config/data-dir.ts).
    const reason = error instanceof Error && 'code' in error ? String(error.code) : String(error);
    throw new StartupError(`Cannot write the audit log ${path} (AUDIT_LOG): ${reason}`);
  }
  const file = pino.destination({ dest: path, append: true, mode: 0o600, minLength: 0, sync: false });
  // Later failures (a full disk) are reported, once per failure, without stopping the service.
  file.on('error', (error: unknown) =>
    process.stderr.write(`audit log ${path}: ${error instanceof Error ? error.message : String(error)}\n`),
  );
  return file;
}

function bounded(entry: AuditEntry): AuditEntry & { omitted?: Record<string, number> } {
  const omitted: Record<string, number> = {};
  const list = (name: 'studyIds' | 'studyInstanceUids') => {
    const values = entry[name];
    if (!values || values.length <= AUDIT_LIST_LIMIT) return values;
    omitted[name] = values.length - AUDIT_LIST_LIMIT;
    return values.slice(0, AUDIT_LIST_LIMIT);
  };
  const studyIds = list('studyIds');
  const studyInstanceUids = list('studyInstanceUids');
  return {
    ...entry,
    ...(studyIds ? { studyIds } : {}),
    ...(studyInstanceUids ? { studyInstanceUids } : {}),
    ...(entry.before ? { before: boundedRecord(entry.before, 0) } : {}),
    ...(entry.after ? { after: boundedRecord(entry.after, 0) } : {}),
    ...(Object.keys(omitted).length > 0 ? { omitted } : {}),
  };
}

/** Texts cut to AUDIT_TEXT_LIMIT, objects and arrays to AUDIT_LIST_LIMIT entries, three levels deep. */
function boundedValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string')
    return value.length > AUDIT_TEXT_LIMIT ? `${value.slice(0, AUDIT_TEXT_LIMIT)}…` : value;
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= 3) return '…';
  if (Array.isArray(value)) return value.slice(0, AUDIT_LIST_LIMIT).map((item) => boundedValue(item, depth + 1));
  return boundedRecord(value, depth);
}

function boundedRecord(record: object, depth: number): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(record)
      .slice(0, AUDIT_LIST_LIMIT)
      .map(([key, inner]) => [key.slice(0, AUDIT_TEXT_LIMIT), boundedValue(inner, depth + 1)]),
  );
}
