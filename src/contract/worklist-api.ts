/**
 * The shapes the BFF adds to the Avara contract (its own routes), shared by the BFF and the SPA so
 * neither side writes them down twice. See docs/api.md.
 */
import type { Severity, Study, User } from './avara-types.ts';
import type { EventPerson, ReadingLease } from './worklist-events.ts';

/** What a person may do: radiologists read and report, coordinators manage the worklist. */
export type Role = 'radiologist' | 'coordinator';

/** A person studies can be assigned to: an Avara Viewer user, as GET /api/users lists them. */
export type Person = Pick<
  User,
  'userId' | 'email' | 'firstName' | 'lastName' | 'middleName' | 'suffix1' | 'suffix2' | 'clinicRole' | 'canManageStudies'
>;

export type AuthMode = 'dev' | 'proxy' | 'oidc';

/** The signed-in person, as GET /api/me answers. */
export interface Me {
  subject: string;
  email: string;
  name: string;
  role: Role;
  /** Their Avara user ID (`usr_…`), or null when Avara has no such user. */
  userId: string | null;
  authMode: AuthMode;
}

/** A person the dev sign-in page offers. */
export interface DemoUser {
  username: string;
  name: string;
  role: Role;
  clinicRole: string;
}

/** How to sign in, and what the SPA may trust (GET /auth/config, answered before sign-in). */
export interface AuthConfig {
  mode: AuthMode;
  /** Origins of the portal allowed to frame the app and exchange messages (PORTAL_ORIGINS). */
  portalOrigins: string[];
  /** Origins viewer links may point to (VIEWER_ORIGINS); the SPA opens no other. */
  viewerOrigins: string[];
  /** Dev mode only. */
  demoUsers?: DemoUser[];
}

/** What the PACS knows of a study, as POST /api/pacs/context answers for one Study Instance UID. */
export type PacsStudyContext =
  | {
      found: true;
      /** Family name first ("Doe, Jane M"), from DICOM's `^` notation. */
      patientName: string;
      patientId: string;
      /** Distinct modalities of the study's series, in series order. */
      modalities: string[];
      /** ISO date (YYYY-MM-DD), or null when the PACS has none or an unreadable one. */
      studyDate: string | null;
      accessionNumber: string;
      seriesCount: number;
      instanceCount: number;
    }
  | { found: false };

/** GET /api/customers/{customerId}: a customer's name. */
export interface CustomerAnswer {
  customerId: string;
  name: string;
}

/** POST /api/pacs/context's answer: one entry per UID asked for. */
export interface PacsContextPage {
  studies: Record<string, PacsStudyContext>;
}

/** A study's reading lease, as POST, PUT and GET /api/studies/{studyId}/lease answer. */
export interface LeaseAnswer {
  lease: ReadingLease;
  /** POST with `takeOver: true` only: whom it was taken from. */
  tookOverFrom?: EventPerson;
}

/** GET /api/leases: every live lease, in study ID order. */
export interface LeaseList {
  leases: ReadingLease[];
  /** More leases exist than one answer lists (1,000). */
  hasMore: boolean;
}

/** GET and PUT /api/studies/{studyId}/presence: who has the study open now, first arrived first. */
export interface PresenceAnswer {
  studyId: string;
  viewers: EventPerson[];
}

/** Studies of each severity. */
export type SeverityCounts = Record<Severity, number>;

/** How many unread studies of one severity there are. */
export interface UnreadCount {
  count: number;
  /** True when there are at least `count` (counted by a capped walk, before the queue watcher's first). */
  capped: boolean;
}

/**
 * GET /api/worklist/counts: the active queue (unread, not cancelled), as the queue watcher saw it at
 * `asOf`. `unread` is the portal's badge (the same numbers as `bySeverity.stat` and `.high`).
 */
export interface WorklistCounts {
  unread: { stat: UnreadCount; high: UnreadCount };
  bySeverity: SeverityCounts;
  /** Waiting at least their severity's target (src/contract/sla.ts) at `asOf`. */
  overdue: SeverityCounts;
  unassigned: SeverityCounts;
  /** Assignee's Avara user ID (`usr_…`) → their studies; people with none are left out. */
  byAssignee: Record<string, SeverityCounts>;
  /** When the queue was walked (ISO). */
  asOf: string;
  /** True when some severity had more studies than the capped walk counted: every number is then "at least". */
  capped: boolean;
  /**
   * The caller's "mine and unassigned" view of the active queue (their studies plus the unassigned
   * ones they may claim): present for a caller who may claim studies (an Avara user), absent otherwise.
   */
  mineAndUnassigned?: SeverityCounts;
}

/** The assignee value of GET /api/studies that the BFF serves itself: assigned to me, or unassigned (claimable by me). */
export const MINE_OR_UNASSIGNED = 'mine-or-unassigned';

/** The steps of the Next-study rule, in the order they are tried (src/bff/reading/next-study-rule.ts). */
export const NEXT_STEPS = ['own-stat', 'unassigned-stat', 'own-high', 'unassigned-high', 'own-normal', 'unassigned-normal'] as const;

/** Which step of the rule gave the study: whose it was (the caller's own, or nobody's) and its severity. */
export type NextStep = (typeof NEXT_STEPS)[number];

/**
 * POST /api/reading/next: the study the rule gave the caller, claimed for them when it was
 * unassigned (`claimed`), with their reading lease on it; or `{ study: null }` when nothing waits.
 */
export type NextStudyAnswer = { study: Study; lease: ReadingLease; claimed: boolean; step: NextStep } | { study: null };
