import { describe, expect, it } from 'vitest';
import { formatDuration, waitingSince } from './sla.ts';

const now = new Date('2026-03-10T12:00:00Z');

describe('waitingSince', () => {
  it('measures against the target of the severity', () => {
    expect(waitingSince('2026-03-10T11:30:00Z', 'stat', now)).toEqual({ minutes: 30, state: 'ok', targetMinutes: 60 });
    expect(waitingSince('2026-03-10T11:10:00Z', 'stat', now)?.state).toBe('due-soon');
    expect(waitingSince('2026-03-10T10:59:00Z', 'stat', now)?.state).toBe('overdue');
    expect(waitingSince('2026-03-10T10:59:00Z', 'high', now)?.state).toBe('ok');
    expect(waitingSince('2026-03-09T11:00:00Z', 'normal', now)?.state).toBe('overdue');
  });

  it('takes other targets and ignores missing or bad times', () => {
    expect(waitingSince('2026-03-10T11:30:00Z', 'stat', now, { stat: 20, high: 60, normal: 120 })?.state).toBe(
      'overdue',
    );
    expect(waitingSince(null, 'stat', now)).toBeNull();
    expect(waitingSince('soon', 'stat', now)).toBeNull();
  });
});

describe('formatDuration', () => {
  it('uses two units at most', () => {
    expect(formatDuration(0)).toBe('0 m');
    expect(formatDuration(45)).toBe('45 m');
    expect(formatDuration(134)).toBe('2 h 14 m');
    expect(formatDuration(180)).toBe('3 h');
    expect(formatDuration(3 * 24 * 60 + 4 * 60 + 12)).toBe('3 d 4 h');
    expect(formatDuration(2 * 24 * 60)).toBe('2 d');
  });
});
