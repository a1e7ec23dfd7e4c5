import { createWriteStream, type WriteStream } from 'node:fs';
import type { SessionUser } from './session-user.ts';

export type AuditAction =
  | 'study.list'
  | 'study.view'
  | 'study.create'
  | 'study.update'
  | 'study.cancel'
  | 'study.uncancel'
  | 'study.open-viewer'
  | 'session.sign-in'
  | 'session.sign-out'
  | 'session.refused';

export interface AuditEntry {
  action: AuditAction;
  user: Pick<SessionUser, 'email' | 'role' | 'userId'> | { email: string; role: null; userId: null };
  studyId?: string;
  studyInstanceUid?: string;
  /** For a list: the studies shown. */
  studyIds?: string[];
  /** For a change: the fields it touched, as they were and as they became. */
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
  outcome: 'ok' | 'refused' | 'failed';
  status?: number;
}

export interface AuditLog {
  record(entry: AuditEntry): void;
  close(): Promise<void>;
}

/**
 * One JSON line per event (who, what, when, which study, before and after), to stdout or an
 * append-only file. JSON escaping keeps each entry on one line whatever the values contain; no
 * token, cookie or key is ever passed in.
 */
export function createAuditLog(destination: string, write?: (line: string) => void): AuditLog {
  let stream: WriteStream | undefined;
  const toFile = (line: string) => {
    stream ??= createWriteStream(destination, { flags: 'a', mode: 0o600 });
    // Lines recorded in one turn of the event loop go out in one write: under load, a file write per
    // list request was a tenth of the BFF's CPU (docs/performance.md). No line waits past that turn.
    if (stream.writableCorked === 0) {
      stream.cork();
      setImmediate(() => stream?.uncork());
    }
    stream.write(line);
  };
  const sink = write ?? (destination === 'stdout' ? (line: string) => process.stdout.write(line) : toFile);
  return {
    record(entry) {
      sink(`${JSON.stringify({ time: new Date().toISOString(), type: 'audit', ...entry })}\n`);
    },
    close: () => new Promise((resolve) => (stream ? stream.end(resolve) : resolve())),
  };
}
