import { describe, expect, it } from 'vitest';
import {
  forgetArrival,
  isMarkedNew,
  markSeen,
  NEW_MARK_MS,
  NO_ARRIVALS,
  pruneArrivals,
  recordArrival,
  unseenIn,
} from './arrivals.ts';

describe('arrivals', () => {
  const at = 1_000_000;

  it('counts arrivals per group until they are seen, oldest first', () => {
    let arrivals = recordArrival(NO_ARRIVALS, { studyId: 'b', severity: 'stat', at: at + 1, where: 'beyond' });
    arrivals = recordArrival(arrivals, { studyId: 'a', severity: 'stat', at, where: 'loaded' });
    arrivals = recordArrival(arrivals, { studyId: 'c', severity: 'high', at, where: 'loaded' });
    expect(unseenIn(arrivals, 'stat').map((arrival) => arrival.studyId)).toEqual(['a', 'b']);
    arrivals = markSeen(arrivals, ['a', 'zzz']);
    expect(unseenIn(arrivals, 'stat').map((arrival) => arrival.studyId)).toEqual(['b']);
    expect(unseenIn(arrivals, 'high')).toHaveLength(1);
    expect(markSeen(arrivals, ['a'])).toBe(arrivals);
  });

  it('keeps the new mark for a while after being seen, and for as long as it is not', () => {
    const arrivals = recordArrival(NO_ARRIVALS, { studyId: 'a', severity: 'stat', at, where: 'loaded' });
    expect(isMarkedNew(arrivals.get('a'), at + NEW_MARK_MS * 10)).toBe(true);
    const seen = markSeen(arrivals, ['a']);
    expect(isMarkedNew(seen.get('a'), at + NEW_MARK_MS - 1)).toBe(true);
    expect(isMarkedNew(seen.get('a'), at + NEW_MARK_MS)).toBe(false);
    expect(pruneArrivals(seen, at + NEW_MARK_MS).size).toBe(0);
    expect(pruneArrivals(arrivals, at + NEW_MARK_MS)).toBe(arrivals);
  });

  it('forgets an arrival that left the list', () => {
    const arrivals = recordArrival(NO_ARRIVALS, { studyId: 'a', severity: 'normal', at, where: 'beyond' });
    expect(forgetArrival(arrivals, 'a').size).toBe(0);
    expect(forgetArrival(arrivals, 'x')).toBe(arrivals);
  });
});
