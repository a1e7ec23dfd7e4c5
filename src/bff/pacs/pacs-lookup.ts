import type { PacsStudyContext } from '../../contract/worklist-api.ts';
import { idsOf, listOf, recordOf, textOf, type JsonRecord } from './json-fields.ts';
import type { OrthancClient } from './orthanc-client.ts';
import { formatPatientName } from './patient-name.ts';

interface SeriesEntry {
  id: string;
  modality: string;
  seriesNumber: number;
  description: string;
  instanceIds: string[];
}

/** One series of a study, as the viewer's launch page lists it. */
export interface PacsSeries {
  /** Orthanc's ID of the series (what its web viewer opens). */
  seriesId: string;
  modality: string;
  /** DICOM SeriesNumber; null when the series has none. */
  seriesNumber: number | null;
  description: string;
  images: number;
}

/** Where a study's images are in Orthanc: its ID and its series, ordered by SeriesNumber, then arrival. */
interface StudySeries {
  orthancStudyId: string;
  series: SeriesEntry[];
}

export interface PacsLookupOptions {
  orthanc: OrthancClient;
  /** How long a found study's context is reused. */
  foundTtlMs?: number;
  /** How long "not in the PACS" is believed: short, since the study may be arriving. */
  missingTtlMs?: number;
  maxEntries?: number;
  now?: () => number;
  /** Told once when Orthanc has no DICOMweb plugin and page lookups fall back to two finds. */
  warn?: (message: string) => void;
}

export interface PacsLookup {
  /**
   * The context of each UID. What is not cached is asked for in one request for the whole page
   * (never one per study): a DICOMweb study search, or, when Orthanc lacks that plugin, a Study-level
   * and a Series-level `/tools/find` sent together. A UID being asked for already waits for that
   * request instead of sending another.
   */
  context(studyInstanceUids: string[]): Promise<Record<string, PacsStudyContext>>;
  /**
   * The same contexts from Orthanc's index alone, for a search walking page after page: what is not
   * cached is asked for in a Study-level and a Series-level `/tools/find` sent together (the answer
   * of an Orthanc without DICOMweb), several times cheaper than the DICOMweb search, which reads the
   * studies' files. They fill the same cache, so the rows find their context there.
   */
  indexContexts(studyInstanceUids: string[]): Promise<Record<string, PacsStudyContext>>;
  /** The study's first series (lowest SeriesNumber), or undefined when the study is not in the PACS. */
  firstSeries(studyInstanceUid: string): Promise<{ orthancStudyId: string; seriesId: string } | undefined>;
  /** Every series of the study, by SeriesNumber; undefined when the study is not in the PACS. */
  studySeries(studyInstanceUid: string): Promise<PacsSeries[] | undefined>;
  /** The first instance (lowest InstanceNumber) of the first series, for the preview. */
  firstInstance(studyInstanceUid: string): Promise<string | undefined>;
}

const NOT_FOUND: PacsStudyContext = { found: false };

export function createPacsLookup(options: PacsLookupOptions): PacsLookup {
  const { orthanc, foundTtlMs = 60_000, missingTtlMs = 10_000, maxEntries = 10_000, now = Date.now, warn } = options;
  const contexts = createCache<PacsStudyContext>();
  /** Contexts being looked up now, by UID: a second ask for one waits for the same request. */
  const loading = new Map<string, Promise<PacsStudyContext>>();
  const seriesOf = createCache<StudySeries | undefined>();
  let dicomWeb = true;

  /** A small TTL cache, oldest entries dropped first past `maxEntries`. */
  function createCache<T>() {
    const entries = new Map<string, { expires: number; value: T }>();
    return {
      get(uid: string): { value: T } | undefined {
        const hit = entries.get(uid);
        if (!hit) return undefined;
        if (hit.expires > now()) return { value: hit.value };
        entries.delete(uid);
        return undefined;
      },
      set(uid: string, value: T, found: boolean): void {
        entries.delete(uid);
        entries.set(uid, { expires: now() + (found ? foundTtlMs : missingTtlMs), value });
        // A Map keeps insertion order: drop from the front past the cap.
        for (const key of entries.keys()) {
          if (entries.size <= maxEntries) break;
          entries.delete(key);
        }
      },
    };
  }

  /** One DICOMweb search for the whole page; undefined when Orthanc has no DICOMweb plugin. */
  async function searchContexts(uids: string[]): Promise<Map<string, PacsStudyContext> | undefined> {
    const answer = await orthanc.searchStudies(uids);
    if (!answer) return undefined;
    const found = new Map<string, PacsStudyContext>();
    for (const item of answer) {
      const dataset = recordOf(item);
      const uid = dicomText(dataset, '0020000D');
      if (!uid) continue;
      found.set(uid, {
        found: true,
        patientName: formatPatientName(dicomPersonName(dataset, '00100010')),
        patientId: dicomText(dataset, '00100020'),
        modalities: [
          ...new Set(
            dicomValues(dataset, '00080061')
              .filter((value): value is string => typeof value === 'string' && value.trim() !== '')
              .map((value) => value.trim()),
          ),
        ],
        studyDate: isoDate(dicomText(dataset, '00080020')),
        accessionNumber: dicomText(dataset, '00080050'),
        seriesCount: dicomCount(dataset, '00201206'),
        instanceCount: dicomCount(dataset, '00201208'),
      });
    }
    return found;
  }

  /** Series-level find: each study's series with their modality, number and instances. */
  async function findSeries(uids: string[]): Promise<Map<string, StudySeries>> {
    const byStudy = new Map<string, StudySeries>();
    for (const item of await orthanc.findByStudyUids('Series', uids)) {
      const record = recordOf(item);
      const tags = recordOf(record.MainDicomTags);
      const parent = textOf(record, 'ParentStudy');
      const entry: SeriesEntry = {
        id: textOf(record, 'ID'),
        modality: textOf(tags, 'Modality'),
        seriesNumber: numberOr(textOf(tags, 'SeriesNumber'), Number.MAX_SAFE_INTEGER),
        description: textOf(tags, 'SeriesDescription'),
        instanceIds: idsOf(record, 'Instances'),
      };
      const study = byStudy.get(parent) ?? { orthancStudyId: parent, series: [] };
      study.series.push(entry);
      byStudy.set(parent, study);
    }
    for (const study of byStudy.values()) study.series.sort((a, b) => a.seriesNumber - b.seriesNumber);
    return byStudy;
  }

  /**
   * Without DICOMweb, Orthanc 1.10's Study-level find carries patient and study tags but neither
   * the modalities nor the instance counts; the Series-level find for the same UIDs carries those.
   * Both are sent at once.
   */
  async function findContexts(uids: string[]): Promise<Map<string, PacsStudyContext>> {
    const [studies, seriesByStudy] = await Promise.all([orthanc.findByStudyUids('Study', uids), findSeries(uids)]);
    const found = new Map<string, PacsStudyContext>();
    for (const item of studies) {
      const record = recordOf(item);
      const tags = recordOf(record.MainDicomTags);
      const patient = recordOf(record.PatientMainDicomTags);
      const uid = textOf(tags, 'StudyInstanceUID');
      const orthancStudyId = textOf(record, 'ID');
      const order = idsOf(record, 'Series');
      const series = (seriesByStudy.get(orthancStudyId)?.series ?? []).sort(
        (a, b) => a.seriesNumber - b.seriesNumber || order.indexOf(a.id) - order.indexOf(b.id),
      );
      seriesOf.set(uid, { orthancStudyId, series }, true);
      found.set(uid, {
        found: true,
        patientName: formatPatientName(textOf(patient, 'PatientName')),
        patientId: textOf(patient, 'PatientID'),
        modalities: [...new Set(series.map((entry) => entry.modality).filter(Boolean))],
        studyDate: isoDate(textOf(tags, 'StudyDate')),
        accessionNumber: textOf(tags, 'AccessionNumber'),
        seriesCount: order.length,
        instanceCount: series.reduce((sum, entry) => sum + entry.instanceIds.length, 0),
      });
    }
    return found;
  }

  async function load(uids: string[]): Promise<Map<string, PacsStudyContext>> {
    if (dicomWeb) {
      const searched = await searchContexts(uids);
      if (searched) return searched;
      dicomWeb = false;
      warn?.(
        'Orthanc has no DICOMweb plugin (GET /dicom-web/studies answered 404): each page of PACS context now takes two /tools/find calls instead of one',
      );
    }
    return findContexts(uids);
  }

  async function seriesOfStudy(uid: string): Promise<StudySeries | undefined> {
    const hit = seriesOf.get(uid);
    if (hit) return hit.value;
    const [study] = (await findSeries([uid])).values();
    // A series arriving after a failed lookup is found again once the short "missing" entry expires.
    seriesOf.set(uid, study, study !== undefined);
    return study;
  }

  async function firstSeries(uid: string) {
    const study = await seriesOfStudy(uid);
    const series = study?.series[0];
    return study && series ? { orthancStudyId: study.orthancStudyId, seriesId: series.id } : undefined;
  }

  /**
   * The context of each UID: the cache's, the request already under way for it, or one `loader`
   * request for all the rest (a second ask for a UID being looked up waits for the same request).
   */
  async function cachedContexts(
    uids: string[],
    loader: (missing: string[]) => Promise<Map<string, PacsStudyContext>>,
  ): Promise<Record<string, PacsStudyContext>> {
    const result: Record<string, PacsStudyContext> = {};
    const missing: string[] = [];
    const joined: Array<Promise<void>> = [];
    for (const uid of new Set(uids)) {
      const hit = contexts.get(uid);
      const pending = hit ? undefined : loading.get(uid);
      if (hit) result[uid] = hit.value;
      // Asked for already (a search answer's studies, which their rows ask for next): the same request.
      else if (pending)
        joined.push(
          pending.then((context) => {
            result[uid] = context;
          }),
        );
      else missing.push(uid);
    }
    if (missing.length > 0) {
      const loaded = loader(missing);
      for (const uid of missing) {
        const pending = loaded.then((found) => found.get(uid) ?? NOT_FOUND);
        // A failure reaches whoever joined; unjoined, it is this call's own.
        pending.catch(() => undefined);
        loading.set(uid, pending);
      }
      try {
        const found = await loaded;
        for (const uid of missing) {
          const context = found.get(uid) ?? NOT_FOUND;
          contexts.set(uid, context, context.found);
          result[uid] = context;
        }
      } finally {
        for (const uid of missing) loading.delete(uid);
      }
    }
    await Promise.all(joined);
    return Object.fromEntries(uids.map((uid) => [uid, result[uid] ?? NOT_FOUND]));
  }

  return {
    context: (uids) => cachedContexts(uids, load),
    indexContexts: (uids) => cachedContexts(uids, findContexts),
    firstSeries,
    async studySeries(uid) {
      const study = await seriesOfStudy(uid);
      return study?.series.map((series) => ({
        seriesId: series.id,
        modality: series.modality,
        seriesNumber: series.seriesNumber === Number.MAX_SAFE_INTEGER ? null : series.seriesNumber,
        description: series.description,
        images: series.instanceIds.length,
      }));
    },
    async firstInstance(uid) {
      const series = await firstSeries(uid);
      if (!series) return undefined;
      const answer = await orthanc.getJson(`/series/${series.seriesId}/instances`);
      // 404: the series went away since it was cached; the study is then treated as not in the PACS.
      if (!answer.ok) return undefined;
      const instances = (Array.isArray(answer.body) ? answer.body : []).map((item) => {
        const record = recordOf(item);
        return {
          id: textOf(record, 'ID'),
          number: numberOr(textOf(recordOf(record.MainDicomTags), 'InstanceNumber'), Number.MAX_SAFE_INTEGER),
        };
      });
      instances.sort((a, b) => a.number - b.number);
      return instances[0]?.id || undefined;
    },
  };
}

/** The values of one attribute of a DICOM JSON dataset (PS3.18 F.2), or none. */
function dicomValues(dataset: JsonRecord, tag: string): unknown[] {
  return listOf(recordOf(dataset[tag]), 'Value');
}

function dicomText(dataset: JsonRecord, tag: string): string {
  const [first] = dicomValues(dataset, tag);
  return typeof first === 'string' ? first.trim() : typeof first === 'number' ? String(first) : '';
}

/** A PN value's alphabetic form, in DICOM's `^` notation. */
function dicomPersonName(dataset: JsonRecord, tag: string): string {
  return textOf(recordOf(dicomValues(dataset, tag)[0]), 'Alphabetic');
}

function dicomCount(dataset: JsonRecord, tag: string): number {
  const [first] = dicomValues(dataset, tag);
  const value = typeof first === 'number' ? first : Number.parseInt(typeof first === 'string' ? first : '', 10);
  return Number.isFinite(value) && value >= 0 ? value : 0;
}

function numberOr(text: string, fallback: number): number {
  const value = Number.parseInt(text, 10);
  return Number.isFinite(value) ? value : fallback;
}

/** DICOM DA (YYYYMMDD) as an ISO date. */
function isoDate(text: string): string | null {
  const match = /^(\d{4})(\d{2})(\d{2})$/.exec(text);
  return match ? `${match[1]}-${match[2]}-${match[3]}` : null;
}
