import type {
  ApiKeyReference,
  ExpressCustomerReference,
  ListStudiesQuery,
  ListUsersQuery,
  OrgReference,
  RerouteUrlResponse,
  Study,
  StudyCreateParams,
  StudyListPage,
  StudyReferenceParams,
  StudyUpdateParams,
  SuccessResponse,
  User,
  UserListPage,
  UserReference,
} from '../../contract/avara-types.ts';
import { conflict, invalidRequest, notFound } from './avara-error.ts';
import { decodeCursor, encodeCursor, fingerprintOf } from './list-cursor.ts';
import { newId } from './random-ids.ts';
import { foldAsciiCase } from './study-repository.ts';
import type { StudyFilter, StudyRecord, StudyRepository, UserFilter, UserRecord } from './study-repository.ts';

/** The page size when `limit` is not given, as the official SDK documents it. */
export const DEFAULT_PAGE_SIZE = 20;

export interface StudyServiceOptions {
  /** The API key that studies created through the API are attributed to (`createdByApiKey`). */
  apiKey: ApiKeyReference;
  /** Builds the tokenized viewer URL for a study: the server signs it; the mocks need no signature. */
  viewerUrl: (studyId: string) => string;
  /** The clock, replaceable in tests. */
  now?: () => Date;
}

/**
 * The rules of the Avara Viewer API, over any repository. Input is already checked against the
 * contract (formats, limits); this class enforces what a schema cannot: existence, uniqueness,
 * state transitions and pagination. Failures are thrown as `AvaraError`.
 */
export class StudyService {
  readonly #repository: StudyRepository;
  readonly #apiKey: ApiKeyReference;
  readonly #viewerUrl: (studyId: string) => string;
  readonly #now: () => Date;

  constructor(repository: StudyRepository, options: StudyServiceOptions) {
    this.#repository = repository;
    this.#apiKey = options.apiKey;
    this.#viewerUrl = options.viewerUrl;
    this.#now = options.now ?? (() => new Date());
  }

  /** The API key this service attributes new studies to. */
  get apiKey(): ApiKeyReference {
    return this.#apiKey;
  }

  createStudy(params: StudyCreateParams): Study {
    if (this.#repository.findStudyByUid(params.studyInstanceUid)) {
      throw conflict(`A study with studyInstanceUid ${params.studyInstanceUid} already exists`, 'studyInstanceUid');
    }
    if (params.assignedTo !== undefined) this.#requireUser(params.assignedTo, 'assignedTo');
    if (params.expressCustomerId !== undefined && !this.#repository.findCustomer(params.expressCustomerId)) {
      throw invalidRequest(
        `expressCustomerId ${params.expressCustomerId} does not name an Express customer`,
        'expressCustomerId',
      );
    }
    const now = this.#now().toISOString();
    const record = this.#repository.insertStudy({
      studyId: newId('stu'),
      studyInstanceUid: params.studyInstanceUid,
      studyDescription: params.studyDescription,
      severity: params.severity,
      studyViewerStatus: 'incomplete',
      isCancelled: false,
      cancelledAt: null,
      createdAt: now,
      updatedAt: now,
      assignedToUserId: params.assignedTo ?? null,
      createdByUserId: null,
      createdByApiKey: this.#apiKey,
      expressCustomerId: params.expressCustomerId ?? null,
      orgId: null,
      metadata: params.metadata === undefined ? null : { ...params.metadata },
    });
    return this.#toStudy(record, new ReferenceCache(this.#repository));
  }

  /** One page of studies, oldest first; the cursor continues after the last study answered. */
  listStudies(query: ListStudiesQuery): StudyListPage {
    const filter: StudyFilter = {
      // An empty value is how the official client sends null: "explicitly none".
      assignedToUserId: query.assignedTo === '' ? null : query.assignedTo,
      expressCustomerId: query.expressCustomerId === '' ? null : query.expressCustomerId,
      isCancelled: query.isCancelled,
      severity: query.severity,
      studyDescription: query.studyDescription,
      studyViewerStatus: query.studyViewerStatus,
    };
    const fingerprint = fingerprintOf([
      filter.assignedToUserId,
      filter.expressCustomerId,
      filter.isCancelled,
      filter.severity,
      filter.studyDescription === undefined ? undefined : foldAsciiCase(filter.studyDescription),
      filter.studyViewerStatus,
    ]);
    const afterSeq = query.cursor === undefined ? 0 : decodeCursor('studies', query.cursor, fingerprint);
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    // One row more than asked says whether another page exists, without a second query.
    const rows = this.#repository.listStudies(filter, afterSeq, limit + 1);
    const hasMore = rows.length > limit;
    const page = hasMore ? rows.slice(0, limit) : rows;
    const references = new ReferenceCache(this.#repository);
    const last = page.at(-1);
    return {
      hasMore,
      studies: page.map((record) => this.#toStudy(record, references)),
      cursor: hasMore && last ? encodeCursor('studies', last.seq, fingerprint) : undefined,
    };
  }

  retrieveStudy(studyId: string): Study {
    return this.#toStudy(this.#requireStudy({ studyId }), new ReferenceCache(this.#repository));
  }

  retrieveStudyByUid(studyInstanceUid: string): Study {
    return this.#toStudy(this.#requireStudy({ studyInstanceUid }), new ReferenceCache(this.#repository));
  }

  /**
   * Changes only the fields present; `assignedTo: null` unassigns, `metadata` replaces the whole map
   * and `metadata: null` clears it. No field at all (the official client's body is optional) changes
   * nothing, `updatedAt` included: the study is answered as it is.
   */
  updateStudy(studyId: string, params: StudyUpdateParams): Study {
    const current = this.#requireStudy({ studyId });
    if (Object.values(params).every((value) => value === undefined))
      return this.#toStudy(current, new ReferenceCache(this.#repository));
    if (typeof params.assignedTo === 'string') this.#requireUser(params.assignedTo, 'assignedTo');
    const updated: StudyRecord = {
      ...current,
      assignedToUserId: params.assignedTo === undefined ? current.assignedToUserId : params.assignedTo,
      metadata:
        params.metadata === undefined ? current.metadata : params.metadata === null ? null : { ...params.metadata },
      severity: params.severity ?? current.severity,
      studyDescription: params.studyDescription ?? current.studyDescription,
      studyViewerStatus: params.studyViewerStatus ?? current.studyViewerStatus,
      updatedAt: this.#nextTimestamp(current.updatedAt),
    };
    this.#repository.replaceStudy(updated);
    return this.#toStudy(updated, new ReferenceCache(this.#repository));
  }

  /** Flags a study as cancelled; a study already cancelled is a conflict. */
  cancelStudy(reference: StudyReferenceParams): SuccessResponse {
    const current = this.#requireStudy(reference);
    if (current.isCancelled) throw conflict(`Study ${current.studyId} is already cancelled`);
    const now = this.#nextTimestamp(current.updatedAt);
    this.#repository.replaceStudy({ ...current, isCancelled: true, cancelledAt: now, updatedAt: now });
    return { success: true, message: `Study ${current.studyId} was cancelled` };
  }

  /** Restores a cancelled study; a study that is not cancelled is a conflict. */
  uncancelStudy(reference: StudyReferenceParams): SuccessResponse {
    const current = this.#requireStudy(reference);
    if (!current.isCancelled) throw conflict(`Study ${current.studyId} is not cancelled`);
    const now = this.#nextTimestamp(current.updatedAt);
    this.#repository.replaceStudy({ ...current, isCancelled: false, cancelledAt: null, updatedAt: now });
    return { success: true, message: `Study ${current.studyId} was restored` };
  }

  /** A tokenized, time-limited URL that opens the study in the viewer. */
  rerouteUrl(reference: StudyReferenceParams): RerouteUrlResponse {
    const study = this.#requireStudy(reference);
    return { url: this.#viewerUrl(study.studyId) };
  }

  listUsers(query: ListUsersQuery): UserListPage {
    const filter: UserFilter = {
      email: query.email,
      firstName: query.firstName,
      lastName: query.lastName,
      level: query.level,
      invitedSource: query.invitedSource,
    };
    const fingerprint = fingerprintOf([
      filter.email === undefined ? undefined : foldAsciiCase(filter.email),
      filter.firstName === undefined ? undefined : foldAsciiCase(filter.firstName),
      filter.lastName === undefined ? undefined : foldAsciiCase(filter.lastName),
      filter.level,
      filter.invitedSource,
    ]);
    const afterSeq = query.cursor === undefined ? 0 : decodeCursor('users', query.cursor, fingerprint);
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const rows = this.#repository.listUsers(filter, afterSeq, limit + 1);
    const hasMore = rows.length > limit;
    const page = hasMore ? rows.slice(0, limit) : rows;
    const last = page.at(-1);
    return {
      hasMore,
      users: page.map(toUser),
      cursor: hasMore && last ? encodeCursor('users', last.seq, fingerprint) : undefined,
    };
  }

  retrieveUser(userId: string): User {
    const record = this.#repository.findUser(userId);
    if (!record) throw notFound(`No user has the ID ${userId}`);
    return toUser(record);
  }

  /**
   * The study a reference names. Both fields may be given (the official client allows it); they must
   * then name the same study, and a study ID that names none is reported as not found.
   */
  #requireStudy(reference: StudyReferenceParams): StudyRecord {
    if (reference.studyId !== undefined && reference.studyInstanceUid !== undefined) {
      const record = this.#requireStudy({ studyId: reference.studyId });
      if (record.studyInstanceUid !== reference.studyInstanceUid) {
        throw invalidRequest(
          `studyInstanceUid ${reference.studyInstanceUid} is not the Study Instance UID of study ${reference.studyId}: give one of them, or both of the same study`,
          'studyInstanceUid',
        );
      }
      return record;
    }
    if (reference.studyId !== undefined) {
      const record = this.#repository.findStudyById(reference.studyId);
      if (!record) throw notFound(`No study has the ID ${reference.studyId}`);
      return record;
    }
    if (reference.studyInstanceUid !== undefined) {
      const record = this.#repository.findStudyByUid(reference.studyInstanceUid);
      if (!record) throw notFound(`No study has the Study Instance UID ${reference.studyInstanceUid}`);
      return record;
    }
    throw invalidRequest('studyId or studyInstanceUid is required');
  }

  #requireUser(userId: string, param: string): void {
    if (!this.#repository.findUser(userId))
      throw invalidRequest(`${param} ${userId} does not name a user of this account`, param);
  }

  /**
   * Now, but always later than the previous value: a client comparing `updatedAt` to detect a
   * concurrent edit must see every change, even two within one millisecond.
   */
  #nextTimestamp(previous: string): string {
    const now = this.#now().getTime();
    const before = Date.parse(previous);
    return new Date(now > before ? now : before + 1).toISOString();
  }

  #toStudy(record: StudyRecord, references: ReferenceCache): Study {
    return {
      studyId: record.studyId,
      studyInstanceUid: record.studyInstanceUid,
      studyDescription: record.studyDescription,
      severity: record.severity,
      studyViewerStatus: record.studyViewerStatus,
      isCancelled: record.isCancelled,
      cancelledAt: record.cancelledAt,
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
      assignedTo: references.user(record.assignedToUserId),
      createdByUser: references.user(record.createdByUserId),
      createdByApiKey: record.createdByApiKey,
      expressCustomer: references.customer(record.expressCustomerId),
      // `org` left the official SDK for `expressCustomer`: it is kept in the store, no longer answered.
      metadata: present(record.metadata === null ? null : { ...record.metadata }),
    };
  }
}

/** Resolves the users, customers and orgs of one answer once each, however many studies name them. */
class ReferenceCache {
  readonly #repository: StudyRepository;
  readonly #users = new Map<string, UserReference | null>();
  readonly #customers = new Map<string, ExpressCustomerReference | null>();
  readonly #orgs = new Map<string, OrgReference | null>();

  constructor(repository: StudyRepository) {
    this.#repository = repository;
  }

  user(userId: string | null): UserReference | null {
    if (userId === null) return null;
    let reference = this.#users.get(userId);
    if (reference === undefined) {
      const record = this.#repository.findUser(userId);
      reference = record ? toUserReference(record) : null;
      this.#users.set(userId, reference);
    }
    return reference;
  }

  customer(expressCustomerId: string | null): ExpressCustomerReference | null {
    if (expressCustomerId === null) return null;
    let reference = this.#customers.get(expressCustomerId);
    if (reference === undefined) {
      reference = this.#repository.findCustomer(expressCustomerId) ?? null;
      this.#customers.set(expressCustomerId, reference);
    }
    return reference;
  }

  org(orgId: string | null): OrgReference | null {
    if (orgId === null) return null;
    let reference = this.#orgs.get(orgId);
    if (reference === undefined) {
      reference = this.#repository.findOrg(orgId) ?? null;
      this.#orgs.set(orgId, reference);
    }
    return reference;
  }
}

/** The short form of a user that studies carry (`assignedTo`, `createdByUser`). */
export function toUserReference(user: Pick<UserRecord, keyof UserReference>): UserReference {
  return {
    email: user.email,
    userId: user.userId,
    firstName: user.firstName,
    lastName: user.lastName,
    middleName: present(user.middleName),
    suffix1: present(user.suffix1),
    suffix2: present(user.suffix2),
  };
}

function toUser(record: UserRecord): User {
  const { seq: _seq, middleName, suffix1, suffix2, phoneNumber, ...user } = record;
  return {
    ...user,
    middleName: present(middleName),
    suffix1: present(suffix1),
    suffix2: present(suffix2),
    phoneNumber: present(phoneNumber),
  };
}

/**
 * How every answer of the bundled server writes an optional field: a value, or nothing. `undefined`
 * is left out by JSON, so the field is absent on the wire, never `null` (the official SDK types
 * these fields as optional, not nullable). Pages write their last `cursor` the same way.
 */
export function present<T>(value: T | null | undefined): T | undefined {
  return value === null || value === '' ? undefined : value;
}
