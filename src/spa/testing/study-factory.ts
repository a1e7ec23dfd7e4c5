import type { Study } from '../../contract/avara-types.ts';
import type { EventPerson } from '../../contract/worklist-events.ts';

/** A study as the BFF answers it, for SPA tests: normal, incomplete, unassigned, not cancelled; `overrides` on top. */
export function makeStudy(overrides: Partial<Study> = {}): Study {
  return {
    studyId: `stu_${'1'.repeat(32)}`,
    studyInstanceUid: '1.2.3',
    studyDescription: 'CT Head',
    severity: 'normal',
    studyViewerStatus: 'incomplete',
    isCancelled: false,
    cancelledAt: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    assignedTo: null,
    ...overrides,
  };
}

/**
 * The `id`-th study of a list: ID `stu_000…id`, UID `1.2.id`, description `CT id`, created and
 * updated `id` minutes into 2026, so a higher number is newer.
 */
export function numberedStudy(id: number, overrides: Partial<Study> = {}): Study {
  const at = new Date(Date.UTC(2026, 0, 1, 0, id)).toISOString();
  return makeStudy({
    studyId: `stu_${String(id).padStart(32, '0')}`,
    studyInstanceUid: `1.2.${id}`,
    studyDescription: `CT ${id}`,
    createdAt: at,
    updatedAt: at,
    ...overrides,
  });
}

/** A STAT study waiting to be read, as the live-event tests see it arrive (created 09:00, changed 09:05). */
export function statStudy(overrides: Partial<Study> = {}): Study {
  return makeStudy({
    studyId: 'stu_1',
    studyDescription: 'CT head',
    severity: 'stat',
    createdAt: '2026-12-01T09:00:00.000Z',
    updatedAt: '2026-12-01T09:05:00.000Z',
    ...overrides,
  });
}

/** The signed-in radiologist and a colleague, as events name them. */
export const ME: EventPerson = { userId: 'usr_me', email: 'me@example.org', name: 'Dr Me' };
export const COLLEAGUE: EventPerson = { userId: 'usr_col', email: 'col@example.org', name: 'Dr Col' };
