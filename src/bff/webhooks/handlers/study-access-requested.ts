import { recordOf, textOf } from '../../pacs/json-fields.ts';
import { StudyTooLargeError, readStudyFiles } from '../../pacs/study-manifest.ts';
import { isDicomUid } from '../../../contract/study-limits.ts';
import type { JsonObject } from '../../shared-state/shared-state.ts';
import type { WebhookAnswer, WebhookHandler } from '../webhook-handlers.ts';

const STUDY_ID = /^stu_[0-9a-f]{32}$/;

/**
 * `study.access_requested` (synchronous): Avara's viewer asks for a study's images. Answered from
 * Orthanc with `{authorized: true, urls, manifest}`: one signed, expiring URL per instance (in the
 * manifest's order, series by series, each series' sops by InstanceNumber) and the manifest of
 * series and instances. `{authorized: false, urls: [], error}` when the study is cancelled on the
 * worklist, is not in the PACS, no PACS is configured, or the event does not name a study. Orthanc
 * or Avara unreachable: the call fails (503), so Avara may ask again.
 */
export const studyAccessRequested: WebhookHandler = async (event, context) => {
  const studyId =
    typeof event.data.studyId === 'string' && STUDY_ID.test(event.data.studyId) ? event.data.studyId : undefined;
  const uid = event.data.studyInstanceUid;
  if (!isDicomUid(uid))
    return denied(
      'The event does not name a study (studyInstanceUid is missing or not a DICOM UID).',
      'invalid',
      studyId,
    );
  if (!context.pacs || !context.dicomUrls)
    return denied('No PACS is connected to this worklist.', 'no-pacs', studyId, uid);

  const found = studyId ? await context.avara.retrieveStudy(studyId) : await context.avara.retrieveStudyByUid(uid);
  if (!found.ok && found.status !== 404) throw new Error(`The studies service answered ${found.status}`);
  if (!found.ok) return denied('The study is not on the worklist.', 'not-on-worklist', studyId, uid);
  const study = recordOf(found.body);
  if (textOf(study, 'studyInstanceUid') !== uid)
    return denied('studyId and studyInstanceUid name different studies.', 'mismatch', studyId, uid);
  if (study.isCancelled === true) return denied('The study is cancelled on the worklist.', 'cancelled', studyId, uid);

  let files;
  try {
    files = await readStudyFiles(context.pacs.orthanc, uid);
  } catch (error) {
    if (error instanceof StudyTooLargeError) return denied(error.message, 'too-large', studyId, uid);
    throw error;
  }
  if (!files || files.instanceIds.length === 0)
    return denied('The study is not in the PACS.', 'not-in-pacs', studyId, uid);
  const { dicomUrls } = context;
  const now = Date.now();
  const urls = await Promise.all(
    files.instanceIds.map(async (instanceId) => (await dicomUrls.urlFor(instanceId, now)).url),
  );
  return {
    body: { authorized: true, urls, manifest: JSON.parse(JSON.stringify(files.manifest)) as JsonObject },
    ...(studyId ? { studyId } : { studyId: textOf(study, 'studyId') }),
    studyInstanceUid: uid,
    result: 'authorized',
  };
};

function denied(error: string, result: string, studyId?: string, studyInstanceUid?: string): WebhookAnswer {
  return {
    body: { authorized: false, urls: [], error },
    ...(studyId ? { studyId } : {}),
    ...(studyInstanceUid ? { studyInstanceUid } : {}),
    result,
  };
}
