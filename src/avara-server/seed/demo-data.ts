import type {
  ApiKeyReference,
  ClinicRole,
  StudyCreateParams,
  ExpressCustomerReference,
  OrgReference,
  Severity,
  User,
  UserInvitedSource,
  UserLevel,
} from '../../contract/avara-types.ts';
import { DEFAULT_SLA_TARGETS } from '../../contract/sla.ts';
import { formatUuidV4, toHex } from '../store/random-ids.ts';
import type { NewStudyRecord, StudyRepository, UserRecord } from '../store/study-repository.ts';

// Browser-safe on purpose (no node: imports): the MSW handlers seed the in-memory store with it.

export const DEFAULT_DEMO_STUDIES = 2_500;
const DEFAULT_SEED = 'st-marys-radiology';
const SPREAD_MS = 4 * 24 * 60 * 60 * 1000;
const EMAIL_DOMAIN = 'stmarys-radiology.example';

export interface DemoDataOptions {
  /** How many studies to create when the store has none (default 2,500). */
  studies?: number;
  /** Same seed and `now`, same data. */
  seed?: string;
  /**
   * The seeding time (default: the clock's now). Waiting studies are placed relative to it (most within
   * their SLA target, a few past it); read and cancelled ones over the four days before it.
   */
  now?: Date;
  /** The API key most demo studies are attributed to (the server's own). */
  apiKey: ApiKeyReference;
}

export interface DemoDataSummary {
  usersInserted: number;
  studiesInserted: number;
}

/**
 * Fills an empty store with a realistic, deterministic demo: the roster (users, Express customers,
 * orgs) when there are no users, and the studies when there are no studies. One transaction, so
 * 100,000 studies take seconds and a crash leaves nothing half-seeded.
 */
export function seedDemoData(repository: StudyRepository, options: DemoDataOptions): DemoDataSummary {
  const seed = options.seed ?? DEFAULT_SEED;
  const now = (options.now ?? new Date()).getTime();
  const studyCount = options.studies ?? DEFAULT_DEMO_STUDIES;
  return repository.transaction(() => {
    const roster = buildRoster(createRandom(`${seed}/roster`), now);
    let usersInserted = 0;
    if (repository.countUsers() === 0) {
      for (const user of roster.users) repository.insertUser(user);
      for (const customer of roster.customers) repository.insertCustomer(customer);
      for (const org of roster.orgs) repository.insertOrg(org);
      usersInserted = roster.users.length;
    }
    let studiesInserted = 0;
    if (repository.countStudies() === 0 && studyCount > 0) {
      const people = rosterInStore(repository);
      const references = {
        radiologists: people.filter((user) => user.clinicRole === 'Radiologist').map((user) => user.userId),
        featuredRadiologist: featuredRadiologist(people),
        creators: people.filter((user) => user.canManageStudies).map((user) => user.userId),
        customers: roster.customers
          .filter((c) => repository.findCustomer(c.expressCustomerId))
          .map((c) => c.expressCustomerId),
        orgs: roster.orgs.filter((org) => repository.findOrg(org.orgId)).map((org) => org.orgId),
      };
      const random = createRandom(`${seed}/studies`);
      const gatewayKey: ApiKeyReference = {
        apiKeyId: formatUuidV4(random.bytes(16)),
        description: "St. Mary's PACS router",
        isViewerEnabled: true,
      };
      for (const study of generateStudies(random, studyCount, now, references, [options.apiKey, gatewayKey])) {
        repository.insertStudy(study);
      }
      studiesInserted = studyCount;
    }
    return { usersInserted, studiesInserted };
  });
}

/**
 * The radiologist the dev sign-in page lists first (people by last name, then first name; those who
 * do not manage studies sign in as radiologists): the one a visitor trying the radiologist's view
 * most likely picks.
 */
export function featuredRadiologist(
  users: ReadonlyArray<Pick<User, 'userId' | 'clinicRole' | 'canManageStudies' | 'lastName' | 'firstName'>>,
): string | undefined {
  return users
    .filter((user) => user.clinicRole === 'Radiologist' && !user.canManageStudies)
    .sort((a, b) => a.lastName.localeCompare(b.lastName) || a.firstName.localeCompare(b.firstName))[0]?.userId;
}

/** Every user in the store, in roster order. */
export function rosterInStore(repository: StudyRepository): UserRecord[] {
  const users: UserRecord[] = [];
  for (let page = repository.listUsers({}, 0, 100); page.length > 0;) {
    users.push(...page);
    const last = page.at(-1);
    page = last ? repository.listUsers({}, last.seq, 100) : [];
  }
  return users;
}

// ---------------------------------------------------------------------------------------------
// Randomness: a small seeded generator (sfc32), because Math.random cannot be replayed.

export interface SeededRandom {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  bytes(count: number): Uint8Array;
}

/** A deterministic generator from a text seed. */
export function createRandom(seed: string): SeededRandom {
  // cyrb128 spreads the seed text over the four state words.
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < seed.length; i++) {
    const k = seed.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  let a = Math.imul(h3 ^ (h1 >>> 18), 597399067) >>> 0;
  let b = Math.imul(h4 ^ (h2 >>> 22), 2869860233) >>> 0;
  let c = Math.imul(h1 ^ (h3 >>> 17), 951274213) >>> 0;
  let d = Math.imul(h2 ^ (h4 >>> 19), 2716044179) >>> 0;

  function nextUint32(): number {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    const t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    const result = (t + d) | 0;
    c = (c + result) | 0;
    return result >>> 0;
  }

  const random: SeededRandom = {
    next: () => nextUint32() / 4294967296,
    int: (min, max) => min + Math.floor(random.next() * (max - min + 1)),
    pick<T>(items: readonly T[]): T {
      const item = items[Math.floor(random.next() * items.length)];
      if (item === undefined) throw new Error('pick from an empty list');
      return item;
    },
    bytes(count) {
      const bytes = new Uint8Array(count);
      for (let i = 0; i < count; i++) bytes[i] = nextUint32() & 0xff;
      return bytes;
    },
  };
  // Discard the first outputs: sfc32 needs a few rounds to mix a weak seed.
  for (let i = 0; i < 15; i++) nextUint32();
  return random;
}

function seededId(random: SeededRandom, prefix: 'usr' | 'cus' | 'org' | 'stu'): string {
  return `${prefix}_${toHex(random.bytes(16))}`;
}

// ---------------------------------------------------------------------------------------------
// The roster: St. Mary's radiology department.

interface Person {
  firstName: string;
  lastName: string;
  middleName?: string;
  suffix1?: string;
  suffix2?: string;
  clinicRole: ClinicRole;
  level: UserLevel;
  /** What makes a coordinator in the worklist (the clinic role does not). */
  canManageStudies: boolean;
  invitedSource: UserInvitedSource;
}

const PEOPLE: readonly Person[] = [
  {
    firstName: 'Eleanor',
    lastName: 'Hughes',
    middleName: 'Margaret',
    suffix1: 'MD',
    suffix2: 'FACR',
    clinicRole: 'Radiologist',
    level: 'owner',
    canManageStudies: true,
    invitedSource: 'dashboard',
  },
  {
    firstName: 'Amara',
    lastName: 'Okafor',
    suffix1: 'MD',
    suffix2: 'FACR',
    clinicRole: 'Radiologist',
    level: 'member',
    canManageStudies: false,
    invitedSource: 'dashboard',
  },
  {
    firstName: 'Daniel',
    lastName: 'Reyes',
    suffix1: 'DO',
    clinicRole: 'Radiologist',
    level: 'member',
    canManageStudies: false,
    invitedSource: 'dashboard',
  },
  {
    firstName: 'Priya',
    lastName: 'Raman',
    suffix1: 'MD',
    suffix2: 'PhD',
    clinicRole: 'Radiologist',
    level: 'member',
    canManageStudies: false,
    invitedSource: 'dashboard',
  },
  {
    firstName: 'Henrik',
    lastName: 'Lindqvist',
    suffix1: 'MD',
    clinicRole: 'Radiologist',
    level: 'member',
    canManageStudies: false,
    invitedSource: 'api',
  },
  {
    firstName: 'Grace',
    lastName: 'Whitfield',
    middleName: 'Ann',
    suffix1: 'MD',
    suffix2: 'FACR',
    clinicRole: 'Radiologist',
    level: 'member',
    canManageStudies: false,
    invitedSource: 'api',
  },
  {
    firstName: 'Samuel',
    lastName: 'Adeyemi',
    suffix1: 'DO',
    clinicRole: 'Radiologist',
    level: 'member',
    canManageStudies: false,
    invitedSource: 'dashboard',
  },
  {
    firstName: 'Mei-Lin',
    lastName: 'Chen',
    suffix1: 'MD',
    clinicRole: 'Radiologist',
    level: 'member',
    canManageStudies: false,
    invitedSource: 'api',
  },
  {
    firstName: 'Tomás',
    lastName: 'Álvarez',
    suffix1: 'MD',
    clinicRole: 'Radiologist',
    level: 'member',
    canManageStudies: false,
    invitedSource: 'api',
  },
  {
    firstName: 'Rachel',
    lastName: 'Goldberg',
    middleName: 'S.',
    suffix1: 'MD',
    suffix2: 'PhD',
    clinicRole: 'Radiologist',
    level: 'member',
    canManageStudies: false,
    invitedSource: 'dashboard',
  },
  {
    firstName: 'Kwame',
    lastName: 'Mensah',
    suffix1: 'MD',
    clinicRole: 'Radiologist',
    level: 'member',
    canManageStudies: false,
    invitedSource: 'api',
  },
  {
    firstName: 'Laura',
    lastName: 'Bennett',
    clinicRole: 'Patient Care Coordinator',
    level: 'admin',
    canManageStudies: true,
    invitedSource: 'dashboard',
  },
  {
    firstName: 'Marcus',
    lastName: "O'Neill",
    clinicRole: 'Patient Care Coordinator',
    level: 'admin',
    canManageStudies: true,
    invitedSource: 'dashboard',
  },
  {
    firstName: 'Jordan',
    lastName: 'Park',
    clinicRole: 'Imaging Technologist',
    level: 'member',
    canManageStudies: false,
    invitedSource: 'api',
  },
];

const CUSTOMER_NAMES = [
  'Lakeside Urgent Care',
  'Northgate Orthopedics',
  'Riverbend Family Medicine',
  'Harbor Imaging Partners',
];
const ORG_NAMES = ["St. Mary's Radiology", "St. Mary's North Campus", 'Valley Teleradiology Group'];

interface Roster {
  users: User[];
  customers: ExpressCustomerReference[];
  orgs: OrgReference[];
}

function buildRoster(random: SeededRandom, now: number): Roster {
  const day = 24 * 60 * 60 * 1000;
  const users = PEOPLE.map((person, index): User => {
    const joined = now - random.int(60, 900) * day;
    const neverLoggedIn = index === PEOPLE.length - 1;
    return {
      userId: seededId(random, 'usr'),
      email: `${emailPart(person.firstName)}.${emailPart(person.lastName)}@${EMAIL_DOMAIN}`,
      firstName: person.firstName,
      lastName: person.lastName,
      middleName: person.middleName,
      suffix1: person.suffix1,
      suffix2: person.suffix2,
      clinicRole: person.clinicRole,
      level: person.level,
      canManageStudies: person.canManageStudies,
      hasDashboardAccess: person.level !== 'member' || person.clinicRole === 'Radiologist',
      createdAt: new Date(joined).toISOString(),
      lastLoginAt: neverLoggedIn ? null : new Date(now - random.int(5, 3 * 24 * 60) * 60_000).toISOString(),
      invitedSource: person.invitedSource,
    };
  });
  return {
    users,
    customers: CUSTOMER_NAMES.map((name) => ({
      expressCustomerId: seededId(random, 'cus'),
      expressCustomerName: name,
    })),
    orgs: ORG_NAMES.map((name) => ({ orgId: seededId(random, 'org'), orgName: name })),
  };
}

/** "Tomás" → "tomas", "O'Neill" → "oneill". */
function emailPart(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z-]/g, '');
}

// ---------------------------------------------------------------------------------------------
// Studies.

interface Procedure {
  description: string;
  modality: string;
  bodyPart: string;
  /** Relative frequency in a general hospital's reading list. */
  weight: number;
}

const PROCEDURES: readonly Procedure[] = [
  { description: 'CT Head without Contrast', modality: 'CT', bodyPart: 'HEAD', weight: 10 },
  { description: 'CT Head with and without Contrast', modality: 'CT', bodyPart: 'HEAD', weight: 2 },
  { description: 'CTA Head and Neck', modality: 'CT', bodyPart: 'HEADNECK', weight: 3 },
  { description: 'CT Cervical Spine without Contrast', modality: 'CT', bodyPart: 'CSPINE', weight: 4 },
  { description: 'CT Chest with Contrast', modality: 'CT', bodyPart: 'CHEST', weight: 5 },
  { description: 'CT Chest without Contrast Low Dose Lung Screening', modality: 'CT', bodyPart: 'CHEST', weight: 3 },
  { description: 'CTA Chest Pulmonary Embolism Protocol', modality: 'CT', bodyPart: 'CHEST', weight: 4 },
  { description: 'CT Abdomen and Pelvis with Contrast', modality: 'CT', bodyPart: 'ABDOMENPELVIS', weight: 9 },
  {
    description: 'CT Abdomen and Pelvis without Contrast Renal Stone',
    modality: 'CT',
    bodyPart: 'ABDOMENPELVIS',
    weight: 3,
  },
  { description: 'CT Maxillofacial without Contrast', modality: 'CT', bodyPart: 'FACE', weight: 1 },
  { description: 'MRI Brain with and without Contrast', modality: 'MR', bodyPart: 'BRAIN', weight: 5 },
  { description: 'MRI Brain without Contrast Stroke Protocol', modality: 'MR', bodyPart: 'BRAIN', weight: 2 },
  { description: 'MRI Lumbar Spine w/o Contrast', modality: 'MR', bodyPart: 'LSPINE', weight: 5 },
  { description: 'MRI Cervical Spine w/o Contrast', modality: 'MR', bodyPart: 'CSPINE', weight: 3 },
  { description: 'MRI Knee Right without Contrast', modality: 'MR', bodyPart: 'KNEE', weight: 3 },
  { description: 'MRI Shoulder Left without Contrast', modality: 'MR', bodyPart: 'SHOULDER', weight: 2 },
  { description: 'MRI Abdomen MRCP with and without Contrast', modality: 'MR', bodyPart: 'ABDOMEN', weight: 1 },
  { description: 'MRI Prostate Multiparametric', modality: 'MR', bodyPart: 'PROSTATE', weight: 1 },
  { description: 'MRA Head without Contrast', modality: 'MR', bodyPart: 'HEAD', weight: 1 },
  { description: 'XR Chest 2 Views PA/Lateral', modality: 'CR', bodyPart: 'CHEST', weight: 14 },
  { description: 'XR Chest 1 View Portable', modality: 'DX', bodyPart: 'CHEST', weight: 10 },
  { description: 'XR Abdomen 1 View KUB', modality: 'DX', bodyPart: 'ABDOMEN', weight: 3 },
  { description: 'XR Knee Left 3 Views', modality: 'CR', bodyPart: 'KNEE', weight: 3 },
  { description: 'XR Hand Right 3 Views', modality: 'DX', bodyPart: 'HAND', weight: 2 },
  { description: 'XR Ankle Right 3 Views', modality: 'DX', bodyPart: 'ANKLE', weight: 2 },
  { description: 'XR Lumbar Spine 2-3 Views', modality: 'CR', bodyPart: 'LSPINE', weight: 2 },
  { description: 'XR Hip Left 2 Views with Pelvis', modality: 'DX', bodyPart: 'HIP', weight: 2 },
  { description: 'XR Shoulder Right Complete', modality: 'CR', bodyPart: 'SHOULDER', weight: 2 },
  { description: 'US Abdomen Complete', modality: 'US', bodyPart: 'ABDOMEN', weight: 5 },
  { description: 'US Right Upper Quadrant', modality: 'US', bodyPart: 'ABDOMEN', weight: 3 },
  { description: 'US Renal Bilateral', modality: 'US', bodyPart: 'KIDNEY', weight: 2 },
  { description: 'US Pelvis Transvaginal', modality: 'US', bodyPart: 'PELVIS', weight: 2 },
  { description: 'US OB Less Than 14 Weeks', modality: 'US', bodyPart: 'PELVIS', weight: 1 },
  { description: 'US Venous Doppler Lower Extremity Bilateral', modality: 'US', bodyPart: 'LEG', weight: 3 },
  { description: 'US Thyroid', modality: 'US', bodyPart: 'NECK', weight: 1 },
  { description: 'US Carotid Duplex Bilateral', modality: 'US', bodyPart: 'NECK', weight: 1 },
  { description: 'NM Bone Scan Whole Body', modality: 'NM', bodyPart: 'WHOLEBODY', weight: 1 },
  { description: 'NM Myocardial Perfusion SPECT Rest/Stress', modality: 'NM', bodyPart: 'HEART', weight: 1 },
  { description: 'NM Hepatobiliary HIDA Scan', modality: 'NM', bodyPart: 'ABDOMEN', weight: 1 },
  { description: 'NM Thyroid Uptake and Scan', modality: 'NM', bodyPart: 'THYROID', weight: 1 },
  { description: 'PET/CT Skull Base to Mid-Thigh', modality: 'PT', bodyPart: 'WHOLEBODY', weight: 1 },
  { description: 'Screening Mammogram Bilateral 3D', modality: 'MG', bodyPart: 'BREAST', weight: 5 },
  { description: 'Diagnostic Mammogram Left with Tomosynthesis', modality: 'MG', bodyPart: 'BREAST', weight: 1 },
  { description: 'US Breast Right Limited', modality: 'US', bodyPart: 'BREAST', weight: 1 },
];

const PROCEDURE_WEIGHT_TOTAL = PROCEDURES.reduce((sum, procedure) => sum + procedure.weight, 0);

const REFERRING_PHYSICIANS = [
  'Dr. Alan Whitaker',
  'Dr. Sofia Marquez',
  'Dr. Benjamin Cho',
  'Dr. Nadia Haddad',
  'Dr. Olivia Brennan',
  'Dr. Ravi Patel',
  'Dr. Hannah Schultz',
  'Dr. Isaac Thompson',
  'Dr. Yuki Tanaka',
  'Dr. Fatima Al-Sayed',
];
const SITES = [
  "St. Mary's Main Campus",
  "St. Mary's North Campus",
  "St. Mary's Emergency Department",
  'Riverside Outpatient Imaging',
];
const PATIENT_CLASSES = ['Emergency', 'Inpatient', 'Outpatient', 'Outpatient', 'Outpatient'];
const REASONS = [
  'Trauma, fall from standing',
  'Shortness of breath',
  'Abdominal pain, rule out appendicitis',
  'Follow-up of known nodule',
  'Headache, new onset',
  'Low back pain radiating to left leg',
  'Screening',
  'Rule out fracture',
  'Chest pain',
  'Elevated liver enzymes',
];

interface StudyReferences {
  radiologists: string[];
  /** The first radiologist on the sign-in page (who does not manage studies): some of the unread STAT are theirs. */
  featuredRadiologist: string | undefined;
  creators: string[];
  customers: string[];
  orgs: string[];
}

/**
 * Of each severity's studies, the share still waiting to be read. The rest are history: read
 * (or cancelled) over the four days before seeding. A reading room reads STAT first, so few wait.
 */
const WAITING_SHARE: Readonly<Record<Severity, number>> = { stat: 0.15, high: 0.55, normal: 0.85 };
/** Of the waiting studies, the share already past its target: STAT and HIGH that slipped, NORMAL at the end of its day; few of each. */
const OVERDUE_SHARE: Readonly<Record<Severity, number>> = { stat: 0.15, high: 0.025, normal: 0.005 };
/** Of the waiting NORMAL studies, the share close to their target (80 % to 99 % of it). */
const NEAR_TARGET_SHARE = 0.09;
const MINUTE_MS = 60_000;

/** One study's state and times, drawn before the studies are put in the order they arrived. */
interface StudyPlan {
  severity: Severity;
  createdAt: number;
  updatedAt: number;
  cancelledAt: number | null;
  complete: boolean;
  assignedToUserId: string | null;
}

/**
 * Studies as a reading room's list looks mid-shift at `now`: what waits is recent, most of it within
 * its SLA target (src/contract/sla.ts) and a few studies past it; what was read or cancelled is spread
 * over the four days before. Inserted oldest first, so the server's order is the order they arrived.
 */
function* generateStudies(
  random: SeededRandom,
  count: number,
  now: number,
  references: StudyReferences,
  apiKeys: readonly ApiKeyReference[],
): Generator<NewStudyRecord> {
  // States and times first, then sorted by arrival: IDs, accession numbers and UIDs follow that order.
  const plans = Array.from({ length: count }, () => planStudy(random, now, references));
  plans.sort((a, b) => a.createdAt - b.createdAt);
  const usedUids = new Set<string>();
  const rootTime = Math.floor(now / 1000);

  for (let index = 0; index < count; index++) {
    const plan = plans[index];
    if (plan === undefined) continue;
    const procedure = pickProcedure(random);
    const byUser = references.creators.length > 0 && random.next() < 0.3;
    yield {
      studyId: seededId(random, 'stu'),
      studyInstanceUid: uniqueUid(random, usedUids, rootTime, index),
      studyDescription: procedure.description,
      severity: plan.severity,
      studyViewerStatus: plan.complete ? 'complete' : 'incomplete',
      isCancelled: plan.cancelledAt !== null,
      cancelledAt: plan.cancelledAt === null ? null : new Date(plan.cancelledAt).toISOString(),
      createdAt: new Date(plan.createdAt).toISOString(),
      updatedAt: new Date(plan.updatedAt).toISOString(),
      assignedToUserId: plan.assignedToUserId,
      createdByUserId: byUser ? random.pick(references.creators) : null,
      createdByApiKey: byUser ? null : random.next() < 0.7 ? (apiKeys[0] ?? null) : (apiKeys[1] ?? null),
      expressCustomerId:
        references.customers.length > 0 && random.next() < 0.25 ? random.pick(references.customers) : null,
      orgId: references.orgs.length > 0 && random.next() < 0.55 ? random.pick(references.orgs) : null,
      // What waits always has its accession number (the demo's reading room knows its own by it).
      metadata: metadataFor(random, procedure, index, plan.createdAt, plan.complete || plan.cancelledAt !== null),
    };
  }
}

function planStudy(random: SeededRandom, now: number, references: StudyReferences): StudyPlan {
  const severityRoll = random.next();
  const severity: Severity = severityRoll < 0.05 ? 'stat' : severityRoll < 0.25 ? 'high' : 'normal';
  const target = DEFAULT_SLA_TARGETS[severity] * MINUTE_MS;
  const cancelled = random.next() < 0.03;
  const waiting = !cancelled && random.next() < WAITING_SHARE[severity];
  const radiologist = (): string | null =>
    references.radiologists.length > 0 ? random.pick(references.radiologists) : null;

  if (waiting) {
    const createdAt = now - Math.max(MINUTE_MS, Math.round(waitingAge(random, severity) * target));
    // About half of what waits is assigned; of the unread STAT, a share is the featured radiologist's own.
    let assignedToUserId: string | null = null;
    if (random.next() < 0.47) {
      assignedToUserId =
        severity === 'stat' && references.featuredRadiologist && random.next() < 0.35
          ? references.featuredRadiologist
          : radiologist();
    }
    const updatedAt = assignedToUserId ? Math.min(now, createdAt + random.int(1, 30) * MINUTE_MS) : createdAt;
    return { severity, createdAt, updatedAt, cancelledAt: null, complete: false, assignedToUserId };
  }

  // History: arrived some time in the four days before, then read (by its assignee) or cancelled.
  const createdAt = now - MINUTE_MS - Math.floor(random.next() * (SPREAD_MS - MINUTE_MS));
  let updatedAt = createdAt;
  let cancelledAt: number | null = null;
  const complete = !cancelled || random.next() < 0.2;
  // Read within the target mostly; now and then late.
  if (complete)
    updatedAt = Math.min(
      now,
      createdAt + Math.round(target * (random.next() < 0.08 ? 1 + random.next() : 0.05 + 0.9 * random.next())),
    );
  const assigned = complete || random.next() < 0.4;
  if (cancelled) {
    cancelledAt = Math.min(now, updatedAt + random.int(2, 180) * MINUTE_MS);
    updatedAt = cancelledAt;
  }
  return { severity, createdAt, updatedAt, cancelledAt, complete, assignedToUserId: assigned ? radiologist() : null };
}

/** How long a waiting study has waited, as a fraction of its target: mostly well within it, a few past it. */
function waitingAge(random: SeededRandom, severity: Severity): number {
  const roll = random.next();
  if (roll < OVERDUE_SHARE[severity])
    return severity === 'normal' ? 1 + 0.25 * random.next() : 1.05 + 0.75 * random.next();
  if (severity === 'normal' && roll < OVERDUE_SHARE.normal + NEAR_TARGET_SHARE) return 0.8 + 0.19 * random.next();
  return 0.02 + (severity === 'normal' ? 0.78 : 0.85) * random.next();
}

/** The accession numbers demo studies carry (seeded and arriving), which tell them from studies people created. */
const DEMO_ACCESSION = /^SMR\d/;

/** Whether a study is one of the demo's own (its accession number says so). */
export function isDemoStudy(metadata: Readonly<Record<string, string>> | null | undefined): boolean {
  return metadata != null && DEMO_ACCESSION.test(metadata.accessionNumber ?? '');
}

/** Of the studies that arrive while the demo runs: mostly NORMAL and HIGH, an occasional STAT. */
const ARRIVAL_SEVERITY: ReadonlyArray<readonly [Severity, number]> = [
  ['stat', 0.07],
  ['high', 0.28],
  ['normal', 0.65],
];

/**
 * A new demo study as the PACS router would send it (`createStudy` parameters): unassigned, a real
 * procedure and its metadata, a `2.25.` UID. `serial` numbers the accession.
 */
export function demoArrival(random: SeededRandom, now: number, serial: number): StudyCreateParams {
  let roll = random.next();
  let severity: Severity = 'normal';
  for (const [candidate, share] of ARRIVAL_SEVERITY) {
    if (roll < share) {
      severity = candidate;
      break;
    }
    roll -= share;
  }
  const procedure = pickProcedure(random);
  let uid = 0n;
  for (const byte of random.bytes(16)) uid = (uid << 8n) | BigInt(byte);
  const metadata: Record<string, string> = {
    accessionNumber: `SMR${new Date(now).getUTCFullYear()}${String(serial).padStart(7, '0')}`,
    modality: procedure.modality,
    bodyPart: procedure.bodyPart,
    referringPhysician: random.pick(REFERRING_PHYSICIANS),
    site: random.pick(SITES),
    patientClass: severity === 'normal' ? random.pick(PATIENT_CLASSES) : random.pick(['Emergency', 'Inpatient']),
  };
  if (random.next() < 0.5) metadata.reasonForExam = random.pick(REASONS);
  return { studyInstanceUid: `2.25.${uid.toString()}`, studyDescription: procedure.description, severity, metadata };
}

function pickProcedure(random: SeededRandom): Procedure {
  let roll = random.next() * PROCEDURE_WEIGHT_TOTAL;
  for (const procedure of PROCEDURES) {
    roll -= procedure.weight;
    if (roll < 0) return procedure;
  }
  return random.pick(PROCEDURES);
}

function metadataFor(
  random: SeededRandom,
  procedure: Procedure,
  index: number,
  createdAt: number,
  mayLack: boolean,
): Record<string, string> | null {
  const roll = random.next();
  if (roll < 0.04 && mayLack) return null;
  const year = new Date(createdAt).getUTCFullYear();
  const metadata: Record<string, string> = {
    accessionNumber: `SMR${year}${String(100_000 + index).padStart(7, '0')}`,
    modality: procedure.modality,
    bodyPart: procedure.bodyPart,
    referringPhysician: random.pick(REFERRING_PHYSICIANS),
    site: random.pick(SITES),
  };
  if (random.next() < 0.5) metadata.patientClass = random.pick(PATIENT_CLASSES);
  if (random.next() < 0.3) metadata.reasonForExam = random.pick(REASONS);
  // A few studies carry a long tail of pairs (series notes, priors), near the 50-pair limit.
  if (roll > 0.99) {
    const extra = random.int(30, 50 - Object.keys(metadata).length);
    for (let i = 1; i <= extra; i++) {
      metadata[`series${String(i).padStart(2, '0')}Description`] =
        `${procedure.modality} series ${i}, ${random.int(1, 400)} images`;
    }
  }
  return metadata;
}

/**
 * A valid, unique DICOM UID: half in the `2.25.<128-bit decimal>` form (UUID-derived, ISO/IEC 9834-8),
 * half in a vendor-root form as modalities write them. Components never start with a zero.
 */
function uniqueUid(random: SeededRandom, used: Set<string>, rootTime: number, index: number): string {
  for (;;) {
    let uid: string;
    if (random.next() < 0.5) {
      let value = 0n;
      for (const byte of random.bytes(16)) value = (value << 8n) | BigInt(byte);
      uid = `2.25.${value.toString()}`;
    } else {
      uid = `1.2.840.113619.2.55.3.${random.int(100_000_000, 999_999_999)}.${random.int(100, 999)}.${rootTime}.${index + 1}`;
    }
    if (!used.has(uid)) {
      used.add(uid);
      return uid;
    }
  }
}
