import { SEVERITIES, type Severity, type Study } from '../../contract/avara-types.ts';
import { DEFAULT_SLA_TARGETS } from '../../contract/sla.ts';
import type { StudyRecord, StudyRepository } from '../store/study-repository.ts';
import type { StudyService } from '../store/study-service.ts';
import { createRandom, demoArrival, isDemoStudy, rosterInStore, type SeededRandom } from './demo-data.ts';

/**
 * The demo's reading room at work, on one beat (on average every `meanIntervalMs`, exponentially
 * spaced): one new study arrives, unassigned, through the same `createStudy` the API's POST uses, so
 * the BFF's queue watcher sees it like any study from a PACS; and the demo's own waiting studies are
 * read as they near their SLA target, so the queue keeps its size and most of it stays within target.
 *
 * Reading, on each beat:
 * - every demo study that has waited 90 % of its target (and not yet all of it) is marked read, by its
 *   assignee or, when unassigned, by a radiologist of the roster; at most READS_PER_BEAT at once;
 * - one demo study in LATE_ONE_IN (15, by its ID) is not: it goes past its target, as some do in a real shift;
 * - now and then (one beat in OVERDUE_READ_EVERY, 8) the study furthest past its target is read.
 * Only demo studies are read (their accession number says so): never one a person created.
 */
export interface DemoArrivalsOptions {
  service: StudyService;
  repository: StudyRepository;
  /** The mean time between two arrivals, in ms. */
  meanIntervalMs: number;
  /** Same seed and clock, same arrivals; the default seed differs per start, so UIDs never repeat. */
  seed?: string;
  /** The clock (epoch ms) waiting times are measured by; replaceable in tests. */
  now?: () => number;
  /** Told about a beat that failed (the store closed under it, say); the next beat runs anyway. */
  onError?: (error: unknown) => void;
}

export interface DemoBeat {
  arrived: Study;
  read: Study[];
}

export interface DemoArrivals {
  /** One beat now, outside the timer (tests). */
  beat(): DemoBeat;
  /** Stops the timer; a beat under way finishes (beats are synchronous). */
  close(): void;
}

const READ_FROM = 0.9;
const LATE_ONE_IN = 15;
const OVERDUE_READ_EVERY = 8;
const READS_PER_BEAT = 10;
const PAGE = 100;
/** Arrivals are spaced at least this share of the mean and at most this many means apart. */
const MIN_GAP = 0.1;
const MAX_GAP = 4;

export function startDemoArrivals(options: DemoArrivalsOptions): DemoArrivals {
  if (!(options.meanIntervalMs > 0)) throw new Error('Demo arrivals need a positive mean interval');
  const now = options.now ?? Date.now;
  const random = createRandom(options.seed ?? `arrivals/${now()}`);
  let serial = 9_000_000 + options.repository.countStudies();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  const beat = (): DemoBeat => {
    const at = now();
    const arrived = createArrival(options.service, random, at, ++serial);
    return { arrived, read: readDueStudies(options.service, options.repository, random, at) };
  };

  const schedule = (): void => {
    if (closed) return;
    // Exponential gaps (a Poisson stream), clamped so the demo never stalls or floods.
    const gap = Math.min(MAX_GAP, Math.max(MIN_GAP, -Math.log(1 - random.next())));
    timer = setTimeout(() => {
      try {
        beat();
      } catch (error) {
        options.onError?.(error);
      }
      schedule();
    }, gap * options.meanIntervalMs);
    timer.unref?.();
  };
  schedule();

  return {
    beat,
    close() {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}

function createArrival(service: StudyService, random: SeededRandom, at: number, serial: number): Study {
  // A UID taken already (128 random bits: never in practice) is a conflict: draw another.
  for (let attempt = 0; ; attempt++) {
    try {
      return service.createStudy(demoArrival(random, at, serial));
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
}

/** Marks read what the demo's reading room would read at `at` (see the module's comment). */
export function readDueStudies(
  service: StudyService,
  repository: StudyRepository,
  random: SeededRandom,
  at: number,
): Study[] {
  const due: StudyRecord[] = [];
  let furthestOverdue: { record: StudyRecord; ratio: number } | undefined;
  for (const severity of SEVERITIES) {
    const target = DEFAULT_SLA_TARGETS[severity] * 60_000;
    walkWaiting(repository, severity, (record) => {
      const ratio = (at - Date.parse(record.createdAt)) / target;
      // Studies arrive in order: from the first one short of the reading point on, all are younger.
      if (ratio < READ_FROM) return false;
      if (!isDemoStudy(record.metadata)) return true;
      if (ratio >= 1) {
        if (!furthestOverdue || ratio > furthestOverdue.ratio) furthestOverdue = { record, ratio };
      } else if (!isLate(record.studyId) && due.length < READS_PER_BEAT) {
        due.push(record);
      }
      return true;
    });
  }
  if (furthestOverdue && random.next() < 1 / OVERDUE_READ_EVERY) due.push(furthestOverdue.record);
  if (due.length === 0) return [];
  const radiologists = rosterInStore(repository)
    .filter((user) => user.clinicRole === 'Radiologist')
    .map((user) => user.userId);
  return due.map((record) =>
    service.updateStudy(record.studyId, {
      studyViewerStatus: 'complete',
      ...(record.assignedToUserId === null && radiologists.length > 0 ? { assignedTo: random.pick(radiologists) } : {}),
    }),
  );
}

/** Unread, not cancelled studies of a severity, oldest first, while `visit` answers true. */
function walkWaiting(repository: StudyRepository, severity: Severity, visit: (record: StudyRecord) => boolean): void {
  let afterSeq = 0;
  for (;;) {
    const page = repository.listStudies(
      { severity, studyViewerStatus: 'incomplete', isCancelled: false },
      afterSeq,
      PAGE,
    );
    for (const record of page) if (!visit(record)) return;
    const last = page.at(-1);
    if (!last || page.length < PAGE) return;
    afterSeq = last.seq;
  }
}

/** One study in LATE_ONE_IN, always the same ones: they go past their target. */
function isLate(studyId: string): boolean {
  let hash = 2166136261;
  for (let i = 0; i < studyId.length; i++) hash = Math.imul(hash ^ studyId.charCodeAt(i), 16777619);
  return (hash >>> 0) % LATE_ONE_IN === 0;
}
