import type { ExpressCustomerReference, OrgReference, User } from '../../contract/avara-types.ts';
import { foldAsciiCase } from './study-repository.ts';
import type {
  NewStudyRecord,
  StudyFilter,
  StudyRecord,
  StudyRepository,
  UserFilter,
  UserRecord,
} from './study-repository.ts';

/**
 * The repository in plain arrays and maps, for the browser (MSW) and fast tests. Rows are kept in
 * `seq` order with `seq` = position + 1 (nothing is ever deleted), so a page starts by index.
 * Records are copied in and out so no caller can change the store by accident.
 */
export function createMemoryRepository(): StudyRepository {
  const studies: StudyRecord[] = [];
  const studyIndexById = new Map<string, number>();
  const studyIndexByUid = new Map<string, number>();
  const users: UserRecord[] = [];
  const userIndexById = new Map<string, number>();
  const customers = new Map<string, ExpressCustomerReference>();
  const orgs = new Map<string, OrgReference>();

  function studyAt(index: number | undefined): StudyRecord | undefined {
    const record = index === undefined ? undefined : studies[index];
    return record ? copyStudy(record) : undefined;
  }

  return {
    insertStudy(study: NewStudyRecord): StudyRecord {
      if (studyIndexById.has(study.studyId) || studyIndexByUid.has(study.studyInstanceUid)) {
        throw new Error(`Duplicate study ${study.studyId} / ${study.studyInstanceUid}`);
      }
      const record: StudyRecord = copyStudy({ ...study, seq: studies.length + 1 });
      studyIndexById.set(record.studyId, studies.length);
      studyIndexByUid.set(record.studyInstanceUid, studies.length);
      studies.push(record);
      return copyStudy(record);
    },

    replaceStudy(study: StudyRecord): void {
      const index = studyIndexById.get(study.studyId);
      const current = index === undefined ? undefined : studies[index];
      if (index === undefined || !current) throw new Error(`No study ${study.studyId}`);
      studies[index] = copyStudy({ ...study, seq: current.seq, studyInstanceUid: current.studyInstanceUid });
    },

    findStudyById: (studyId) => studyAt(studyIndexById.get(studyId)),
    findStudyByUid: (studyInstanceUid) => studyAt(studyIndexByUid.get(studyInstanceUid)),

    listStudies(filter: StudyFilter, afterSeq: number, limit: number): StudyRecord[] {
      const matches = studyMatcher(filter);
      const page: StudyRecord[] = [];
      for (let index = Math.max(0, afterSeq); index < studies.length && page.length < limit; index++) {
        const record = studies[index];
        if (record && matches(record)) page.push(copyStudy(record));
      }
      return page;
    },

    countStudies: () => studies.length,

    insertUser(user: User): UserRecord {
      if (userIndexById.has(user.userId)) throw new Error(`Duplicate user ${user.userId}`);
      const record: UserRecord = { ...user, seq: users.length + 1 };
      userIndexById.set(user.userId, users.length);
      users.push(record);
      return { ...record };
    },

    findUser(userId: string): UserRecord | undefined {
      const index = userIndexById.get(userId);
      const record = index === undefined ? undefined : users[index];
      return record ? { ...record } : undefined;
    },

    listUsers(filter: UserFilter, afterSeq: number, limit: number): UserRecord[] {
      const matches = userMatcher(filter);
      const page: UserRecord[] = [];
      for (let index = Math.max(0, afterSeq); index < users.length && page.length < limit; index++) {
        const record = users[index];
        if (record && matches(record)) page.push({ ...record });
      }
      return page;
    },

    countUsers: () => users.length,

    insertCustomer(customer: ExpressCustomerReference): void {
      customers.set(customer.expressCustomerId, { ...customer });
    },
    findCustomer(expressCustomerId: string): ExpressCustomerReference | undefined {
      const customer = customers.get(expressCustomerId);
      return customer ? { ...customer } : undefined;
    },
    insertOrg(org: OrgReference): void {
      orgs.set(org.orgId, { ...org });
    },
    findOrg(orgId: string): OrgReference | undefined {
      const org = orgs.get(orgId);
      return org ? { ...org } : undefined;
    },

    // Synchronous code cannot interleave, so the work is atomic already (but not rolled back on error).
    transaction: (work) => work(),
    close(): void {},
  };
}

function copyStudy(record: StudyRecord): StudyRecord {
  return {
    ...record,
    createdByApiKey: record.createdByApiKey ? { ...record.createdByApiKey } : null,
    metadata: record.metadata ? { ...record.metadata } : null,
  };
}

function studyMatcher(filter: StudyFilter): (record: StudyRecord) => boolean {
  const description = filter.studyDescription === undefined ? undefined : foldAsciiCase(filter.studyDescription);
  return (record) =>
    (filter.assignedToUserId === undefined || record.assignedToUserId === filter.assignedToUserId) &&
    (filter.expressCustomerId === undefined || record.expressCustomerId === filter.expressCustomerId) &&
    (filter.isCancelled === undefined || record.isCancelled === filter.isCancelled) &&
    (filter.severity === undefined || record.severity === filter.severity) &&
    (filter.studyViewerStatus === undefined || record.studyViewerStatus === filter.studyViewerStatus) &&
    (description === undefined || foldAsciiCase(record.studyDescription).includes(description));
}

function userMatcher(filter: UserFilter): (record: UserRecord) => boolean {
  const email = filter.email === undefined ? undefined : foldAsciiCase(filter.email);
  const firstName = filter.firstName === undefined ? undefined : foldAsciiCase(filter.firstName);
  const lastName = filter.lastName === undefined ? undefined : foldAsciiCase(filter.lastName);
  return (record) =>
    (email === undefined || foldAsciiCase(record.email) === email) &&
    (firstName === undefined || foldAsciiCase(record.firstName).includes(firstName)) &&
    (lastName === undefined || foldAsciiCase(record.lastName).includes(lastName)) &&
    (filter.level === undefined || record.level === filter.level) &&
    (filter.invitedSource === undefined || record.invitedSource === filter.invitedSource);
}
