import { describe, expect, it } from 'vitest';
import { DEFAULT_SLA_TARGETS, isOverdue, minutesWaiting } from './sla.ts';

describe('the SLA rule', () => {
  const now = Date.parse('2026-03-10T12:00:00Z');

  it('counts whole minutes waited, never below zero, and nothing for a missing time', () => {
    expect(minutesWaiting('2026-03-10T11:00:30Z', now)).toBe(59);
    expect(minutesWaiting('2026-03-10T12:05:00Z', now)).toBe(0);
    expect(minutesWaiting(null, now)).toBeNull();
    expect(minutesWaiting('soon', now)).toBeNull();
  });

  it('is overdue from the target on: STAT 1 h, high 4 h, normal 24 h', () => {
    expect(DEFAULT_SLA_TARGETS).toEqual({ stat: 60, high: 240, normal: 1440 });
    expect(isOverdue(59, 'stat')).toBe(false);
    expect(isOverdue(60, 'stat')).toBe(true);
    expect(isOverdue(239, 'high')).toBe(false);
    expect(isOverdue(1440, 'normal')).toBe(true);
    expect(isOverdue(30, 'stat', { stat: 20, high: 60, normal: 120 })).toBe(true);
  });
});
