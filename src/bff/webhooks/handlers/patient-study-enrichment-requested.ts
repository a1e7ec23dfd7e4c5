import { idsOf, recordOf, textOf, type JsonRecord } from '../../pacs/json-fields.ts';
import { ORTHANC_ID } from '../../pacs/orthanc-client.ts';
import { formatPatientName } from '../../pacs/patient-name.ts';
import { isDicomUid } from '../../../contract/study-limits.ts';
import type { JsonObject } from '../../shared-state/shared-state.ts';
import type { WebhookHandler } from '../webhook-handlers.ts';

const SEXES: Readonly<Record<string, string>> = { M: 'male', F: 'female', O: 'other' };

/**
 * `patient_study.enrichment_requested` (synchronous, soft): Avara asks what the PACS knows of a
 * study's patient. Answered from the tags of one of the study's instances in Orthanc (an expanded
 * Series-level find, then that instance's simplified tags): `patientName`, `mrn`, `dateOfBirth`,
 * `sex` (male/female/other), `studyDate`, `studyTime`, `studyDescription`, `referringPhysicianName`,
 * `facilityName`, `height` and `weight` (each `{value, unit}`), each only when known. A failure of
 * any kind (no PACS, not found, Orthanc down, an accession or patient ID that does not match) is
 * answered `{}`: no enrichment, never an error.
 */
export const patientStudyEnrichmentRequested: WebhookHandler = async (event, context) => {
  const uid = event.data.studyInstanceUid;
  if (!isDicomUid(uid) || !context.pacs) return { body: {}, result: 'no-enrichment' };
  try {
    const tags = await firstInstanceTags(context.pacs.orthanc, uid);
    if (!tags) return { body: {}, studyInstanceUid: uid, result: 'not-in-pacs' };
    const accession = typeof event.data.accessionNumber === 'string' ? event.data.accessionNumber.trim() : '';
    const patientId = typeof event.data.patientId === 'string' ? event.data.patientId.trim() : '';
    // Another patient's details are worse than none.
    if (
      (accession && accession !== textOf(tags, 'AccessionNumber')) ||
      (patientId && patientId !== textOf(tags, 'PatientID'))
    ) {
      return { body: {}, studyInstanceUid: uid, result: 'mismatch' };
    }
    return { body: enrichmentOf(tags), studyInstanceUid: uid, result: 'enriched' };
  } catch (error) {
    context.log.warn({ err: error }, 'enrichment from the PACS failed');
    return { body: {}, studyInstanceUid: uid, result: 'failed' };
  }
};

async function firstInstanceTags(
  orthanc: NonNullable<Parameters<WebhookHandler>[1]['pacs']>['orthanc'],
  uid: string,
): Promise<JsonRecord | undefined> {
  const series = (await orthanc.findByStudyUids('Series', [uid])).map(recordOf);
  const instanceId = series.flatMap((entry) => idsOf(entry, 'Instances')).find((id) => ORTHANC_ID.test(id));
  if (!instanceId) return undefined;
  const answer = await orthanc.getJson(`/instances/${instanceId}/simplified-tags`);
  return answer.ok ? recordOf(answer.body) : undefined;
}

/** The enrichment fields of an instance's tags; absent when a tag is empty or not readable. */
export function enrichmentOf(tags: JsonRecord): JsonObject {
  const result: JsonObject = {};
  const name = textOf(tags, 'PatientName');
  if (name) result.patientName = formatPatientName(name);
  const mrn = textOf(tags, 'PatientID');
  if (mrn) result.mrn = mrn;
  const birth = isoDate(textOf(tags, 'PatientBirthDate'));
  if (birth) result.dateOfBirth = birth;
  const sex = SEXES[textOf(tags, 'PatientSex').toUpperCase()];
  if (sex) result.sex = sex;
  const studyDate = isoDate(textOf(tags, 'StudyDate'));
  if (studyDate) result.studyDate = studyDate;
  const studyTime = isoTime(textOf(tags, 'StudyTime'));
  if (studyTime) result.studyTime = studyTime;
  const description = textOf(tags, 'StudyDescription');
  if (description) result.studyDescription = description;
  const referring = textOf(tags, 'ReferringPhysicianName');
  if (referring) result.referringPhysicianName = formatPatientName(referring);
  const facility = textOf(tags, 'InstitutionName');
  if (facility) result.facilityName = facility;
  // PatientSize (0010,1020) is in metres, PatientWeight (0010,1030) in kilograms.
  const height = positive(textOf(tags, 'PatientSize'));
  if (height !== undefined) result.height = { value: height, unit: 'm' };
  const weight = positive(textOf(tags, 'PatientWeight'));
  if (weight !== undefined) result.weight = { value: weight, unit: 'kg' };
  return result;
}

/** DICOM DA (`YYYYMMDD`) as `YYYY-MM-DD`, or undefined. */
function isoDate(value: string): string | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})$/.exec(value);
  if (!match) return undefined;
  const [, year, month, day] = match;
  const date = new Date(`${year}-${month}-${day}T00:00:00Z`);
  return Number.isNaN(date.getTime()) || date.getUTCDate() !== Number(day) ? undefined : `${year}-${month}-${day}`;
}

/** DICOM TM (`HHMMSS.frac`, or shorter) as `HH:MM:SS`, or undefined. */
function isoTime(value: string): string | undefined {
  const match = /^(\d{2})(\d{2})?(\d{2})?(\.\d+)?$/.exec(value);
  if (!match) return undefined;
  const [, hours = '00', minutes = '00', seconds = '00'] = match;
  if (Number(hours) > 23 || Number(minutes) > 59 || Number(seconds) > 60) return undefined;
  return `${hours}:${minutes}:${seconds}`;
}

function positive(value: string): number | undefined {
  if (value === '') return undefined;
  const number = Number(value);
  return Number.isFinite(number) && number > 0 ? number : undefined;
}
