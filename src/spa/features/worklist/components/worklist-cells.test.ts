import { describe, expect, it } from 'vitest';
import type { Study } from '../../../../contract/avara-types.ts';
import { makeStudy } from '../../../testing/study-factory.ts';
import { DEFAULT_SLA_TARGETS } from '../lib/sla.ts';
import { severityText, waitingText } from './worklist-cells.tsx';

const NOW = new Date('2026-12-01T12:00:00.000Z');
const context = { now: NOW, slaTargets: DEFAULT_SLA_TARGETS, search: '', viewerUserId: null };

function study(extra: Partial<Study>): Study {
  return makeStudy({
    studyId: `stu_${'0'.repeat(32)}`,
    severity: 'stat',
    // 3 d 22 h ago: far over the STAT target.
    createdAt: '2026-11-27T14:00:00.000Z',
    updatedAt: '2026-11-27T14:00:00.000Z',
    ...extra,
  });
}

describe('the Waiting cell', () => {
  it('raises the alarm for an unread study over its target', () => {
    const cell = waitingText(study({}), context);
    expect(cell.text).toBe('⚠ 3 d 22 h');
    expect(cell.pill).toContain('text-overdue-fg');
  });

  it('stops the clock when the study is read, and shows the time to read, without alarm', () => {
    const cell = waitingText(study({ studyViewerStatus: 'complete', updatedAt: '2026-11-27T14:45:00.000Z' }), context);
    expect(cell).toMatchObject({ text: '✓ 45 m', label: 'Read in 45 m' });
    expect(cell.pill).toBeUndefined();
    expect(cell.className).toBe('text-fg-muted');
  });

  it('shows no clock for a cancelled study', () => {
    expect(waitingText(study({ isCancelled: true }), context).text).toBe('—');
  });
});

describe('the alarm colour', () => {
  it('is kept for what is past its target, not for a study that is merely old', () => {
    // A normal study 20 h old is within its 24 h target: nearing it, not overdue.
    const old = waitingText(study({ severity: 'normal', createdAt: '2026-11-30T16:00:00.000Z' }), context);
    expect(old.text).toBe('◔ 20 h');
    expect(old.pill).not.toContain('overdue');
    const fresh = waitingText(study({ severity: 'high', createdAt: '2026-12-01T11:00:00.000Z' }), context);
    expect(fresh.pill).not.toContain('overdue');
  });

  it('leaves a read or cancelled study’s severity quiet: the same word, no colour that asks for attention', () => {
    expect(severityText(study({})).pill).toContain('text-stat-fg');
    for (const done of [study({ studyViewerStatus: 'complete' }), study({ isCancelled: true })]) {
      const cell = severityText(done);
      expect(cell.text).toContain('STAT');
      expect(cell.pill).toContain('text-fg-muted');
      expect(cell.pill).not.toContain('stat');
    }
  });
});
