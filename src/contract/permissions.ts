/**
 * Who may change what on a study: the one definition. The BFF enforces it on every PATCH, the mock
 * API answers by it, and the SPA reads it to decide which actions and fields to offer. Pure: no I/O,
 * nothing on import. See docs/security.md (Roles) and docs/decisions/012-radiologist-permissions.md.
 *
 * - A coordinator may change everything.
 * - A radiologist may claim an unassigned study (assign it to themselves), and may mark read, reopen
 *   and edit the notes of a study assigned to them, or of an unassigned one they claim in the same
 *   change. They may never assign someone else, unassign, take someone else's study, change severity
 *   or description, or add, change or remove a metadata key the PACS sync writes.
 * - Cancel, restore and create are coordinators' (the BFF's routes check the role; `mayManageStudies`).
 * - A reading lease ("being read by X") may be taken on a study that is not cancelled: by a
 *   coordinator on any, by a radiologist on one they may read (theirs, or unassigned). Only a
 *   coordinator may end someone else's lease (`mayTakeLease`, `mayBreakLease`).
 * - Next study (the server hands out the next study by rule) is for readers: radiologists with an
 *   Avara user. It gives only a study they may read and claim (`mayTakeNextStudy`, `mayReadNext`).
 * - A critical result is acknowledged by the study's assignee or a coordinator (`mayAcknowledgeCritical`).
 */
import { mayManageStudies, type Actor } from './actor.ts';
import type { StudyUpdateParams } from './avara-types.ts';

// Who is asking (`Actor`, `actorOf`), and whether they read (`mayTakeNextStudy`), live apart, so a
// page that only needs to know that (the worklist's first screen) does not carry the whole rule.
export { LEAST_PRIVILEGED_ROLE, actorOf, mayManageStudies, mayTakeNextStudy, type Actor } from './actor.ts';

/**
 * Metadata keys the PACS sync writes when it puts a study on the worklist (src/bff/pacs/pacs-sync.ts):
 * the PACS's facts about the study, which the sync and the PACS lookups rely on. Only a coordinator
 * may change them.
 */
export const PACS_METADATA_KEYS = ['accessionNumber', 'modality', 'sourcePacs', 'orthancStudyId'] as const;
export type PacsMetadataKey = (typeof PACS_METADATA_KEYS)[number];

/** What of a study the rule looks at: as Avara answers it (the BFF passes what it read upstream). */
export interface StudyState {
  assignedTo?: { userId: string } | null | undefined;
  metadata?: Readonly<Record<string, unknown>> | null | undefined;
}

/** A PATCH body: the fields sent are the fields changed (metadata replaces the whole map). */
export type StudyChanges = Readonly<Record<string, unknown>>;

/** The fields of a study a PATCH may change. */
export type StudyField = keyof StudyUpdateParams;

type FieldRule = (actor: Actor, study: StudyState, changes: StudyChanges) => string | undefined;

/** One rule per field the contract lets a PATCH change; a record, so a new field cannot be forgotten. */
const RADIOLOGIST_RULES: Record<StudyField, FieldRule> = {
  studyDescription: () => 'Only a coordinator may change the description.',
  severity: () => 'Only a coordinator may change the severity.',
  assignedTo: (actor, study, changes) => claimRefusal(actor, study, changes.assignedTo),
  studyViewerStatus: (actor, study, changes) => ownerRefusal(actor, study, changes, 'mark it read or reopen it'),
  metadata: (actor, study, changes) => {
    const reasons = [
      ownerRefusal(actor, study, changes, 'change its notes'),
      pacsKeysRefusal(study.metadata, changes.metadata),
    ];
    return reasons.some(Boolean) ? reasons.filter(Boolean).join(' ') : undefined;
  },
};

export const STUDY_FIELDS: readonly StudyField[] = [
  'studyDescription',
  'severity',
  'studyViewerStatus',
  'assignedTo',
  'metadata',
];

export type ChangeDecision =
  | { allowed: true }
  | {
      allowed: false;
      /** Why each refused field may not change, by field name (fields not listed would be allowed). */
      refusals: Readonly<Record<string, string>>;
      /** Every reason in one text, for a 403's `detail` or the form. */
      detail: string;
    };

/** Whether the person may make these changes to the study as it is now; if not, why, field by field. */
export function mayChange(actor: Actor, study: StudyState, changes: StudyChanges): ChangeDecision {
  if (actor.role === 'coordinator') return { allowed: true };
  const refusals: Record<string, string> = {};
  for (const field of Object.keys(changes)) {
    const rule = isStudyField(field) ? RADIOLOGIST_RULES[field] : undefined;
    const reason = rule ? rule(actor, study, changes) : `A radiologist may not change ${field}.`;
    if (reason) refusals[field] = reason;
  }
  const reasons = [...new Set(Object.values(refusals))];
  if (reasons.length === 0) return { allowed: true };
  return { allowed: false, refusals, detail: reasons.join(' ') };
}

/** What the edit form may offer the person on this study. */
export interface EditableFields {
  /** The fields the person may change. */
  fields: ReadonlySet<StudyField>;
  /** Whom the person may assign the study to. */
  assignees: 'anyone' | 'themselves' | 'nobody';
  /** The viewer status and notes may change only in a change that also claims the study. */
  claimRequired: boolean;
  /** Metadata keys the person may see but not add, change or remove. */
  lockedMetadataKeys: readonly string[];
}

const NOTHING: EditableFields = {
  fields: new Set(),
  assignees: 'nobody',
  claimRequired: false,
  lockedMetadataKeys: PACS_METADATA_KEYS,
};

/** The fields the person may change on this study (the form's view of `mayChange`). */
export function editableFields(actor: Actor, study: StudyState): EditableFields {
  if (actor.role === 'coordinator') {
    return { fields: new Set(STUDY_FIELDS), assignees: 'anyone', claimRequired: false, lockedMetadataKeys: [] };
  }
  const assignee = assigneeOf(study);
  if (actor.userId === null) return NOTHING;
  if (assignee === actor.userId) return { ...NOTHING, fields: new Set(['studyViewerStatus', 'metadata']) };
  if (assignee === null) {
    return {
      ...NOTHING,
      fields: new Set(['assignedTo', 'studyViewerStatus', 'metadata']),
      assignees: 'themselves',
      claimRequired: true,
    };
  }
  return NOTHING;
}

/** The drawer's one-click actions and whether the person may take them on this study. */
export interface StudyActions {
  /** "Assign to me". */
  claim: boolean;
  /** Assign anyone (the edit form's assignee picker, which needs the roster). */
  pickAssignee: boolean;
  /** "Mark read" or "Reopen", whichever applies. */
  setViewerStatus: boolean;
  /** "Edit": some field of the study is the person's to change. */
  edit: boolean;
  /** The severity buttons. */
  setSeverity: boolean;
  /** Cancel or restore the study. */
  cancel: boolean;
  /** Why the person may change nothing of this study, when so (e.g. it is someone else's). */
  readOnlyReason: string | undefined;
}

/**
 * The drawer's actions, each decided by the rule above. A cancelled study is not read, claimed or
 * edited (the worklist asks Avara for none of that): only restoring it is offered, to a coordinator.
 */
export function studyActions(
  actor: Actor,
  study: StudyState & { studyViewerStatus?: string; isCancelled?: boolean | null | undefined },
): StudyActions {
  if (study.isCancelled === true) {
    return {
      claim: false,
      pickAssignee: false,
      setViewerStatus: false,
      edit: false,
      setSeverity: false,
      cancel: mayManageStudies(actor),
      readOnlyReason: mayManageStudies(actor)
        ? 'This study is cancelled: restore it to read, assign or edit it.'
        : 'This study is cancelled: nothing is to be done with it.',
    };
  }
  const toggled = study.studyViewerStatus === 'complete' ? 'incomplete' : 'complete';
  const editable = editableFields(actor, study);
  const setViewerStatus = mayChange(actor, study, { studyViewerStatus: toggled });
  return {
    claim:
      actor.userId !== null &&
      assigneeOf(study) !== actor.userId &&
      mayChange(actor, study, { assignedTo: actor.userId }).allowed,
    pickAssignee: editable.assignees === 'anyone',
    setViewerStatus: setViewerStatus.allowed,
    edit: editable.fields.size > 0,
    setSeverity: editable.fields.has('severity'),
    cancel: mayManageStudies(actor),
    readOnlyReason: editable.fields.size === 0 && !setViewerStatus.allowed ? setViewerStatus.detail : undefined,
  };
}

/** What of a study the reading-lease rule looks at. */
export interface LeaseStudyState extends StudyState {
  isCancelled?: boolean | null | undefined;
}

export type LeaseDecision = { allowed: true } | { allowed: false; detail: string };

/**
 * Whether the person may take, or take over, the reading lease of this study ("being read by me").
 * Nobody reads a cancelled study. A coordinator may on any other; a radiologist on a study they may
 * read: assigned to them, or to nobody (the ones they may mark read, claiming them in the same change),
 * so a radiologist cannot hold up a study assigned to someone else.
 */
export function mayTakeLease(actor: Actor, study: LeaseStudyState): LeaseDecision {
  if (study.isCancelled === true)
    return { allowed: false, detail: 'This study is cancelled: there is nothing to read.' };
  if (actor.role === 'coordinator') return { allowed: true };
  const refusal = ownerRefusal(actor, study, { assignedTo: actor.userId }, 'read it');
  return refusal ? { allowed: false, detail: refusal } : { allowed: true };
}

/** End someone else's reading lease (a reader who left without releasing it): coordinators only. */
export function mayBreakLease(actor: Actor): boolean {
  return actor.role === 'coordinator';
}

/**
 * Acknowledge a critical result of a study (a report Avara marked critical): a coordinator on any
 * study, a radiologist on a study assigned to them. They are also the ones the alert is shown to.
 */
export function mayAcknowledgeCritical(actor: Actor, study: StudyState): LeaseDecision {
  if (actor.role === 'coordinator') return { allowed: true };
  const assignee = assigneeOf(study);
  if (actor.userId !== null && assignee === actor.userId) return { allowed: true };
  return { allowed: false, detail: "Only the study's assignee or a coordinator may acknowledge its critical result." };
}

/**
 * Whether Next may give this study to the person: one they may read (take its lease) that is theirs
 * already or that they may claim in the same move. Read and cancelled studies are never given.
 */
export function mayReadNext(actor: Actor, study: LeaseStudyState & { studyViewerStatus?: string }): boolean {
  if (study.studyViewerStatus !== 'incomplete') return false;
  if (!mayTakeLease(actor, study).allowed) return false;
  return (
    actor.userId !== null &&
    mayChange(actor, study, { assignedTo: actor.userId, studyViewerStatus: 'complete' }).allowed
  );
}

function isStudyField(field: string): field is StudyField {
  return Object.hasOwn(RADIOLOGIST_RULES, field);
}

function assigneeOf(study: StudyState): string | null {
  return study.assignedTo?.userId ?? null;
}

/** A radiologist may assign to themselves a study nobody has (or that is already theirs). */
function claimRefusal(actor: Actor, study: StudyState, assignTo: unknown): string | undefined {
  if (actor.userId === null) return 'Your account has no Avara user, so no study can be assigned to you.';
  if (assignTo === null) return 'Only a coordinator may unassign a study.';
  if (assignTo !== actor.userId) return 'Only a coordinator may assign a study to someone else.';
  const assignee = assigneeOf(study);
  if (assignee !== null && assignee !== actor.userId) return 'This study is assigned to someone else.';
  return undefined;
}

/** The study must be the radiologist's once the change is made: theirs already, or claimed by it. */
function ownerRefusal(actor: Actor, study: StudyState, changes: StudyChanges, what: string): string | undefined {
  const assignee = assigneeOf(study);
  if (actor.userId !== null && assignee === actor.userId) return undefined;
  if (actor.userId === null) return `Your account has no Avara user, so you may not ${what}.`;
  if (assignee !== null) return `This study is assigned to someone else: only they may ${what}.`;
  if ('assignedTo' in changes && claimRefusal(actor, study, changes.assignedTo) === undefined) return undefined;
  return `Assign this study to yourself to ${what}.`;
}

/** The PACS's keys must stay exactly as they are: same keys present, same values. */
function pacsKeysRefusal(current: StudyState['metadata'], next: unknown): string | undefined {
  const before = current ?? {};
  const after = isRecord(next) ? next : {};
  const changed = PACS_METADATA_KEYS.filter(
    (key) =>
      Object.hasOwn(before, key) !== Object.hasOwn(after, key) ||
      (Object.hasOwn(before, key) && before[key] !== after[key]),
  );
  if (changed.length === 0) return undefined;
  return `${changed.join(', ')} ${changed.length === 1 ? 'is' : 'are'} written by the PACS: only a coordinator may add, change or remove ${changed.length === 1 ? 'it' : 'them'}.`;
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
