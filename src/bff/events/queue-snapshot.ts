import { createHash } from 'node:crypto';
import { SEVERITIES, type Severity, type Study } from '../../contract/avara-types.ts';
import { DEFAULT_SLA_TARGETS, isOverdue, minutesWaiting, type SlaTargets } from '../../contract/sla.ts';
import type { SeverityCounts, UnreadCount, WorklistCounts } from '../../contract/worklist-api.ts';
import type { JsonObject, JsonValue } from '../shared-state/shared-state.ts';

/** What the queue watcher keeps of a study in the active queue: enough to tell a change and to count. */
export interface StudySummary {
  /** Of the whole study as Avara answered it: any change to any field changes it. */
  fingerprint: string;
  severity: Severity;
  assigneeId: string | null;
  createdAt: string | null;
}

/** The active queue as one walk saw it: study ID → summary. */
export type QueueSnapshot = Map<string, StudySummary>;

/** The counts as the watcher stores them (a type alias, so it is a record value as it is). */
export type QueueCounts = {
  bySeverity: SeverityCounts;
  overdue: SeverityCounts;
  unassigned: SeverityCounts;
  byAssignee: Record<string, SeverityCounts>;
  /** When the walk they come from ended (ISO). */
  asOf: string;
};

/** In the active queue: unread and not cancelled. */
export function isActive(study: Pick<Study, 'studyViewerStatus' | 'isCancelled'>): boolean {
  return study.studyViewerStatus === 'incomplete' && !study.isCancelled;
}

export function summarize(study: Study): StudySummary {
  return { fingerprint: fingerprintOf(study), severity: study.severity, assigneeId: study.assignedTo?.userId ?? null, createdAt: study.createdAt };
}

/**
 * 64 bits of SHA-256 over the study's JSON with its keys sorted: the same study answered by the
 * list, a retrieve or an event (whatever the key order) has the same fingerprint.
 */
export function fingerprintOf(study: unknown): string {
  return createHash('sha256').update(canonicalJson(study)).digest('hex').slice(0, 16);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, inner]) => inner !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, inner]) => `${JSON.stringify(key)}:${canonicalJson(inner)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function emptyCounts(): SeverityCounts {
  return { stat: 0, high: 0, normal: 0 };
}

/** Counts the queue at `now`: per severity, overdue against the SLA targets, unassigned, and per assignee. */
export function countQueue(summaries: Iterable<StudySummary>, now: number, targets: Readonly<SlaTargets> = DEFAULT_SLA_TARGETS): QueueCounts {
  const counts: QueueCounts = { bySeverity: emptyCounts(), overdue: emptyCounts(), unassigned: emptyCounts(), byAssignee: {}, asOf: new Date(now).toISOString() };
  for (const study of summaries) {
    counts.bySeverity[study.severity] += 1;
    const minutes = minutesWaiting(study.createdAt, now);
    if (minutes !== null && isOverdue(minutes, study.severity, targets)) counts.overdue[study.severity] += 1;
    if (study.assigneeId === null) counts.unassigned[study.severity] += 1;
    else (counts.byAssignee[study.assigneeId] ??= emptyCounts())[study.severity] += 1;
  }
  return counts;
}

/** The answer of GET /api/worklist/counts; `cut` names the severities a capped walk did not finish. */
export function worklistCounts(counts: QueueCounts, cut: ReadonlySet<Severity> = new Set()): WorklistCounts {
  const unread = (severity: Severity): UnreadCount => ({ count: counts.bySeverity[severity], capped: cut.has(severity) });
  return {
    unread: { stat: unread('stat'), high: unread('high') },
    bySeverity: counts.bySeverity,
    overdue: counts.overdue,
    unassigned: counts.unassigned,
    byAssignee: counts.byAssignee,
    asOf: counts.asOf,
    capped: cut.size > 0,
  };
}

/** Counts read back from the shared state; undefined when they are not what this code writes. */
export function parseQueueCounts(value: JsonObject): QueueCounts | undefined {
  const { bySeverity, overdue, unassigned, byAssignee, asOf } = value;
  if (typeof asOf !== 'string' || !isObject(byAssignee)) return undefined;
  const severityCounts = [bySeverity, overdue, unassigned].map(parseSeverityCounts);
  const [parsedBySeverity, parsedOverdue, parsedUnassigned] = severityCounts;
  if (!parsedBySeverity || !parsedOverdue || !parsedUnassigned) return undefined;
  const assignees: Record<string, SeverityCounts> = {};
  for (const [userId, inner] of Object.entries(byAssignee)) {
    const parsed = parseSeverityCounts(inner);
    if (!parsed) return undefined;
    assignees[userId] = parsed;
  }
  return { bySeverity: parsedBySeverity, overdue: parsedOverdue, unassigned: parsedUnassigned, byAssignee: assignees, asOf };
}

function parseSeverityCounts(value: JsonValue | undefined): SeverityCounts | undefined {
  if (!isObject(value)) return undefined;
  const counts = emptyCounts();
  for (const severity of SEVERITIES) {
    const count = value[severity];
    if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0) return undefined;
    counts[severity] = count;
  }
  return counts;
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------------------------------------------
// The snapshot in the shared state: split into buckets by study ID, so a walk that changed a few
// studies rewrites a few small records, not one the size of the queue.

export const SNAPSHOT_BUCKETS = 32;

export function bucketOf(studyId: string): number {
  let hash = 0;
  for (let index = 0; index < studyId.length; index++) hash = (Math.imul(hash, 31) + studyId.charCodeAt(index)) >>> 0;
  return hash % SNAPSHOT_BUCKETS;
}

/** Buckets as record values, `{studies: {studyId: [fingerprint, severity, assigneeId, createdAt]}}`, in one pass over the snapshot. */
export function encodeBuckets(snapshot: QueueSnapshot, buckets: ReadonlySet<number>): Map<number, JsonObject> {
  const encoded = new Map<number, JsonObject>();
  for (const bucket of buckets) encoded.set(bucket, {});
  for (const [studyId, summary] of snapshot) {
    const studies = encoded.get(bucketOf(studyId));
    if (studies) studies[studyId] = [summary.fingerprint, summary.severity, summary.assigneeId, summary.createdAt];
  }
  return new Map([...encoded].map(([bucket, studies]) => [bucket, { studies }]));
}

/** Adds a stored bucket's studies to `snapshot`; entries not in the shape this code writes are skipped. */
export function decodeBucket(value: JsonObject, snapshot: QueueSnapshot): void {
  const { studies } = value;
  if (!isObject(studies)) return;
  for (const [studyId, entry] of Object.entries(studies)) {
    if (!Array.isArray(entry)) continue;
    const [fingerprint, severity, assigneeId, createdAt] = entry;
    if (typeof fingerprint !== 'string' || !isSeverity(severity)) continue;
    if (assigneeId !== null && typeof assigneeId !== 'string') continue;
    if (createdAt !== null && typeof createdAt !== 'string') continue;
    snapshot.set(studyId, { fingerprint, severity, assigneeId: assigneeId ?? null, createdAt: createdAt ?? null });
  }
}

function isSeverity(value: JsonValue | undefined): value is Severity {
  return value === 'stat' || value === 'high' || value === 'normal';
}
