import { describe, expect, it } from 'vitest';
import { formatDateTime, formatElapsed, formatPersonName, formatRelativeTime } from './format.ts';

describe('formatPersonName', () => {
  it('prints given names, a middle initial and both suffixes', () => {
    expect(
      formatPersonName({ firstName: 'John', middleName: 'Robert', lastName: 'Smith', suffix1: 'MD', suffix2: 'FACR' }),
    ).toBe('John R. Smith, MD, FACR');
  });

  it('skips missing parts without stray separators', () => {
    expect(
      formatPersonName({ firstName: 'Ana', lastName: 'Lopez', middleName: null, suffix1: '', suffix2: 'PhD' }),
    ).toBe('Ana Lopez, PhD');
    expect(formatPersonName({ lastName: 'Okafor' })).toBe('Okafor');
    expect(formatPersonName({ firstName: 'Li', middleName: 'Q.', lastName: 'Wei' })).toBe('Li Q. Wei');
  });

  it('falls back to the e-mail, then to nothing', () => {
    expect(formatPersonName({ email: 'rad@example.org', firstName: ' ' })).toBe('rad@example.org');
    expect(formatPersonName(null)).toBe('');
    expect(formatPersonName(undefined)).toBe('');
  });
});

describe('formatRelativeTime', () => {
  const now = new Date('2026-03-10T12:00:00Z');

  it('says how long ago, in the largest sensible unit', () => {
    expect(formatRelativeTime('2026-03-10T11:59:40Z', now, 'en')).toBe('just now');
    expect(formatRelativeTime('2026-03-10T11:55:00Z', now, 'en')).toBe('5 minutes ago');
    expect(formatRelativeTime('2026-03-10T09:00:00Z', now, 'en')).toBe('3 hours ago');
    expect(formatRelativeTime('2026-03-09T12:00:00Z', now, 'en')).toBe('yesterday');
    expect(formatRelativeTime('2026-02-24T12:00:00Z', now, 'en')).toBe('2 weeks ago');
    expect(formatRelativeTime('2025-03-10T12:00:00Z', now, 'en')).toBe('last year');
  });

  it('handles the future and bad input', () => {
    expect(formatRelativeTime('2026-03-10T14:00:00Z', now, 'en')).toBe('in 2 hours');
    expect(formatRelativeTime('not a date', now, 'en')).toBe('');
    expect(formatRelativeTime(null, now, 'en')).toBe('');
  });
});

describe('formatDateTime', () => {
  it('formats a valid instant and ignores an invalid one', () => {
    expect(formatDateTime('2026-03-10T12:00:00Z')).toMatch(/2026/);
    expect(formatDateTime('nope')).toBe('');
  });
});

describe('formatElapsed', () => {
  it('counts seconds, then minutes, then hours', () => {
    expect(formatElapsed(0)).toBe('0 s ago');
    expect(formatElapsed(12_400)).toBe('12 s ago');
    expect(formatElapsed(59_999)).toBe('59 s ago');
    expect(formatElapsed(60_000)).toBe('1 min ago');
    expect(formatElapsed(59 * 60_000)).toBe('59 min ago');
    expect(formatElapsed(2 * 3_600_000 + 5)).toBe('2 h ago');
  });

  it('never counts below zero (a clock that moved back)', () => {
    expect(formatElapsed(-5_000)).toBe('0 s ago');
  });
});
