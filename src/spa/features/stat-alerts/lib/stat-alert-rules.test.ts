import { describe, expect, it } from 'vitest';
import type { Study } from '../../../../contract/avara-types.ts';
import type { EventPerson, WorklistEvent } from '../../../../contract/worklist-events.ts';
import { COLLEAGUE, ME, statStudy } from '../../../testing/study-factory.ts';
import { statAlertFor, titleWithCount } from './stat-alert-rules.ts';

const me = ME;
const colleague = COLLEAGUE;

const studyOf = statStudy;

const everything = { me, matchesView: () => true };
const created = (study: Study): WorklistEvent => ({ id: '1', type: 'study.created', data: { study, origin: 'pacs' } });
const changed = (study: Study, by?: EventPerson): WorklistEvent => ({
  id: '2',
  type: 'study.changed',
  data: { study, origin: 'worklist', ...(by ? { by } : {}) },
});

describe('statAlertFor', () => {
  it('alerts on a new STAT study under the filters', () => {
    expect(statAlertFor(created(studyOf()), undefined, everything)?.studyId).toBe('stu_1');
  });

  it('alerts on a study raised to STAT by someone else', () => {
    expect(statAlertFor(changed(studyOf(), colleague), 'high', everything)?.studyId).toBe('stu_1');
  });

  it('does not alert on the person’s own change', () => {
    expect(statAlertFor(changed(studyOf(), { ...me, name: 'Me, MD' }), 'normal', everything)).toBeNull();
    // Without a user ID, the email says who it was.
    expect(
      statAlertFor(changed(studyOf(), { userId: null, email: 'ME@example.org', name: 'Me' }), 'normal', everything),
    ).toBeNull();
  });

  it('does not alert on a study the filters would not list', () => {
    expect(statAlertFor(created(studyOf()), undefined, { me, matchesView: () => false })).toBeNull();
    expect(
      statAlertFor(changed(studyOf(), colleague), 'high', { me, matchesView: (study) => study.assignedTo !== null }),
    ).toBeNull();
  });

  it('does not alert on a STAT that stays STAT, one of unknown past, or one that is not an unread, active STAT', () => {
    expect(statAlertFor(changed(studyOf(), colleague), 'stat', everything)).toBeNull();
    expect(statAlertFor(changed(studyOf(), colleague), undefined, everything)).toBeNull();
    expect(statAlertFor(created(studyOf({ severity: 'high' })), undefined, everything)).toBeNull();
    expect(statAlertFor(created(studyOf({ isCancelled: true })), undefined, everything)).toBeNull();
    expect(statAlertFor(changed(studyOf({ studyViewerStatus: 'complete' }), colleague), 'high', everything)).toBeNull();
    expect(statAlertFor({ id: '3', type: 'resync', data: { reason: 'gap' } }, undefined, everything)).toBeNull();
  });
});

describe('titleWithCount', () => {
  it('puts the count in front, replaces an old one, and leaves the plain title at zero', () => {
    expect(titleWithCount('Radiology Worklist', 2)).toBe('(2) Radiology Worklist');
    expect(titleWithCount('(2) Radiology Worklist', 3)).toBe('(3) Radiology Worklist');
    expect(titleWithCount('(3) Radiology Worklist', 0)).toBe('Radiology Worklist');
  });
});
