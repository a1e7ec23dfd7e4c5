import type { FastifyBaseLogger } from 'fastify';
import type { StudyCreateParams } from '../../contract/avara-types.ts';
import type { PacsMetadataKey } from '../../contract/permissions.ts';
import { UpstreamUnreachableError, type AvaraClient } from '../services/avara-client.ts';
import { idsOf, recordOf, textOf } from './json-fields.ts';
import { ORTHANC_ID, PacsUnavailableError, type OrthancClient } from './orthanc-client.ts';
import { PRIORITY_TAG, severityFor, type PriorityMap } from './priority.ts';
import type { SyncState } from './sync-state.ts';

export type SyncLog = Pick<FastifyBaseLogger, 'debug' | 'info' | 'warn' | 'error'>;

export interface PacsSyncOptions {
  orthanc: OrthancClient;
  avara: AvaraClient;
  state: SyncState;
  priorityMap: PriorityMap;
  log: SyncLog;
  /** How long to wait for new changes once the feed is read to its end. */
  pollIntervalMs?: number;
  /** Changes asked for per `/changes` call. */
  pageSize?: number;
  /** Retry delay after a failure: doubles from `initialMs` up to `maxMs`. */
  backoff?: { initialMs: number; maxMs: number };
}

export interface PacsSync {
  /** The last change of the feed fully handled (and saved). */
  position(): number;
  /** Stops after the step in hand (an HTTP call already sent is let finish) and closes the state. */
  close(): Promise<void>;
}

/** A failure that may pass (Orthanc or Avara down, slow, busy): the same step is tried again later. */
class RetryLater extends Error {}

type Outcome = 'created' | 'already-there' | 'gone' | 'rejected';

/**
 * Follows Orthanc's `/changes` feed and puts every `StableStudy` on the worklist: its tags are read,
 * Avara is asked for the StudyInstanceUID first, and the study is created only when missing. The
 * position is saved after each study, so a restart neither skips a study nor creates one twice.
 * While Orthanc or Avara is down the loop waits and tries the same change again (warn line each
 * time); it never moves past a study it could not handle. A study Avara refuses as invalid (400,
 * e.g. a malformed UID from a modality) is logged as an error and passed over: retrying cannot fix
 * it, and it would otherwise hold up every arrival behind it.
 */
export function startPacsSync(options: PacsSyncOptions): PacsSync {
  const { orthanc, avara, state, priorityMap, log } = options;
  const pollIntervalMs = options.pollIntervalMs ?? 2_000;
  const pageSize = options.pageSize ?? 100;
  const backoff = options.backoff ?? { initialMs: 500, maxMs: 30_000 };
  const stop = new AbortController();
  let position = state.position();
  let sourcePacs: string | undefined;

  async function run(): Promise<void> {
    let failures = 0;
    log.info({ position }, 'PACS sync started');
    while (!stop.signal.aborted) {
      try {
        const page = await orthanc.changes(position, pageSize);
        if (page.changes.length === 0 && page.last < position) {
          // Orthanc's database was replaced: its feed restarted below our position.
          log.warn({ position, orthancLast: page.last }, 'PACS change feed restarted; following it from the beginning');
          savePosition(0);
          continue;
        }
        for (const change of page.changes) {
          if (stop.signal.aborted) return;
          if (change.changeType === 'StableStudy' && change.resourceType === 'Study') {
            const outcome = await handleStudy(change.id);
            log.info({ orthancStudyId: change.id, seq: change.seq, outcome }, 'PACS study handled');
          }
          savePosition(change.seq);
          failures = 0;
        }
        failures = 0;
        if (page.done || page.changes.length === 0) await sleep(pollIntervalMs, stop.signal);
      } catch (error) {
        if (!(error instanceof RetryLater || error instanceof PacsUnavailableError || error instanceof UpstreamUnreachableError)) {
          log.error({ err: error, position }, 'PACS sync step failed unexpectedly; retrying');
        }
        failures++;
        const waitMs = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(failures - 1, 16));
        log.warn({ reason: error instanceof Error ? error.message : String(error), position, attempt: failures, retryInMs: waitMs }, 'PACS sync waiting to retry');
        await sleep(waitMs, stop.signal);
      }
    }
  }

  function savePosition(seq: number): void {
    if (seq === position) return;
    state.save(seq);
    position = seq;
  }

  async function handleStudy(orthancStudyId: string): Promise<Outcome> {
    if (!ORTHANC_ID.test(orthancStudyId)) return 'gone';
    const studyAnswer = await orthanc.getJson(`/studies/${orthancStudyId}`);
    if (!studyAnswer.ok) {
      // Deleted from the PACS since it became stable: nothing to put on the worklist.
      if (studyAnswer.status === 404) return 'gone';
      throw new RetryLater(`Orthanc answered ${studyAnswer.status} for a study`);
    }
    const study = recordOf(studyAnswer.body);
    const studyTags = recordOf(study.MainDicomTags);
    const studyInstanceUid = textOf(studyTags, 'StudyInstanceUID');

    const existing = await avara.retrieveStudyByUid(studyInstanceUid);
    if (existing.ok) return 'already-there';
    if (existing.status !== 404) {
      if (existing.status === 400) return rejected(orthancStudyId, studyInstanceUid, existing.error?.param);
      throw new RetryLater(`Avara answered ${existing.status} to retrieve-by-uid`);
    }

    const { modality, bodyPart, priority } = await firstSeriesTags(orthancStudyId);
    const description = textOf(studyTags, 'StudyDescription') || [modality, bodyPart].filter(Boolean).join(' ') || 'PACS study';
    // Only keys of PACS_METADATA_KEYS: the permissions rule keeps exactly those out of radiologists' edits.
    const metadata: Partial<Record<PacsMetadataKey, string>> = {};
    const accessionNumber = textOf(studyTags, 'AccessionNumber');
    if (accessionNumber) metadata.accessionNumber = accessionNumber;
    if (modality) metadata.modality = modality;
    metadata.sourcePacs = await sourceName();
    metadata.orthancStudyId = orthancStudyId;
    const body: StudyCreateParams = {
      severity: severityFor(priority, priorityMap),
      studyDescription: description.slice(0, 1000),
      studyInstanceUid,
      metadata: Object.fromEntries(Object.entries(metadata).map(([key, value]) => [key, value.slice(0, 1000)])),
    };
    const created = await avara.createStudy(body);
    if (created.ok) return 'created';
    // 409: created meanwhile (by a coordinator, another BFF instance, or our own earlier try whose answer was lost).
    if (created.status === 409) return 'already-there';
    if (created.status === 400) return rejected(orthancStudyId, studyInstanceUid, created.error?.param);
    throw new RetryLater(`Avara answered ${created.status} to create`);
  }

  function rejected(orthancStudyId: string, studyInstanceUid: string, param: string | undefined): Outcome {
    // Avara's wording is not kept (it may echo anything); the field it named is.
    log.error({ orthancStudyId, studyInstanceUid, param }, 'Avara refused a PACS study as invalid; it is not on the worklist');
    return 'rejected';
  }

  /** Modality and body part of the first series; the priority from its first instance (not a main tag). */
  async function firstSeriesTags(orthancStudyId: string): Promise<{ modality: string; bodyPart: string; priority: string }> {
    const seriesAnswer = await orthanc.getJson(`/studies/${orthancStudyId}/series`);
    if (!seriesAnswer.ok) throw new RetryLater(`Orthanc answered ${seriesAnswer.status} for a study's series`);
    const series = (Array.isArray(seriesAnswer.body) ? seriesAnswer.body : []).map(recordOf);
    series.sort((a, b) => seriesNumber(a) - seriesNumber(b));
    const first = series[0];
    if (!first) return { modality: '', bodyPart: '', priority: '' };
    const tags = recordOf(first.MainDicomTags);
    const instanceId = idsOf(first, 'Instances')[0];
    let priority = '';
    if (instanceId && ORTHANC_ID.test(instanceId)) {
      const instanceAnswer = await orthanc.getJson(`/instances/${instanceId}/simplified-tags`);
      if (instanceAnswer.ok) priority = textOf(recordOf(instanceAnswer.body), PRIORITY_TAG);
      else if (instanceAnswer.status !== 404) throw new RetryLater(`Orthanc answered ${instanceAnswer.status} for an instance's tags`);
    }
    return { modality: textOf(tags, 'Modality'), bodyPart: textOf(tags, 'BodyPartExamined'), priority };
  }

  /** The PACS's own name (Orthanc's `Name` setting), recorded on each study it sent. */
  async function sourceName(): Promise<string> {
    if (sourcePacs !== undefined) return sourcePacs;
    const system = await orthanc.getJson('/system');
    if (!system.ok) throw new RetryLater(`Orthanc answered ${system.status} for /system`);
    sourcePacs = `orthanc:${textOf(recordOf(system.body), 'Name') || 'Orthanc'}`;
    return sourcePacs;
  }

  const running = run().catch((error: unknown) => log.error({ err: error }, 'PACS sync stopped unexpectedly'));

  return {
    position: () => position,
    async close() {
      stop.abort();
      await running;
      state.close();
      log.info({ position }, 'PACS sync stopped');
    },
  };
}

function seriesNumber(series: Record<string, unknown>): number {
  const value = Number.parseInt(textOf(recordOf(series.MainDicomTags), 'SeriesNumber'), 10);
  return Number.isFinite(value) ? value : Number.MAX_SAFE_INTEGER;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
