import type {
  ApiKeyReference,
  ExpressCustomerReference,
  OrgReference,
  Severity,
  StudyViewerStatus,
  User,
  UserLevel,
} from '../../contract/avara-types.ts';

/**
 * A study as stored: references are kept as IDs and resolved when the study is answered, so a
 * renamed user shows the new name everywhere. `seq` is the store's own creation order: it never
 * changes and only grows, which is what keyset pagination needs.
 */
export interface StudyRecord {
  seq: number;
  studyId: string;
  studyInstanceUid: string;
  studyDescription: string;
  severity: Severity;
  studyViewerStatus: StudyViewerStatus;
  isCancelled: boolean;
  cancelledAt: string | null;
  createdAt: string;
  updatedAt: string;
  assignedToUserId: string | null;
  createdByUserId: string | null;
  createdByApiKey: ApiKeyReference | null;
  expressCustomerId: string | null;
  orgId: string | null;
  metadata: Record<string, string> | null;
}

export type NewStudyRecord = Omit<StudyRecord, 'seq'>;

/**
 * A user as stored, with its place in the roster's order. A store may hold an empty optional field
 * as null; answers leave it out (`present` in study-service.ts).
 */
export interface UserRecord extends Omit<User, 'middleName' | 'suffix1' | 'suffix2' | 'phoneNumber'> {
  seq: number;
  middleName?: string | null;
  suffix1?: string | null;
  suffix2?: string | null;
  phoneNumber?: string | null;
}

/**
 * List filters. For `assignedToUserId` and `expressCustomerId`, `null` selects studies without one
 * and `undefined` does not filter.
 */
export interface StudyFilter {
  assignedToUserId?: string | null;
  expressCustomerId?: string | null;
  isCancelled?: boolean;
  severity?: Severity;
  /** Case-insensitive (ASCII letters) contains match. */
  studyDescription?: string;
  studyViewerStatus?: StudyViewerStatus;
}

export interface UserFilter {
  /** Exact match, ignoring the case of ASCII letters. */
  email?: string;
  /** Case-insensitive (ASCII letters) contains match. */
  firstName?: string;
  lastName?: string;
  level?: UserLevel;
  invitedSource?: string;
}

/**
 * Storage for the bundled Avara server. Two implementations keep the same rules honest: SQLite
 * for the server and plain arrays for the browser (MSW). Both are synchronous.
 */
export interface StudyRepository {
  /** Stores a new study and answers it with its assigned `seq`. */
  insertStudy(study: NewStudyRecord): StudyRecord;
  /** Replaces every field of the study with the same `studyId` (its `seq` and UID stay). */
  replaceStudy(study: StudyRecord): void;
  findStudyById(studyId: string): StudyRecord | undefined;
  findStudyByUid(studyInstanceUid: string): StudyRecord | undefined;
  /** Up to `limit` studies matching the filter with `seq > afterSeq`, in `seq` order. */
  listStudies(filter: StudyFilter, afterSeq: number, limit: number): StudyRecord[];
  countStudies(): number;

  insertUser(user: User): UserRecord;
  findUser(userId: string): UserRecord | undefined;
  /** Up to `limit` users matching the filter with `seq > afterSeq`, in `seq` order. */
  listUsers(filter: UserFilter, afterSeq: number, limit: number): UserRecord[];
  countUsers(): number;

  insertCustomer(customer: ExpressCustomerReference): void;
  findCustomer(expressCustomerId: string): ExpressCustomerReference | undefined;
  insertOrg(org: OrgReference): void;
  findOrg(orgId: string): OrgReference | undefined;

  /** Runs `work` atomically (one SQLite transaction); used for seeding many rows at once. */
  transaction<T>(work: () => T): T;
  close(): void;
}

/** Lowercases ASCII letters only, matching SQLite's built-in LIKE and NOCASE, so both stores agree. */
export function foldAsciiCase(text: string): string {
  return text.replace(/[A-Z]/g, (letter) => letter.toLowerCase());
}
