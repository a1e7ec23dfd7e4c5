import { describe, expect, it } from 'vitest';
import { compareEventIds, formatEventId, newHistoryId, parseEventId } from './event-ids.ts';

describe('event ids', () => {
  it('order by milliseconds, then by sequence, within one history', () => {
    expect(compareEventIds('0a1b:1000-0', '0a1b:1000-1')).toBeLessThan(0);
    expect(compareEventIds('0a1b:999-5', '0a1b:1000-0')).toBeLessThan(0);
    expect(compareEventIds('0a1b:1000-10', '0a1b:1000-9')).toBeGreaterThan(0); // numbers, not text
    expect(compareEventIds('0a1b:1000-2', '0a1b:1000-2')).toBe(0);
  });

  it('have no order across histories, nor when malformed', () => {
    expect(() => compareEventIds('0a1b:1000-0', 'ffff:1000-1')).toThrow(TypeError);
    expect(() => compareEventIds('1000-0', '0a1b:1000-1')).toThrow(TypeError);
  });

  it('parse only what they format', () => {
    const history = newHistoryId();
    expect(history).toMatch(/^[0-9a-f]{10}$/);
    expect(parseEventId(formatEventId(history, '1796112189589-17'))).toEqual({ history, ms: 1796112189589, seq: 17 });
    for (const bad of ['', '1-0', 'XYZ:1-0', 'ab:1-', 'ab:-1', 'ab:1-0\nid: 2', 'ab:1.5-0', `ab:${'9'.repeat(16)}-0`]) {
      expect(parseEventId(bad)).toBeUndefined();
    }
  });
});
