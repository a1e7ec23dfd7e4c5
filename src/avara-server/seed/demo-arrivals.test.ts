import { afterEach, describe, expect, it } from 'vitest';
import { isStudy } from '../../contract/answer-shapes.ts';
import { SEVERITIES, type Severity, type Study } from '../../contract/avara-types.ts';
import { DEFAULT_SLA_TARGETS, isOverdue, minutesWaiting } from '../../contract/sla.ts';
import { startAvaraServer, type RunningAvaraServer } from '../create-avara-server.ts';
import { createMemoryRepository } from '../store/memory-repository.ts';
import { StudyService } from '../store/study-service.ts';
import { startDemoArrivals, type DemoArrivals } from './demo-arrivals.ts';
import { isDemoStudy, seedDemoData } from './demo-data.ts';

const API_KEY = {
  apiKeyId: '0b7c8e0e-3c1f-4d8a-9f6e-1a2b3c4d5e6f',
  description: 'Radiology Worklist (bundled)',
  isViewerEnabled: true,
};
const START = Date.parse('2026-03-01T12:00:00.000Z');
const MINUTE = 60_000;
const running: Array<DemoArrivals | RunningAvaraServer> = [];

afterEach(async () => {
  for (const item of running.splice(0)) await item.close();
});

/** A seeded store and its arrivals on a clock the test moves; the timer is far away (beats are called). */
function shift(studies = 2_500) {
  const repository = createMemoryRepository();
  let clock = START;
  seedDemoData(repository, { apiKey: API_KEY, now: new Date(START), studies });
  const service = new StudyService(repository, {
    apiKey: API_KEY,
    viewerUrl: () => 'http://viewer.test',
    now: () => new Date(clock),
  });
  const arrivals = startDemoArrivals({
    service,
    repository,
    meanIntervalMs: 3_600_000,
    seed: 'test',
    now: () => clock,
  });
  running.push(arrivals);
  return {
    service,
    arrivals,
    advance: (ms: number) => (clock += ms),
    now: () => clock,
    waiting: () => walk(service).filter((study) => study.studyViewerStatus === 'incomplete' && !study.isCancelled),
  };
}

function walk(service: StudyService): Study[] {
  const studies: Study[] = [];
  for (let cursor: string | undefined; ;) {
    const page = service.listStudies({ limit: 100, ...(cursor ? { cursor } : {}) });
    studies.push(...page.studies);
    if (!page.hasMore || !page.cursor) return studies;
    cursor = page.cursor;
  }
}

const overdueAt = (now: number) => (study: Study) =>
  isOverdue(minutesWaiting(study.createdAt, now) ?? 0, study.severity);

describe('demo arrivals', () => {
  it('bring new unassigned demo studies, mostly NORMAL and HIGH with an occasional STAT', () => {
    const { arrivals, advance, service } = shift(0);
    const arrived: Study[] = [];
    for (let i = 0; i < 400; i++) {
      advance(45_000);
      const study = arrivals.beat().arrived;
      // Stored: the API answers it as any other study.
      expect(service.retrieveStudy(study.studyId)).toEqual(study);
      arrived.push(study);
    }
    for (const study of arrived) {
      expect(isStudy(study)).toBe(true);
      expect(study.assignedTo).toBeNull();
      expect(study.studyViewerStatus).toBe('incomplete');
      expect(study.createdByApiKey?.apiKeyId).toBe(API_KEY.apiKeyId);
      expect(isDemoStudy(study.metadata)).toBe(true);
      expect(study.studyInstanceUid).toMatch(/^2\.25\.[1-9][0-9]*$/);
    }
    const count = (severity: Severity) => arrived.filter((study) => study.severity === severity).length;
    expect(count('stat')).toBeGreaterThan(5);
    expect(count('stat')).toBeLessThan(count('high'));
    expect(count('high')).toBeLessThan(count('normal'));
    expect(new Set(arrived.map((study) => study.studyDescription)).size).toBeGreaterThan(20);
    expect(new Set(arrived.map((study) => study.studyInstanceUid)).size).toBe(arrived.length);
  });

  it('keep a seeded shift about its size and mostly within target over two hours', () => {
    const { arrivals, advance, waiting, now } = shift();
    const before = waiting();
    const overdueBefore = before.filter(overdueAt(now())).length;
    const read: Study[] = [];
    for (let elapsed = 0; elapsed < 2 * 60 * MINUTE; elapsed += 45_000) {
      advance(45_000);
      read.push(...arrivals.beat().read);
    }
    const after = waiting();
    expect(read.length).toBeGreaterThan(50);
    expect(after.length).toBeGreaterThan(before.length * 0.9);
    expect(after.length).toBeLessThan(before.length * 1.1);
    // Still a few overdue, not a red screen: no more than at the start, plus the few let through.
    const overdueAfter = after.filter(overdueAt(now())).length;
    expect(overdueAfter).toBeGreaterThan(0);
    expect(overdueAfter).toBeLessThan(overdueBefore + 15);
    expect(overdueAfter / after.length).toBeLessThan(0.08);
    for (const severity of SEVERITIES) expect(after.some((study) => study.severity === severity)).toBe(true);
    // Every read study has a reader, and was the demo's own.
    for (const study of read) {
      expect(study.studyViewerStatus).toBe('complete');
      expect(study.assignedTo).not.toBeNull();
      expect(isDemoStudy(study.metadata)).toBe(true);
    }
  });

  it('read a demo study as it nears its target, never one a person created', () => {
    const { arrivals, advance, service, waiting } = shift(0);
    const demo = arrivals.beat().arrived;
    const mine = service.createStudy({
      studyInstanceUid: '1.2.3.4.5',
      studyDescription: 'CT Head',
      severity: demo.severity,
    });
    advance(DEFAULT_SLA_TARGETS[demo.severity] * 0.85 * MINUTE);
    expect(arrivals.beat().read).toEqual([]);
    advance(DEFAULT_SLA_TARGETS[demo.severity] * 0.1 * MINUTE);
    const { read } = arrivals.beat();
    const waitingIds = waiting().map((study) => study.studyId);
    expect(waitingIds).toContain(mine.studyId);
    expect(read.map((study) => study.studyId)).not.toContain(mine.studyId);
    // Read at 95 % of its target, by a radiologist of the roster, unless it is one of the few let through (1 in 15).
    const readDemo = read.find((study) => study.studyId === demo.studyId);
    if (readDemo) expect(readDemo.assignedTo).not.toBeNull();
    else expect(waitingIds).toContain(demo.studyId);
  });

  it('run on their own timer and stop when closed', async () => {
    const repository = createMemoryRepository();
    seedDemoData(repository, { apiKey: API_KEY, studies: 0 });
    const service = new StudyService(repository, { apiKey: API_KEY, viewerUrl: () => 'http://viewer.test' });
    const arrivals = startDemoArrivals({ service, repository, meanIntervalMs: 20 });
    running.push(arrivals);
    await expect.poll(() => repository.countStudies(), { timeout: 5_000 }).toBeGreaterThanOrEqual(3);
    arrivals.close();
    const count = repository.countStudies();
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(repository.countStudies()).toBe(count);
  });

  it('are off in the bundled server unless asked for, and on with demoArrivalsSeconds', async () => {
    const quiet = await startAvaraServer({ databasePath: ':memory:', apiKey: 'arrivals-test-key', demoStudies: 0 });
    running.push(quiet);
    const busy = await startAvaraServer({
      databasePath: ':memory:',
      apiKey: 'arrivals-test-key',
      demoStudies: 0,
      demoArrivalsSeconds: 0.02,
    });
    running.push(busy);
    const total = (server: RunningAvaraServer) => walk(server.service).length;
    await expect.poll(() => total(busy), { timeout: 5_000 }).toBeGreaterThanOrEqual(3);
    expect(total(quiet)).toBe(0);
    // Closing stops them before the store closes: no error, no late write.
    await busy.close();
    running.splice(running.indexOf(busy), 1);
  });
});
