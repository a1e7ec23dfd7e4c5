/**
 * The shapes the BFF adds to the Avara contract (its own routes), shared by the BFF and the SPA so
 * neither side writes them down twice. The answers of `/api` routes are the BFF's API document's
 * (worklist-openapi.yaml, types generated into worklist-api.gen.ts); docs/api.md says them in words.
 */
import type { SlaTargets } from './sla.ts';
import type { components } from './worklist-api.gen.ts';

type Schemas = components['schemas'];

/** What a person may do: radiologists read and report, coordinators manage the worklist. */
export type Role = Schemas['Role'];

/** A person studies can be assigned to: an Avara Viewer user, as GET /api/users lists them. */
export type Person = Schemas['Person'];

export type AuthMode = Schemas['AuthMode'];

/** The signed-in person, as GET /api/me answers; `userId` is null when Avara has no such user. */
export type Me = Schemas['Me'];

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
  /** How long a study of each severity may wait, in minutes (SLA_STAT_MINUTES, …): the worklist's colours and the dashboard. */
  slaTargets: SlaTargets;
}

/** What the PACS knows of a study, as POST /api/pacs/context answers for one Study Instance UID. */
export type PacsStudyContext = Schemas['PacsStudyContext'];

/** GET /api/customers/{customerId}: a customer's name. */
export type CustomerAnswer = Schemas['CustomerAnswer'];

/** POST /api/pacs/context's answer: one entry per UID asked for. */
export type PacsContextPage = Schemas['PacsContextPage'];

/** A study's reading lease, as POST, PUT and GET /api/studies/{studyId}/lease answer (`tookOverFrom`: POST with takeOver). */
export type LeaseAnswer = Schemas['LeaseAnswer'];

/** GET /api/leases: every live lease, in study ID order (`hasMore`: more than the 1,000 listed). */
export type LeaseList = Schemas['LeaseList'];

/** GET and PUT /api/studies/{studyId}/presence: who has the study open now, first arrived first. */
export type PresenceAnswer = Schemas['PresenceAnswer'];

/** Studies of each severity. */
export type SeverityCounts = Schemas['SeverityCounts'];

/** How many unread studies of one severity there are (`capped`: at least that many). */
export type UnreadCount = Schemas['UnreadCount'];

/**
 * GET /api/worklist/counts: the active queue (unread, not cancelled), as the queue watcher saw it at
 * `asOf`. `unread` is the portal's badge (the same numbers as `bySeverity.stat` and `.high`);
 * `mineAndUnassigned` is there for a caller who may claim studies (an Avara user).
 */
export type WorklistCounts = Schemas['WorklistCounts'];

/** The assignee value of GET /api/studies that the BFF serves itself: assigned to me, or unassigned (claimable by me). */
export const MINE_OR_UNASSIGNED = 'mine-or-unassigned';

/** The steps of the Next-study rule, in the order they are tried (src/bff/reading/next-study-rule.ts). */
export const NEXT_STEPS = [
  'own-stat',
  'unassigned-stat',
  'own-high',
  'unassigned-high',
  'own-normal',
  'unassigned-normal',
] as const;

/** Which step of the rule gave the study: whose it was (the caller's own, or nobody's) and its severity. */
export type NextStep = (typeof NEXT_STEPS)[number];

/**
 * POST /api/reading/next: the study the rule gave the caller, claimed for them when it was
 * unassigned (`claimed`), with their reading lease on it; or `{ study: null }` when nothing waits.
 */
export type NextStudyAnswer = Schemas['NextStudyAnswer'];

/** A person's saved view of the worklist (GET/POST /api/views, PATCH /api/views/{viewId}). */
export type SavedView = Schemas['SavedView'];
/** The columns a saved view keeps: the grid's own layout. */
export type SavedViewColumns = Schemas['SavedViewColumns'];
/** GET /api/views and PUT /api/views/default: a person's views and which is the default. */
export type SavedViewList = Schemas['SavedViewList'];
/** What POST and PATCH /api/views take. */
export type SavedViewInput = Schemas['SavedViewInput'];

/** The limits of a saved view, the same for the BFF's checks and the SPA's form. */
export const SAVED_VIEW_LIMITS = { nameLength: 60, viewsPerPerson: 20, filtersLength: 600 } as const;
