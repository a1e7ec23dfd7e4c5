import { afterEach, describe, expect, it } from 'vitest';
import { parseIfMatch } from '../../contract/if-match.ts';
import type { BusEvent, EventBus, EventListener } from '../shared-state/shared-state.ts';
import { createKnownVersions, type KnownVersions } from './known-versions.ts';

const STUDY_ID = `stu_${'ab'.repeat(16)}`;
const OLD = '2026-12-01T10:00:00.000Z';
const NEW = '2026-12-01T10:05:00.000Z';

interface FakeBus extends EventBus {
  hear(event: Pick<BusEvent, 'type' | 'data'>): void;
}

function fakeBus(): FakeBus {
  const listeners = new Set<EventListener>();
  let id = 0;
  return {
    async publish() {
      id += 1;
      return String(id);
    },
    async subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    async since() {
      return { resync: false, events: [], more: false };
    },
    async latestId() {
      return String(id);
    },
    hear(event) {
      id += 1;
      for (const listener of listeners)
        listener.onEvent({ ...event, id: String(id), source: 'elsewhere', publishedAt: Date.now() });
    },
  };
}

const condition = (updatedAt: string) => parseIfMatch(`"${updatedAt}"`) ?? { kind: 'any' as const };

let versions: KnownVersions | undefined;
afterEach(() => versions?.close());

describe('known study versions', () => {
  it('settles only a change made against an older version than one seen', () => {
    const bus = fakeBus();
    versions = createKnownVersions({ bus, log: console });
    const study = { studyId: STUDY_ID, updatedAt: NEW, severity: 'stat' };
    expect(versions.newerThan(STUDY_ID, condition(OLD))).toBeUndefined(); // nothing seen yet
    versions.learn(study);
    expect(versions.newerThan(STUDY_ID, condition(OLD))).toEqual(study);
    expect(versions.newerThan(STUDY_ID, condition(NEW))).toBeUndefined(); // the same version: the upstream decides
    expect(versions.newerThan(STUDY_ID, condition('2026-12-01T10:06:00.000Z'))).toBeUndefined(); // newer than seen
    expect(versions.newerThan(STUDY_ID, { kind: 'any' })).toBeUndefined();
    expect(versions.newerThan(STUDY_ID, condition('not a time'))).toBeUndefined();
    expect(versions.newerThan(`stu_${'cd'.repeat(16)}`, condition(OLD))).toBeUndefined();
    // An older answer arriving late never replaces a newer one.
    versions.learn({ studyId: STUDY_ID, updatedAt: OLD });
    expect(versions.newerThan(STUDY_ID, condition(OLD))).toEqual(study);
  });

  it('learns from study events of every instance, and ignores what is not a study', () => {
    const bus = fakeBus();
    versions = createKnownVersions({ bus, log: console });
    return Promise.resolve().then(() => {
      bus.hear({ type: 'lease.taken', data: { study: { studyId: STUDY_ID, updatedAt: NEW } } });
      bus.hear({ type: 'study.changed', data: { study: { studyId: STUDY_ID, updatedAt: 'yesterday' } } });
      expect(versions?.newerThan(STUDY_ID, condition(OLD))).toBeUndefined();
      bus.hear({ type: 'study.changed', data: { study: { studyId: STUDY_ID, updatedAt: NEW }, origin: 'watcher' } });
      expect(versions?.newerThan(STUDY_ID, condition(OLD))).toMatchObject({ updatedAt: NEW });
    });
  });

  it('tells a waiting change as soon as a newer version is known', () => {
    const bus = fakeBus();
    versions = createKnownVersions({ bus, log: console });
    const watch = versions.watch(STUDY_ID, condition(OLD));
    const same = versions.watch(STUDY_ID, condition(NEW));
    expect(watch.signal.aborted).toBe(false);
    versions.learn({ studyId: STUDY_ID, updatedAt: OLD });
    expect(watch.signal.aborted).toBe(false);
    versions.learn({ studyId: STUDY_ID, updatedAt: NEW });
    expect(watch.signal.aborted).toBe(true);
    expect(same.signal.aborted).toBe(false);
    watch.stop();
    same.stop();
    expect(versions.watch(STUDY_ID, condition(OLD)).signal.aborted).toBe(true); // already known
  });

  it('remembers a bounded number of studies, the most recently changed', () => {
    versions = createKnownVersions({ bus: fakeBus(), log: console, limit: 2 });
    const id = (n: number) => `stu_${String(n).padStart(32, '0')}`;
    for (const n of [1, 2, 3]) versions.learn({ studyId: id(n), updatedAt: NEW });
    expect(versions.newerThan(id(1), condition(OLD))).toBeUndefined();
    expect(versions.newerThan(id(2), condition(OLD))).toBeDefined();
    expect(versions.newerThan(id(3), condition(OLD))).toBeDefined();
  });
});
