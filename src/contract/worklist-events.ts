/**
 * The events of `GET /api/events` (Server-Sent Events), shared by the BFF that sends them and the
 * SPA that follows them. Each SSE message has `id` (for `Last-Event-ID`), `event` (one of the types
 * below) and `data` (JSON). docs/api.md describes the stream.
 */
import type { Study } from './avara-types.ts';
import type { components } from './worklist-api.gen.ts';

/** Someone, as events name them: enough to say "Dr X" without a roster lookup. */
export type EventPerson = components['schemas']['EventPerson'];

/** A reading lease: "being read by X since T" (ISO times), until it expires without a heartbeat. */
export type ReadingLease = components['schemas']['ReadingLease'];

export interface WorklistEventData {
  /** A study appeared: created through the BFF (`by` whom), arrived from the PACS, or seen by the queue watcher. */
  'study.created': { study: Study; origin: 'worklist' | 'pacs' | 'watcher'; by?: EventPerson };
  /** A study changed (any field, cancel and uncancel included): the study as it is now. */
  'study.changed': { study: Study; origin: 'worklist' | 'watcher'; by?: EventPerson };
  /** A reading lease was taken (or taken over). */
  'lease.taken': { lease: ReadingLease; tookOverFrom?: EventPerson };
  /** A reading lease ended: released, broken by a coordinator, or ended by Mark read or sign-out. */
  'lease.released': { studyId: string; holder: EventPerson; reason: 'released' | 'broken' | 'read' | 'signed-out' };
  /** Who has a study's drawer open changed: everyone who has it open now. */
  'presence.changed': { studyId: string; viewers: EventPerson[] };
  /** Avara delivered a report for a study (the report itself: GET /api/studies/{studyId}/reports). */
  'report.delivered': { studyId: string; reportId: string; isCritical: boolean; deliveredAt: string };
  /** Someone acknowledged a study's critical result: its alert ends for everyone. */
  'critical.acknowledged': { studyId: string; reportId: string; acknowledgement: { by: EventPerson; at: string } };
  /** Events were missed (the gap is older than the history kept): refetch everything. */
  resync: { reason: string };
  /** The stream's own state: `degraded` while the shared store is unreachable (changes wait), `ok` again after. */
  'stream.status': { status: 'ok' | 'degraded' };
}

export type WorklistEventType = keyof WorklistEventData;

export const WORKLIST_EVENT_TYPES: readonly WorklistEventType[] = [
  'study.created',
  'study.changed',
  'lease.taken',
  'lease.released',
  'presence.changed',
  'report.delivered',
  'critical.acknowledged',
  'resync',
  'stream.status',
];

/** One event as the SPA receives it. */
export type WorklistEvent = {
  [T in WorklistEventType]: { id: string; type: T; data: WorklistEventData[T] };
}[WorklistEventType];
