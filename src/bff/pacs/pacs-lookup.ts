import type { PacsStudyContext } from '../../contract/worklist-api.ts';
import { idsOf, listOf, recordOf, textOf } from './json-fields.ts';
import type { OrthancClient } from './orthanc-client.ts';
import { formatPatientName } from './patient-name.ts';


interface SeriesEntry {
  id: string;
  modality: string;
  seriesNumber: number;
  instanceIds: string[];
}

interface StudyEntry {
  context: PacsStudyContext;
  orthancStudyId?: string;
  /** Ordered by SeriesNumber, then arrival. */
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
}

export interface PacsLookup {
  /** The context of each UID, from two batched finds for whatever is not cached (never one call per study). */
  context(studyInstanceUids: string[]): Promise<Record<string, PacsStudyContext>>;
  /** The study's first series (lowest SeriesNumber), or undefined when the study is not in the PACS. */
  firstSeries(studyInstanceUid: string): Promise<{ orthancStudyId: string; seriesId: string } | undefined>;
  /** The first instance (lowest InstanceNumber) of the first series, for the preview. */
  firstInstance(studyInstanceUid: string): Promise<string | undefined>;
}

export function createPacsLookup(options: PacsLookupOptions): PacsLookup {
  const { orthanc, foundTtlMs = 60_000, missingTtlMs = 10_000, maxEntries = 10_000, now = Date.now } = options;
  const cache = new Map<string, { expires: number; entry: StudyEntry }>();

  function cached(uid: string): StudyEntry | undefined {
    const hit = cache.get(uid);
    if (!hit) return undefined;
    if (hit.expires > now()) return hit.entry;
    cache.delete(uid);
    return undefined;
  }

  function remember(uid: string, entry: StudyEntry): void {
    cache.delete(uid);
    cache.set(uid, { expires: now() + (entry.context.found ? foundTtlMs : missingTtlMs), entry });
    // Oldest first in a Map: drop from the front past the cap.
    for (const key of cache.keys()) {
      if (cache.size <= maxEntries) break;
      cache.delete(key);
    }
  }

  /**
   * Orthanc 1.10's Study-level find carries patient and study tags and the series IDs, but neither
   * the modalities nor the instance counts; the Series-level find for the same UIDs carries those.
   * Both are sent at once: two requests per page of rows, whatever its size.
   */
  async function load(uids: string[]): Promise<Map<string, StudyEntry>> {
    const [studies, series] = await Promise.all([orthanc.findByStudyUids('Study', uids), orthanc.findByStudyUids('Series', uids)]);
    const seriesByStudy = new Map<string, SeriesEntry[]>();
    for (const item of series) {
      const record = recordOf(item);
      const tags = recordOf(record.MainDicomTags);
      const entry: SeriesEntry = {
        id: textOf(record, 'ID'),
        modality: textOf(tags, 'Modality'),
        seriesNumber: numberOr(textOf(tags, 'SeriesNumber'), Number.MAX_SAFE_INTEGER),
        instanceIds: idsOf(record, 'Instances'),
      };
      const parent = textOf(record, 'ParentStudy');
      seriesByStudy.set(parent, [...(seriesByStudy.get(parent) ?? []), entry]);
    }
    const loaded = new Map<string, StudyEntry>();
    for (const item of studies) {
      const record = recordOf(item);
      const tags = recordOf(record.MainDicomTags);
      const patient = recordOf(record.PatientMainDicomTags);
      const uid = textOf(tags, 'StudyInstanceUID');
      const orthancStudyId = textOf(record, 'ID');
      const order = idsOf(record, 'Series');
      const studySeries = (seriesByStudy.get(orthancStudyId) ?? []).sort(
        (a, b) => a.seriesNumber - b.seriesNumber || order.indexOf(a.id) - order.indexOf(b.id),
      );
      loaded.set(uid, {
        orthancStudyId,
        series: studySeries,
        context: {
          found: true,
          patientName: formatPatientName(textOf(patient, 'PatientName')),
          patientId: textOf(patient, 'PatientID'),
          modalities: [...new Set(studySeries.map((entry) => entry.modality).filter(Boolean))],
          studyDate: isoDate(textOf(tags, 'StudyDate')),
          accessionNumber: textOf(tags, 'AccessionNumber'),
          seriesCount: listOf(record, 'Series').length,
          instanceCount: studySeries.reduce((sum, entry) => sum + entry.instanceIds.length, 0),
        },
      });
    }
    return loaded;
  }

  async function entries(uids: string[]): Promise<Map<string, StudyEntry>> {
    const result = new Map<string, StudyEntry>();
    const missing: string[] = [];
    for (const uid of new Set(uids)) {
      const hit = cached(uid);
      if (hit) result.set(uid, hit);
      else missing.push(uid);
    }
    if (missing.length > 0) {
      const loaded = await load(missing);
      for (const uid of missing) {
        const entry = loaded.get(uid) ?? { context: { found: false }, series: [] };
        remember(uid, entry);
        result.set(uid, entry);
      }
    }
    return result;
  }

  async function firstSeries(uid: string) {
    const entry = (await entries([uid])).get(uid);
    const series = entry?.series[0];
    return entry?.orthancStudyId && series ? { orthancStudyId: entry.orthancStudyId, seriesId: series.id } : undefined;
  }

  return {
    async context(uids) {
      const found = await entries(uids);
      return Object.fromEntries(uids.map((uid) => [uid, found.get(uid)?.context ?? { found: false }]));
    },
    firstSeries,
    async firstInstance(uid) {
      const series = await firstSeries(uid);
      if (!series) return undefined;
      const answer = await orthanc.getJson(`/series/${series.seriesId}/instances`);
      // 404: the series went away since it was cached; the study is then treated as not in the PACS.
      if (!answer.ok) return undefined;
      const instances = (Array.isArray(answer.body) ? answer.body : []).map((item) => {
        const record = recordOf(item);
        return { id: textOf(record, 'ID'), number: numberOr(textOf(recordOf(record.MainDicomTags), 'InstanceNumber'), Number.MAX_SAFE_INTEGER) };
      });
      instances.sort((a, b) => a.number - b.number);
      return instances[0]?.id || undefined;
    },
  };
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
