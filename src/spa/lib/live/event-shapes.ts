import { isStudy } from '../../../contract/answer-shapes.ts';
import { WORKLIST_EVENT_TYPES } from '../../../contract/worklist-events.ts';
import type { EventPerson, ReadingLease, WorklistEvent, WorklistEventType } from '../../../contract/worklist-events.ts';

/*
 * Shape checks of the events' data (src/contract/worklist-events.ts): what a reader relies on, not
 * the full schema. An event that fails its check is dropped, never handed out.
 */

type Fields = Record<string, unknown>;

const isFields = (value: unknown): value is Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isText = (value: unknown): value is string => typeof value === 'string';

function isPerson(value: unknown): value is EventPerson {
  return (
    isFields(value) && (value.userId === null || isText(value.userId)) && isText(value.email) && isText(value.name)
  );
}

function isLease(value: unknown): value is ReadingLease {
  return (
    isFields(value) && isText(value.studyId) && isPerson(value.holder) && isText(value.since) && isText(value.expiresAt)
  );
}

const CHECKS: { [T in WorklistEventType]: (data: Fields) => boolean } = {
  'study.created': (data) =>
    isStudy(data.study) && (data.origin === 'worklist' || data.origin === 'pacs' || data.origin === 'watcher'),
  'study.changed': (data) =>
    isStudy(data.study) &&
    (data.origin === 'worklist' || data.origin === 'watcher') &&
    (data.by === undefined || isPerson(data.by)),
  'lease.taken': (data) => isLease(data.lease) && (data.tookOverFrom === undefined || isPerson(data.tookOverFrom)),
  'lease.released': (data) =>
    isText(data.studyId) &&
    isPerson(data.holder) &&
    (data.reason === 'released' || data.reason === 'broken' || data.reason === 'read' || data.reason === 'signed-out'),
  'presence.changed': (data) => isText(data.studyId) && Array.isArray(data.viewers) && data.viewers.every(isPerson),
  'report.delivered': (data) =>
    isText(data.studyId) && isText(data.reportId) && typeof data.isCritical === 'boolean' && isText(data.deliveredAt),
  'critical.acknowledged': (data) =>
    isText(data.studyId) &&
    isText(data.reportId) &&
    isFields(data.acknowledgement) &&
    isPerson(data.acknowledgement.by) &&
    isText(data.acknowledgement.at),
  resync: (data) => isText(data.reason),
  'stream.status': (data) => data.status === 'ok' || data.status === 'degraded',
};

export function isWorklistEventType(value: string): value is WorklistEventType {
  return (WORKLIST_EVENT_TYPES as readonly string[]).includes(value);
}

/**
 * One SSE message as a worklist event, or null when its type is unknown, its data is not JSON or
 * not of its type's shape. `id` is the message's own id, or the last one seen for messages without.
 */
export function toWorklistEvent(type: string, dataText: string, id: string): WorklistEvent | null {
  if (!isWorklistEventType(type)) return null;
  let data: unknown;
  try {
    data = JSON.parse(dataText);
  } catch {
    return null;
  }
  if (!isFields(data) || !CHECKS[type](data)) return null;
  // The check above is the type's guard, split per type so the table stays one line each.
  return { id, type, data } as WorklistEvent;
}
