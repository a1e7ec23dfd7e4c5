import { idsOf, recordOf, textOf, type JsonRecord } from './json-fields.ts';
import { ORTHANC_ID, PacsUnavailableError, type OrthancClient } from './orthanc-client.ts';

/** One instance of the manifest given to Avara's viewer: its UIDs and the geometry Orthanc knows. */
export interface ManifestSop {
  sopClassUID?: string;
  sopInstanceUID: string;
  instanceNumber?: number;
  rows?: number;
  columns?: number;
  bitsAllocated?: number;
  bitsStored?: number;
  highBit?: number;
  pixelRepresentation?: number;
  photometricInterpretation?: string;
  samplesPerPixel?: number;
  numberOfFrames?: number;
  pixelSpacing?: number[];
  sliceThickness?: number;
  imagePositionPatient?: number[];
  imageOrientationPatient?: number[];
  frameOfReferenceUID?: string;
}

export interface ManifestSeries {
  modality?: string;
  seriesDescription?: string;
  seriesInstanceUID: string;
  seriesNumber?: number;
  sops: ManifestSop[];
}

export interface StudyManifest {
  studyInstanceUID: string;
  series: ManifestSeries[];
}

/** A study's manifest and, in the same order as its sops (series by series), Orthanc's instance IDs. */
export interface StudyFiles {
  manifest: StudyManifest;
  instanceIds: string[];
}

/** The most instances one answer lists: a larger study is refused rather than answered in part. */
export const MAX_MANIFEST_INSTANCES = 10_000;

/** How many series are read from Orthanc at once. */
const SERIES_CONCURRENCY = 4;

export class StudyTooLargeError extends Error {
  override name = 'StudyTooLargeError';
}

/**
 * Reads a study's series and instances from Orthanc (1.10 or later) in few requests: one expanded
 * Series-level `/tools/find` (the series and their instance IDs), then one
 * `/series/{id}/instances-tags?simplify` per series (every instance's tags, without the pixel data),
 * a few series at a time; and, only for a series whose files carry no SOPClassUID in their data set,
 * the file meta header of one of its instances. Undefined when Orthanc does not have the study.
 */
export async function readStudyFiles(
  orthanc: OrthancClient,
  studyInstanceUid: string,
): Promise<StudyFiles | undefined> {
  // The UID was checked to be digits and dots: no wildcard, no list, an exact match.
  const found = (await orthanc.findByStudyUids('Series', [studyInstanceUid])).map(recordOf);
  if (found.length === 0) return undefined;
  const total = found.reduce((sum, series) => sum + idsOf(series, 'Instances').length, 0);
  if (total > MAX_MANIFEST_INSTANCES)
    throw new StudyTooLargeError(`The study has ${total} instances, more than ${MAX_MANIFEST_INSTANCES}`);

  const read = await mapLimited(found, SERIES_CONCURRENCY, async (series) => readSeries(orthanc, series));
  const ordered = read
    .filter((entry): entry is ReadSeries => entry !== undefined)
    .sort((a, b) => (a.series.seriesNumber ?? Infinity) - (b.series.seriesNumber ?? Infinity));
  return {
    manifest: { studyInstanceUID: studyInstanceUid, series: ordered.map((entry) => entry.series) },
    instanceIds: ordered.flatMap((entry) => entry.instanceIds),
  };
}

interface ReadSeries {
  series: ManifestSeries;
  instanceIds: string[];
}

async function readSeries(orthanc: OrthancClient, found: JsonRecord): Promise<ReadSeries | undefined> {
  const seriesId = textOf(found, 'ID');
  if (!ORTHANC_ID.test(seriesId)) return undefined;
  const main = recordOf(found.MainDicomTags);
  const answer = await orthanc.getJson(`/series/${seriesId}/instances-tags?simplify`);
  // Deleted between the two requests: the series is left out.
  if (!answer.ok && answer.status === 404) return undefined;
  if (!answer.ok)
    throw new PacsUnavailableError(
      'unavailable',
      `Orthanc answered ${answer.status} to GET /series/{id}/instances-tags`,
    );
  const tagsById = recordOf(answer.body);
  const instances = Object.entries(tagsById)
    .filter(([id]) => ORTHANC_ID.test(id))
    .map(([id, tags]) => ({ id, tags: recordOf(tags) }))
    .filter((instance) => textOf(instance.tags, 'SOPInstanceUID') !== '');
  instances.sort(
    (a, b) => (numberOf(a.tags, 'InstanceNumber') ?? Infinity) - (numberOf(b.tags, 'InstanceNumber') ?? Infinity),
  );

  let headerClass: string | undefined;
  const first = instances[0];
  if (first && instances.some((instance) => textOf(instance.tags, 'SOPClassUID') === '')) {
    // The file meta header's class (0002,0002), which every Part 10 file has.
    const header = await orthanc.getJson(`/instances/${first.id}/header?simplify`);
    headerClass = header.ok ? textOf(recordOf(header.body), 'MediaStorageSOPClassUID') || undefined : undefined;
  }

  const modality = textOf(main, 'Modality') || textOf(first?.tags ?? {}, 'Modality');
  const seriesDescription = textOf(main, 'SeriesDescription');
  const seriesNumber = numberOf(main, 'SeriesNumber');
  const seriesInstanceUid = textOf(main, 'SeriesInstanceUID') || textOf(first?.tags ?? {}, 'SeriesInstanceUID');
  return {
    series: {
      ...(modality ? { modality } : {}),
      ...(seriesDescription ? { seriesDescription } : {}),
      seriesInstanceUID: seriesInstanceUid,
      ...(seriesNumber !== undefined ? { seriesNumber } : {}),
      sops: instances.map((instance) => sopOf(instance.tags, headerClass)),
    },
    instanceIds: instances.map((instance) => instance.id),
  };
}

function sopOf(tags: JsonRecord, headerClass: string | undefined): ManifestSop {
  const sop: ManifestSop = { sopInstanceUID: textOf(tags, 'SOPInstanceUID') };
  const sopClass = textOf(tags, 'SOPClassUID') || headerClass;
  if (sopClass) sop.sopClassUID = sopClass;
  const numbers = {
    instanceNumber: 'InstanceNumber',
    rows: 'Rows',
    columns: 'Columns',
    bitsAllocated: 'BitsAllocated',
    bitsStored: 'BitsStored',
    highBit: 'HighBit',
    pixelRepresentation: 'PixelRepresentation',
    samplesPerPixel: 'SamplesPerPixel',
    numberOfFrames: 'NumberOfFrames',
    sliceThickness: 'SliceThickness',
  } as const;
  for (const [field, tag] of Object.entries(numbers) as Array<[keyof typeof numbers, string]>) {
    const value = numberOf(tags, tag);
    if (value !== undefined) sop[field] = value;
  }
  const photometric = textOf(tags, 'PhotometricInterpretation');
  if (photometric) sop.photometricInterpretation = photometric;
  const vectors = {
    pixelSpacing: ['PixelSpacing', 2],
    imagePositionPatient: ['ImagePositionPatient', 3],
    imageOrientationPatient: ['ImageOrientationPatient', 6],
  } as const;
  for (const [field, [tag, length]] of Object.entries(vectors) as Array<
    [keyof typeof vectors, readonly [string, number]]
  >) {
    const value = vectorOf(tags, tag, length);
    if (value) sop[field] = value;
  }
  const frameOfReference = textOf(tags, 'FrameOfReferenceUID');
  if (frameOfReference) sop.frameOfReferenceUID = frameOfReference;
  return sop;
}

/** A DICOM IS or DS value as a number (the first of several), or undefined. */
function numberOf(tags: JsonRecord, tag: string): number | undefined {
  const text = textOf(tags, tag).split('\\')[0]?.trim() ?? '';
  if (text === '') return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/** A multi-valued DS (`a\b\c`) of exactly `length` numbers, or undefined. */
function vectorOf(tags: JsonRecord, tag: string, length: number): number[] | undefined {
  const text = textOf(tags, tag);
  if (text === '') return undefined;
  const values = text.split('\\').map((part) => Number(part.trim()));
  return values.length === length && values.every(Number.isFinite) ? values : undefined;
}

/** Runs `task` over `items`, at most `limit` at a time, keeping their order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T);
    }
  });
  await Promise.all(workers);
  return results;
}
