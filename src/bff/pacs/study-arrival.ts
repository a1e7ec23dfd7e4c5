import type { StudyCreateParams } from '../../contract/avara-types.ts';
import type { PacsMetadataKey } from '../../contract/permissions.ts';
import type { AvaraClient } from '../services/avara-client.ts';
import { idsOf, recordOf, textOf } from './json-fields.ts';
import { ORTHANC_ID, type OrthancClient } from './orthanc-client.ts';
import { PRIORITY_TAG, severityFor, type PriorityMap } from './priority.ts';

/** What became of one Orthanc study: on the worklist now (two ways), deleted from the PACS, or refused by Avara. */
export type ArrivalOutcome = 'created' | 'already-there' | 'gone' | 'rejected';

/** A failure that may pass (Orthanc or Avara down, slow, busy): the caller tries the same study again later. */
export class RetryLater extends Error {}

export interface StudyArrivalOptions {
  orthanc: OrthancClient;
  avara: AvaraClient;
  priorityMap: PriorityMap;
  log: { error(details: object, message: string): void };
  /** Told of each study put on the worklist (the live event stream announces it). */
  onCreated?: (study: unknown) => Promise<void>;
}

export interface StudyArrival {
  /**
   * Puts one Orthanc study on the worklist: Avara is asked for its StudyInstanceUID first and the
   * study is created only when missing (409 counts as there). `study` is Orthanc's
   * `GET /studies/{id}` answer when the caller already has it. Throws RetryLater (or the clients'
   * unavailable errors) when it should be tried again.
   */
  put(orthancStudyId: string, study?: Record<string, unknown>): Promise<ArrivalOutcome>;
}

export function createStudyArrival(options: StudyArrivalOptions): StudyArrival {
  const { orthanc, avara, priorityMap, log } = options;
  let sourcePacs: string | undefined;

  async function put(orthancStudyId: string, known?: Record<string, unknown>): Promise<ArrivalOutcome> {
    if (!ORTHANC_ID.test(orthancStudyId)) return 'gone';
    let study = known;
    if (!study) {
      const studyAnswer = await orthanc.getJson(`/studies/${orthancStudyId}`);
      if (!studyAnswer.ok) {
        // Deleted from the PACS since it became stable: nothing to put on the worklist.
        if (studyAnswer.status === 404) return 'gone';
        throw new RetryLater(`Orthanc answered ${studyAnswer.status} for a study`);
      }
      study = recordOf(studyAnswer.body);
    }
    const studyTags = recordOf(study.MainDicomTags);
    const studyInstanceUid = textOf(studyTags, 'StudyInstanceUID');

    const existing = await avara.retrieveStudyByUid(studyInstanceUid);
    if (existing.ok) return 'already-there';
    if (existing.status !== 404) {
      if (existing.status === 400) return rejected(orthancStudyId, studyInstanceUid, existing.error?.param);
      throw new RetryLater(`Avara answered ${existing.status} to retrieve-by-uid`);
    }

    const { modality, bodyPart, priority } = await firstSeriesTags(orthancStudyId);
    const description =
      textOf(studyTags, 'StudyDescription') || [modality, bodyPart].filter(Boolean).join(' ') || 'PACS study';
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
    if (created.ok) {
      await options.onCreated?.(created.body);
      return 'created';
    }
    // 409: created meanwhile (by a coordinator, another BFF instance, or our own earlier try whose answer was lost).
    if (created.status === 409) return 'already-there';
    if (created.status === 400) return rejected(orthancStudyId, studyInstanceUid, created.error?.param);
    throw new RetryLater(`Avara answered ${created.status} to create`);
  }

  function rejected(orthancStudyId: string, studyInstanceUid: string, param: string | undefined): ArrivalOutcome {
    // Avara's wording is not kept (it may echo anything); the field it named is.
    log.error(
      { orthancStudyId, studyInstanceUid, param },
      'Avara refused a PACS study as invalid; it is not on the worklist',
    );
    return 'rejected';
  }

  /** Modality and body part of the first series; the priority from its first instance (not a main tag). */
  async function firstSeriesTags(
    orthancStudyId: string,
  ): Promise<{ modality: string; bodyPart: string; priority: string }> {
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
      else if (instanceAnswer.status !== 404)
        throw new RetryLater(`Orthanc answered ${instanceAnswer.status} for an instance's tags`);
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

  return { put };
}

function seriesNumber(series: Record<string, unknown>): number {
  const value = Number.parseInt(textOf(recordOf(series.MainDicomTags), 'SeriesNumber'), 10);
  return Number.isFinite(value) ? value : Number.MAX_SAFE_INTEGER;
}
