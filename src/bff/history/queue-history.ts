/**
 * The queue history: for every study the product sees, when it appeared, when it was assigned (to
 * whom), when reading started (the first reading lease), when it was marked read (by whom) or
 * cancelled. It feeds the coordinator's dashboard (turnaround, compliance, load) and is never the
 * system of record (Avara is): it says what this deployment has seen. Two stores behind one
 * interface, SQLite under DATA_DIR and Redis (REDIS_URL, shared by every instance), tested by one
 * suite; every observation is merged idempotently, so instances that each hear the same event, or a
 * change announced twice (by the worklist and by the queue watcher), record it once.
 * See docs/decisions/030.
 */
import type { Severity } from '../../contract/avara-types.ts';

/** HISTORY_RETENTION_DAYS by default: a quarter of a year of figures. */
export const DEFAULT_HISTORY_RETENTION_DAYS = 90;

/** What the history keeps of one study. Times are epoch milliseconds. */
export interface HistoryEntry {
  studyId: string;
  severity: Severity;
  /** When it appeared on the worklist: Avara's `createdAt`, else when it was first seen. */
  appearedAt: number;
  assigneeId: string | null;
  /** When the current assignee was given the study (null while unassigned). */
  assignedAt: number | null;
  /** When reading started: the first reading lease taken on it. */
  readingStartedAt: number | null;
  readingBy: string | null;
  /** When it was marked read (null while unread, and again after it was marked unread). */
  readAt: number | null;
  /** Who marked it read through the worklist, else its assignee at the time. */
  readBy: string | null;
  cancelledAt: number | null;
  /** The study version (Avara's `updatedAt`) this entry took its state from: older news changes nothing. */
  version: number;
  /** The latest time above: what retention counts from. */
  lastChangeAt: number;
}

/** A study's entry before anything has happened to it: not assigned, read, or cancelled. */
export function newHistoryEntry(
  fields: Pick<HistoryEntry, 'studyId' | 'severity' | 'appearedAt' | 'version' | 'lastChangeAt'>,
): HistoryEntry {
  return {
    ...fields,
    assigneeId: null,
    assignedAt: null,
    readingStartedAt: null,
    readingBy: null,
    readAt: null,
    readBy: null,
    cancelledAt: null,
  };
}

/** One thing seen about a study. */
export type HistoryObservation =
  /** The study as an event carried it; `by` is who made the change through the worklist. */
  | { kind: 'study'; study: ObservedStudy; by: string | null; seenAt: number }
  /** A reading lease was taken. */
  | { kind: 'reading'; studyId: string; holderId: string | null; since: number };

/** The fields of a study the history reads. */
export interface ObservedStudy {
  studyId: string;
  severity: Severity;
  createdAt: string | null;
  updatedAt: string | null;
  assigneeId: string | null;
  complete: boolean;
  isCancelled: boolean;
  cancelledAt: string | null;
}

export interface QueueHistory {
  readonly kind: 'sqlite' | 'redis';
  /** Merges the observations into the entries (mergeObservation), each atomically. */
  record(observations: readonly HistoryObservation[]): Promise<void>;
  /** One study's entry, or undefined. */
  entry(studyId: string): Promise<HistoryEntry | undefined>;
  /** Every entry that changed at or after `since`, and every entry still open (neither read nor cancelled). */
  entriesSince(since: number): Promise<HistoryEntry[]>;
  /** Entries marked read in [from, to), oldest reading first. */
  readBetween(from: number, to: number): Promise<HistoryEntry[]>;
  /** Forgets entries whose last change is before `before`: how many. */
  prune(before: number): Promise<number>;
  /** How many entries there are, and the oldest appearance among them (null when empty). */
  extent(): Promise<{ studies: number; oldestAppearedAt: number | null }>;
  close(): Promise<void>;
}

function timeOf(iso: string | null): number | null {
  if (!iso) return null;
  const at = Date.parse(iso);
  return Number.isNaN(at) ? null : at;
}

/**
 * The entry after an observation, or undefined when it changes nothing (the same news again, older
 * news, or a lease on a study not seen yet). Pure; the same observation twice gives the same entry,
 * so applying it on several instances, in any interleaving with newer ones, ends the same.
 */
export function mergeObservation(
  entry: HistoryEntry | undefined,
  observation: HistoryObservation,
): HistoryEntry | undefined {
  const next = observation.kind === 'study' ? mergeStudy(entry, observation) : mergeReading(entry, observation);
  if (!next) return undefined;
  next.lastChangeAt = Math.max(
    next.appearedAt,
    next.assignedAt ?? 0,
    next.readingStartedAt ?? 0,
    next.readAt ?? 0,
    next.cancelledAt ?? 0,
    next.version,
  );
  return entry && sameEntry(entry, next) ? undefined : next;
}

function mergeStudy(
  entry: HistoryEntry | undefined,
  observation: Extract<HistoryObservation, { kind: 'study' }>,
): HistoryEntry | undefined {
  const { study, by, seenAt } = observation;
  const version = timeOf(study.updatedAt) ?? seenAt;
  if (entry && version < entry.version) return earlierNews(entry, study, version);
  const base: HistoryEntry = entry
    ? { ...entry }
    : newHistoryEntry({
        studyId: study.studyId,
        severity: study.severity,
        appearedAt: timeOf(study.createdAt) ?? seenAt,
        version,
        lastChangeAt: 0,
      });
  base.severity = study.severity;
  const created = timeOf(study.createdAt);
  if (created !== null) base.appearedAt = created;
  if (study.assigneeId !== base.assigneeId || (study.assigneeId !== null && base.assignedAt === null)) {
    base.assigneeId = study.assigneeId;
    base.assignedAt = study.assigneeId === null ? null : version;
  }
  if (study.complete && base.readAt === null) {
    base.readAt = version;
    base.readBy = by ?? study.assigneeId;
  } else if (!study.complete) {
    base.readAt = null;
    base.readBy = null;
  }
  base.cancelledAt = study.isCancelled ? (base.cancelledAt ?? timeOf(study.cancelledAt) ?? version) : null;
  base.version = version;
  return base;
}

/**
 * Older news heard late (instances hear events in different orders): it moves a first time earlier
 * when it agrees with the entry (the same assignee, already read), so every order of the same
 * events ends with the same entry; anything else it says is out of date.
 */
function earlierNews(entry: HistoryEntry, study: ObservedStudy, version: number): HistoryEntry | undefined {
  const next = { ...entry };
  if (
    study.assigneeId !== null &&
    study.assigneeId === entry.assigneeId &&
    entry.assignedAt !== null &&
    version < entry.assignedAt
  )
    next.assignedAt = version;
  if (study.complete && entry.readAt !== null && version < entry.readAt) next.readAt = version;
  return next.assignedAt === entry.assignedAt && next.readAt === entry.readAt ? undefined : next;
}

function mergeReading(
  entry: HistoryEntry | undefined,
  observation: Extract<HistoryObservation, { kind: 'reading' }>,
): HistoryEntry | undefined {
  // Reading started once: the first lease. A lease on a study never seen has nothing to attach to.
  if (!entry || (entry.readingStartedAt !== null && entry.readingStartedAt <= observation.since)) return undefined;
  return { ...entry, readingStartedAt: observation.since, readingBy: observation.holderId };
}

function sameEntry(a: HistoryEntry, b: HistoryEntry): boolean {
  return (Object.keys(a) as Array<keyof HistoryEntry>).every((key) => a[key] === b[key]);
}

/** An entry as stored (JSON), read back; undefined when it is not what this code writes. */
export function parseEntry(value: unknown): HistoryEntry | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const raw: Record<string, unknown> = { ...value };
  const time = (key: string) => (typeof raw[key] === 'number' && Number.isFinite(raw[key]) ? raw[key] : null);
  const id = (key: string) => (typeof raw[key] === 'string' ? raw[key] : null);
  const { studyId, severity } = raw;
  const appearedAt = time('appearedAt');
  const version = time('version');
  const lastChangeAt = time('lastChangeAt');
  if (
    typeof studyId !== 'string' ||
    (severity !== 'stat' && severity !== 'high' && severity !== 'normal') ||
    appearedAt === null ||
    version === null ||
    lastChangeAt === null
  ) {
    return undefined;
  }
  return {
    studyId,
    severity,
    appearedAt,
    assigneeId: id('assigneeId'),
    assignedAt: time('assignedAt'),
    readingStartedAt: time('readingStartedAt'),
    readingBy: id('readingBy'),
    readAt: time('readAt'),
    readBy: id('readBy'),
    cancelledAt: time('cancelledAt'),
    version,
    lastChangeAt,
  };
}

/** Open: neither read nor cancelled. */
export function isOpen(entry: Pick<HistoryEntry, 'readAt' | 'cancelledAt'>): boolean {
  return entry.readAt === null && entry.cancelledAt === null;
}
