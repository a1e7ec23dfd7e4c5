import { createHash, hash } from 'node:crypto';
import { setImmediate } from 'node:timers/promises';
import { SEVERITIES, type Severity, type Study } from '../../contract/avara-types.ts';
import { DEFAULT_SLA_TARGETS, isOverdue, minutesSince, type SlaTargets } from '../../contract/sla.ts';
import type { SeverityCounts, UnreadCount, WorklistCounts } from '../../contract/worklist-api.ts';
import type { JsonObject, JsonValue } from '../shared-state/shared-state.ts';

/** What the queue watcher keeps of a study in the active queue: enough to tell a change and to count. */
export interface StudySummary {
  /**
   * A hash of the study's JSON exactly as Avara answered it (key order and all): a walk that gets
   * the same text again knows the study is unchanged without working out its fingerprint. It is
   * what the snapshot stores, so a new leader (and the baseline) hashes each study once and never
   * fingerprints an unchanged one.
   */
  answerHash: string;
  severity: Severity;
  assigneeId: string | null;
  createdAt: string | null;
  /** `createdAt` parsed once (epoch ms), for counting overdue studies without parsing 100,000 dates a walk; null when missing or unreadable. */
  createdAtMs: number | null;
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
  return summaryOf(answerHashOf(study), study.severity, study.assignedTo?.userId ?? null, study.createdAt);
}

/**
 * `summarize`, reusing `before` when the study is answered exactly as last time: most of a large
 * queue is unchanged from one walk to the next.
 */
export function summarizeAgain(study: Study, before: StudySummary | undefined): StudySummary {
  const answerHash = answerHashOf(study);
  if (before?.answerHash === answerHash) return before;
  return summaryOf(answerHash, study.severity, study.assignedTo?.userId ?? null, study.createdAt);
}

/**
 * 64 bits (11 characters of base64) of SHA-256 over the study's JSON as answered: the cheap test of
 * "answered exactly as before". The same study in another key order has another hash (a walk then
 * announces it once as changed); only a fingerprint (fingerprintOf) ignores the key order.
 */
export function answerHashOf(study: unknown): string {
  return hash('sha256', JSON.stringify(study) ?? 'null', 'base64').slice(0, 11);
}

function summaryOf(
  answerHash: string,
  severity: Severity,
  assigneeId: string | null,
  createdAt: string | null,
): StudySummary {
  const parsed = createdAt === null ? Number.NaN : Date.parse(createdAt);
  return { answerHash, severity, assigneeId, createdAt, createdAtMs: Number.isNaN(parsed) ? null : parsed };
}

/**
 * 64 bits of SHA-256 over the study's JSON with its keys sorted: the same study answered by the
 * list, a retrieve or an event (whatever the key order) has the same fingerprint. A walk works it
 * out only for a study whose answer changed, to compare it with what the product published.
 */
export function fingerprintOf(study: unknown): string {
  return createHash('sha256').update(canonicalJson(study)).digest('hex').slice(0, 16);
}

/**
 * JSON with every object's keys in code-unit order and undefined members left out (as in an array
 * JSON.stringify writes them as null). Written as plain loops: the array helpers' garbage made this a
 * third of the leader's CPU when every walk fingerprinted every study of the queue.
 */
function canonicalJson(value: unknown): string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let index = 0; index < value.length; index += 1) out += (index === 0 ? '' : ',') + canonicalJson(value[index]);
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const inner = record[key];
    if (inner === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(key)}:${canonicalJson(inner)}`;
    first = false;
  }
  return `${out}}`;
}

export function emptyCounts(): SeverityCounts {
  return { stat: 0, high: 0, normal: 0 };
}

/** Counts the queue at `now`: per severity, overdue against the SLA targets, unassigned, and per assignee. */
export function countQueue(
  summaries: Iterable<StudySummary>,
  now: number,
  targets: Readonly<SlaTargets> = DEFAULT_SLA_TARGETS,
): QueueCounts {
  const counts: QueueCounts = {
    bySeverity: emptyCounts(),
    overdue: emptyCounts(),
    unassigned: emptyCounts(),
    byAssignee: {},
    asOf: new Date(now).toISOString(),
  };
  for (const study of summaries) {
    counts.bySeverity[study.severity] += 1;
    if (study.createdAtMs !== null && isOverdue(minutesSince(study.createdAtMs, now), study.severity, targets))
      counts.overdue[study.severity] += 1;
    if (study.assigneeId === null) counts.unassigned[study.severity] += 1;
    else (counts.byAssignee[study.assigneeId] ??= emptyCounts())[study.severity] += 1;
  }
  return counts;
}

/** The answer of GET /api/worklist/counts; `cut` names the severities a capped walk did not finish. */
export function worklistCounts(counts: QueueCounts, cut: ReadonlySet<Severity> = new Set()): WorklistCounts {
  const unread = (severity: Severity): UnreadCount => ({
    count: counts.bySeverity[severity],
    capped: cut.has(severity),
  });
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
  return {
    bySeverity: parsedBySeverity,
    overdue: parsedOverdue,
    unassigned: parsedUnassigned,
    byAssignee: assignees,
    asOf,
  };
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
// studies rewrites a few small records, not one the size of the queue. 256 of them keep a bucket of
// a 100,000-study queue near 40 KB: with 32, each change of a walk meant rewriting a third of a
// megabyte, and the leader's requests waited behind those writes.

export const SNAPSHOT_BUCKETS = 256;

export function bucketOf(studyId: string): number {
  let hash = 0;
  for (let index = 0; index < studyId.length; index++) hash = (Math.imul(hash, 31) + studyId.charCodeAt(index)) >>> 0;
  return hash % SNAPSHOT_BUCKETS;
}

/** How many studies a pass over the whole snapshot handles between two turns of the event loop. */
const STUDIES_PER_TURN = 2_000;

/**
 * Buckets as record values, `{studies: {studyId: [answerHash, severity, assigneeId, createdAt]}}`,
 * in one pass over the snapshot that lets the event loop run every few thousand studies: with
 * 100,000 studies in the queue, one uninterrupted pass held every request on the leader for a
 * noticeable time.
 */
export async function encodeBuckets(
  snapshot: QueueSnapshot,
  buckets: ReadonlySet<number>,
): Promise<Map<number, JsonObject>> {
  const encoded = new Map<number, JsonObject>();
  for (const bucket of buckets) encoded.set(bucket, {});
  let handled = 0;
  for (const [studyId, summary] of snapshot) {
    handled += 1;
    if (turnDue(handled)) await nextTurn();
    const studies = encoded.get(bucketOf(studyId));
    if (studies) studies[studyId] = [summary.answerHash, summary.severity, summary.assigneeId, summary.createdAt];
  }
  return new Map([...encoded].map(([bucket, studies]) => [bucket, { studies }]));
}

/** Lets timers and I/O run before going on; every long pass over the queue awaits it every few thousand studies. */
export async function nextTurn(): Promise<void> {
  await setImmediate();
}

/** True every `STUDIES_PER_TURN`th call of a pass: the caller then awaits `nextTurn()`. */
export function turnDue(handled: number): boolean {
  return handled % STUDIES_PER_TURN === 0;
}

/** Adds a stored bucket's studies to `snapshot`; entries not in the shape this code writes are skipped. */
export function decodeBucket(value: JsonObject, snapshot: QueueSnapshot): void {
  const { studies } = value;
  if (!isObject(studies)) return;
  for (const [studyId, entry] of Object.entries(studies)) {
    if (!Array.isArray(entry)) continue;
    const [answerHash, severity, assigneeId, createdAt] = entry;
    if (typeof answerHash !== 'string' || !isSeverity(severity)) continue;
    if (assigneeId !== null && typeof assigneeId !== 'string') continue;
    if (createdAt !== null && typeof createdAt !== 'string') continue;
    snapshot.set(studyId, summaryOf(answerHash, severity, assigneeId ?? null, createdAt ?? null));
  }
}

function isSeverity(value: JsonValue | undefined): value is Severity {
  return value === 'stat' || value === 'high' || value === 'normal';
}
