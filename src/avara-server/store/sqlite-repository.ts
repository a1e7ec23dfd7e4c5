import type { SQLInputValue, SQLOutputValue } from 'node:sqlite';
import type { ApiKeyReference, ExpressCustomerReference, OrgReference, User } from '../../contract/avara-types.ts';
import { CLINIC_ROLES, INVITED_SOURCES, SEVERITIES, USER_LEVELS, VIEWER_STATUSES } from '../../contract/avara-types.ts';
import type {
  NewStudyRecord,
  StudyFilter,
  StudyRecord,
  StudyRepository,
  UserFilter,
  UserRecord,
} from './study-repository.ts';
import { openSqliteDatabase } from './sqlite-database.ts';

const SCHEMA_VERSION = 1;

// `seq` is the rowid: it only grows because rows are never deleted, which keyset pagination relies on.
// Each index puts the equality filters first and then seq, so a filtered page is read in order straight
// from the index (no sort). The trailing study_description lets SQLite test a description filter on
// the index entry before it fetches the row: a rare description then costs an index scan, not 100,000
// row fetches.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS studies (
  seq INTEGER PRIMARY KEY,
  study_id TEXT NOT NULL UNIQUE,
  study_instance_uid TEXT NOT NULL UNIQUE,
  study_description TEXT NOT NULL,
  severity TEXT NOT NULL,
  study_viewer_status TEXT NOT NULL,
  is_cancelled INTEGER NOT NULL,
  cancelled_at TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  assigned_to TEXT,
  created_by_user TEXT,
  created_by_api_key TEXT,
  express_customer_id TEXT,
  org_id TEXT,
  metadata TEXT
) STRICT;
CREATE INDEX IF NOT EXISTS studies_by_triage ON studies (severity, study_viewer_status, is_cancelled, seq, study_description);
CREATE INDEX IF NOT EXISTS studies_by_severity ON studies (severity, seq, study_description);
CREATE INDEX IF NOT EXISTS studies_by_status ON studies (study_viewer_status, is_cancelled, seq, study_description);
CREATE INDEX IF NOT EXISTS studies_by_cancelled ON studies (is_cancelled, seq, study_description);
CREATE INDEX IF NOT EXISTS studies_by_assignee ON studies (assigned_to, seq, study_description);
CREATE INDEX IF NOT EXISTS studies_by_assignee_severity ON studies (assigned_to, severity, seq);
CREATE INDEX IF NOT EXISTS studies_by_customer ON studies (express_customer_id, seq, study_description);
CREATE INDEX IF NOT EXISTS studies_by_customer_severity ON studies (express_customer_id, severity, seq);
CREATE INDEX IF NOT EXISTS studies_by_description ON studies (seq, study_description);

CREATE TABLE IF NOT EXISTS users (
  seq INTEGER PRIMARY KEY,
  user_id TEXT NOT NULL UNIQUE,
  email TEXT NOT NULL,
  first_name TEXT NOT NULL,
  last_name TEXT NOT NULL,
  middle_name TEXT,
  suffix1 TEXT,
  suffix2 TEXT,
  clinic_role TEXT NOT NULL,
  level TEXT NOT NULL,
  can_manage_studies INTEGER NOT NULL,
  has_dashboard_access INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  last_login_at TEXT,
  invited_source TEXT
) STRICT;
CREATE INDEX IF NOT EXISTS users_by_email ON users (email COLLATE NOCASE);

CREATE TABLE IF NOT EXISTS express_customers (
  express_customer_id TEXT PRIMARY KEY,
  express_customer_name TEXT NOT NULL
) STRICT;

CREATE TABLE IF NOT EXISTS orgs (
  org_id TEXT PRIMARY KEY,
  org_name TEXT NOT NULL
) STRICT;
`;

const STUDY_COLUMNS = `seq, study_id, study_instance_uid, study_description, severity, study_viewer_status,
  is_cancelled, cancelled_at, created_at, updated_at, assigned_to, created_by_user, created_by_api_key,
  express_customer_id, org_id, metadata`;

const USER_COLUMNS = `seq, user_id, email, first_name, last_name, middle_name, suffix1, suffix2, clinic_role, level,
  can_manage_studies, has_dashboard_access, created_at, last_login_at, invited_source`;

type Row = Record<string, SQLOutputValue>;

export interface SqliteRepository extends StudyRepository {
  /** Refreshes the query planner's statistics; worth it after a large seed. */
  analyze(): void;
}

/**
 * The repository over SQLite (node:sqlite). `path` is a file (its folder is created) or ':memory:'.
 * The schema is created on first open; file databases use WAL so reads never wait for a write.
 */
export function openSqliteRepository(path: string): SqliteRepository {
  const { db, statement, transaction } = openSqliteDatabase(path, {
    sql: SCHEMA,
    version: SCHEMA_VERSION,
    name: 'The database',
  });

  const insertStudySql = `INSERT INTO studies (study_id, study_instance_uid, study_description, severity,
    study_viewer_status, is_cancelled, cancelled_at, created_at, updated_at, assigned_to, created_by_user,
    created_by_api_key, express_customer_id, org_id, metadata)
    VALUES (:studyId, :studyInstanceUid, :studyDescription, :severity, :studyViewerStatus, :isCancelled,
    :cancelledAt, :createdAt, :updatedAt, :assignedTo, :createdByUser, :createdByApiKey, :expressCustomerId,
    :orgId, :metadata)`;
  const replaceStudySql = `UPDATE studies SET study_description = :studyDescription, severity = :severity,
    study_viewer_status = :studyViewerStatus, is_cancelled = :isCancelled, cancelled_at = :cancelledAt,
    created_at = :createdAt, updated_at = :updatedAt, assigned_to = :assignedTo, created_by_user = :createdByUser,
    created_by_api_key = :createdByApiKey, express_customer_id = :expressCustomerId, org_id = :orgId,
    metadata = :metadata WHERE study_id = :studyId`;

  return {
    insertStudy(study: NewStudyRecord): StudyRecord {
      const result = statement(insertStudySql).run(studyParameters(study));
      return { ...study, seq: Number(result.lastInsertRowid) };
    },

    replaceStudy(study: StudyRecord): void {
      // The UID never changes (it is how the study is known upstream and in PACS), so it is not rebound.
      const { studyInstanceUid: _unchanged, ...parameters } = studyParameters(study);
      const result = statement(replaceStudySql).run(parameters);
      if (Number(result.changes) !== 1) throw new Error(`No study ${study.studyId}`);
    },

    findStudyById(studyId: string): StudyRecord | undefined {
      const row = statement(`SELECT ${STUDY_COLUMNS} FROM studies WHERE study_id = ?`).get(studyId);
      return row ? toStudyRecord(row) : undefined;
    },

    findStudyByUid(studyInstanceUid: string): StudyRecord | undefined {
      const row = statement(`SELECT ${STUDY_COLUMNS} FROM studies WHERE study_instance_uid = ?`).get(studyInstanceUid);
      return row ? toStudyRecord(row) : undefined;
    },

    listStudies(filter: StudyFilter, afterSeq: number, limit: number): StudyRecord[] {
      const where: string[] = ['seq > ?'];
      const values: SQLInputValue[] = [afterSeq];
      equalOrNull(where, values, 'assigned_to', filter.assignedToUserId);
      equalOrNull(where, values, 'express_customer_id', filter.expressCustomerId);
      if (filter.severity !== undefined) {
        where.push('severity = ?');
        values.push(filter.severity);
      }
      if (filter.studyViewerStatus !== undefined) {
        where.push('study_viewer_status = ?');
        values.push(filter.studyViewerStatus);
      }
      if (filter.isCancelled !== undefined) {
        where.push('is_cancelled = ?');
        values.push(filter.isCancelled ? 1 : 0);
      }
      if (filter.studyDescription !== undefined) {
        // LIKE folds ASCII case only; the memory repository does the same, so both answer alike.
        where.push("study_description LIKE ? ESCAPE '\\'");
        values.push(`%${escapeLike(filter.studyDescription)}%`);
      }
      values.push(limit);
      // With only a description filter the planner walks the table itself; the narrow (seq, description)
      // index holds the same order at a fraction of the reads (measured: 40 ms → 17 ms at 100,000 rows).
      const onlyDescription =
        filter.studyDescription !== undefined &&
        Object.entries(filter).every(([key, value]) => key === 'studyDescription' || value === undefined);
      const from = onlyDescription ? 'studies INDEXED BY studies_by_description' : 'studies';
      const sql = `SELECT ${STUDY_COLUMNS} FROM ${from} WHERE ${where.join(' AND ')} ORDER BY seq LIMIT ?`;
      return statement(sql)
        .all(...values)
        .map(toStudyRecord);
    },

    countStudies(): number {
      return Number(statement('SELECT count(*) AS n FROM studies').get()?.n ?? 0);
    },

    insertUser(user: User): UserRecord {
      const result = statement(`INSERT INTO users (user_id, email, first_name, last_name, middle_name, suffix1, suffix2,
        clinic_role, level, can_manage_studies, has_dashboard_access, created_at, last_login_at, invited_source)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
        user.userId,
        user.email,
        user.firstName,
        user.lastName,
        user.middleName ?? null,
        user.suffix1 ?? null,
        user.suffix2 ?? null,
        user.clinicRole,
        user.level,
        user.canManageStudies ? 1 : 0,
        user.hasDashboardAccess ? 1 : 0,
        user.createdAt,
        user.lastLoginAt,
        user.invitedSource,
      );
      return { ...user, seq: Number(result.lastInsertRowid) };
    },

    findUser(userId: string): UserRecord | undefined {
      const row = statement(`SELECT ${USER_COLUMNS} FROM users WHERE user_id = ?`).get(userId);
      return row ? toUserRecord(row) : undefined;
    },

    listUsers(filter: UserFilter, afterSeq: number, limit: number): UserRecord[] {
      const where: string[] = ['seq > ?'];
      const values: SQLInputValue[] = [afterSeq];
      if (filter.email !== undefined) {
        where.push('email = ? COLLATE NOCASE');
        values.push(filter.email);
      }
      if (filter.firstName !== undefined) {
        where.push("first_name LIKE ? ESCAPE '\\'");
        values.push(`%${escapeLike(filter.firstName)}%`);
      }
      if (filter.lastName !== undefined) {
        where.push("last_name LIKE ? ESCAPE '\\'");
        values.push(`%${escapeLike(filter.lastName)}%`);
      }
      if (filter.level !== undefined) {
        where.push('level = ?');
        values.push(filter.level);
      }
      if (filter.invitedSource !== undefined) {
        where.push('invited_source = ?');
        values.push(filter.invitedSource);
      }
      values.push(limit);
      const sql = `SELECT ${USER_COLUMNS} FROM users WHERE ${where.join(' AND ')} ORDER BY seq LIMIT ?`;
      return statement(sql)
        .all(...values)
        .map(toUserRecord);
    },

    countUsers(): number {
      return Number(statement('SELECT count(*) AS n FROM users').get()?.n ?? 0);
    },

    insertCustomer(customer: ExpressCustomerReference): void {
      statement('INSERT INTO express_customers (express_customer_id, express_customer_name) VALUES (?, ?)').run(
        customer.expressCustomerId,
        customer.expressCustomerName,
      );
    },

    findCustomer(expressCustomerId: string): ExpressCustomerReference | undefined {
      const row = statement(
        'SELECT express_customer_id, express_customer_name FROM express_customers WHERE express_customer_id = ?',
      ).get(expressCustomerId);
      return row
        ? {
            expressCustomerId: text(row, 'express_customer_id'),
            expressCustomerName: text(row, 'express_customer_name'),
          }
        : undefined;
    },

    insertOrg(org: OrgReference): void {
      statement('INSERT INTO orgs (org_id, org_name) VALUES (?, ?)').run(org.orgId, org.orgName);
    },

    findOrg(orgId: string): OrgReference | undefined {
      const row = statement('SELECT org_id, org_name FROM orgs WHERE org_id = ?').get(orgId);
      return row ? { orgId: text(row, 'org_id'), orgName: text(row, 'org_name') } : undefined;
    },

    transaction,

    analyze(): void {
      db.exec('ANALYZE');
    },

    close(): void {
      if (!db.isOpen) return;
      db.exec('PRAGMA optimize');
      db.close();
    },
  };
}

function equalOrNull(where: string[], values: SQLInputValue[], column: string, value: string | null | undefined): void {
  if (value === undefined) return;
  if (value === null) {
    where.push(`${column} IS NULL`);
  } else {
    where.push(`${column} = ?`);
    values.push(value);
  }
}

/** Escapes LIKE's wildcards so a description filter is a plain contains match. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

function studyParameters(study: NewStudyRecord): Record<string, SQLInputValue> {
  return {
    studyId: study.studyId,
    studyInstanceUid: study.studyInstanceUid,
    studyDescription: study.studyDescription,
    severity: study.severity,
    studyViewerStatus: study.studyViewerStatus,
    isCancelled: study.isCancelled ? 1 : 0,
    cancelledAt: study.cancelledAt,
    createdAt: study.createdAt,
    updatedAt: study.updatedAt,
    assignedTo: study.assignedToUserId,
    createdByUser: study.createdByUserId,
    createdByApiKey: study.createdByApiKey === null ? null : JSON.stringify(study.createdByApiKey),
    expressCustomerId: study.expressCustomerId,
    orgId: study.orgId,
    metadata: study.metadata === null ? null : JSON.stringify(study.metadata),
  };
}

function toStudyRecord(row: Row): StudyRecord {
  return {
    seq: Number(row.seq),
    studyId: text(row, 'study_id'),
    studyInstanceUid: text(row, 'study_instance_uid'),
    studyDescription: text(row, 'study_description'),
    severity: oneOf(row, 'severity', SEVERITIES),
    studyViewerStatus: oneOf(row, 'study_viewer_status', VIEWER_STATUSES),
    isCancelled: row.is_cancelled === 1,
    cancelledAt: nullableText(row, 'cancelled_at'),
    createdAt: text(row, 'created_at'),
    updatedAt: text(row, 'updated_at'),
    assignedToUserId: nullableText(row, 'assigned_to'),
    createdByUserId: nullableText(row, 'created_by_user'),
    createdByApiKey: parseApiKey(nullableText(row, 'created_by_api_key')),
    expressCustomerId: nullableText(row, 'express_customer_id'),
    orgId: nullableText(row, 'org_id'),
    metadata: parseMetadata(nullableText(row, 'metadata')),
  };
}

function toUserRecord(row: Row): UserRecord {
  return {
    seq: Number(row.seq),
    userId: text(row, 'user_id'),
    email: text(row, 'email'),
    firstName: text(row, 'first_name'),
    lastName: text(row, 'last_name'),
    middleName: nullableText(row, 'middle_name'),
    suffix1: nullableText(row, 'suffix1'),
    suffix2: nullableText(row, 'suffix2'),
    clinicRole: knownOr(row, 'clinic_role', CLINIC_ROLES, 'Other'),
    level: oneOf(row, 'level', USER_LEVELS),
    canManageStudies: row.can_manage_studies === 1,
    hasDashboardAccess: row.has_dashboard_access === 1,
    createdAt: text(row, 'created_at'),
    lastLoginAt: nullableText(row, 'last_login_at'),
    invitedSource: knownOr(row, 'invited_source', INVITED_SOURCES, 'dashboard'),
  };
}

function text(row: Row, column: string): string {
  const value = row[column];
  if (typeof value !== 'string') throw new Error(`Column ${column} is not text`);
  return value;
}

function nullableText(row: Row, column: string): string | null {
  const value = row[column];
  return value === null || value === undefined ? null : String(value);
}

/** A value of the SDK's list; one written before the list was followed (an older demo database) reads as `fallback`. */
function knownOr<T extends string>(row: Row, column: string, allowed: readonly T[], fallback: T): T {
  const value = row[column];
  return allowed.find((candidate) => candidate === value) ?? fallback;
}

function oneOf<T extends string>(row: Row, column: string, allowed: readonly T[]): T {
  const value = row[column];
  const match = allowed.find((candidate) => candidate === value);
  if (match === undefined) throw new Error(`Column ${column} holds an unknown value`);
  return match;
}

function parseMetadata(json: string | null): Record<string, string> | null {
  if (json === null) return null;
  const parsed: unknown = JSON.parse(json);
  if (typeof parsed !== 'object' || parsed === null) return null;
  const metadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) if (typeof value === 'string') metadata[key] = value;
  return metadata;
}

function parseApiKey(json: string | null): ApiKeyReference | null {
  if (json === null) return null;
  const parsed: unknown = JSON.parse(json);
  if (typeof parsed !== 'object' || parsed === null) return null;
  if (!('apiKeyId' in parsed) || !('description' in parsed)) return null;
  const { apiKeyId, description } = parsed;
  if (typeof apiKeyId !== 'string' || typeof description !== 'string') return null;
  const isViewerEnabled =
    'isViewerEnabled' in parsed && typeof parsed.isViewerEnabled === 'boolean' ? parsed.isViewerEnabled : undefined;
  return isViewerEnabled === undefined ? { apiKeyId, description } : { apiKeyId, description, isViewerEnabled };
}
