import type { Study } from '../../contract/avara-types.ts';
import type { UpstreamObserver } from '../lib/upstream-observer.ts';
import { createOrthancClient, PacsUnavailableError, type OrthancClient } from './orthanc-client.ts';
import { createPacsLookup, type PacsLookup, type PacsSeries } from './pacs-lookup.ts';

export interface PacsSettings {
  ORTHANC_URL: string;
  ORTHANC_USERNAME?: string | undefined;
  ORTHANC_PASSWORD?: string | undefined;
  ORTHANC_TIMEOUT_MS: number;
  UPSTREAM_MAX_BYTES?: number;
}

/** The PACS as the BFF uses it: one Orthanc client and the cached lookup on top of it. */
export interface PacsServices {
  orthanc: OrthancClient;
  lookup: PacsLookup;
  /**
   * For the bundled server's launch page: the web viewer (served on the BFF's origin) of a study
   * with one series; the study's series, each with its viewer link, when it has several (Orthanc's
   * web viewer opens one series at a time, `viewer.html?series=`, so the launch page lists them);
   * undefined (the page then describes the study) when the PACS does not have it or cannot be reached.
   */
  viewerRedirect: (study: Pick<Study, 'studyInstanceUid'>) => Promise<ViewerTarget>;
  close(): Promise<void>;
}

/** Where a launch goes: one viewer URL, a list of series to choose from, or the description page. */
export type ViewerTarget = string | ViewerSeriesLink[] | undefined;

export interface ViewerSeriesLink {
  url: string;
  /** "Series 2 · CT · Axial 5 mm · 120 images" */
  label: string;
}

function viewerUrl(seriesId: string): string {
  return `/web-viewer/app/viewer.html?series=${encodeURIComponent(seriesId)}`;
}

function seriesLabel(series: PacsSeries, index: number): string {
  const images = `${series.images} ${series.images === 1 ? 'image' : 'images'}`;
  return [`Series ${series.seriesNumber ?? index + 1}`, series.modality, series.description, images]
    .filter((part) => part !== '')
    .join(' · ');
}

/** `observe` is told of every exchange with Orthanc (the metrics). */
export function createPacsServices(
  settings: PacsSettings,
  log?: { warn(message: string): void },
  observe?: UpstreamObserver,
): PacsServices {
  const orthanc = createOrthancClient({
    baseUrl: settings.ORTHANC_URL,
    username: settings.ORTHANC_USERNAME,
    password: settings.ORTHANC_PASSWORD,
    timeoutMs: settings.ORTHANC_TIMEOUT_MS,
    ...(settings.UPSTREAM_MAX_BYTES ? { maxBodyBytes: settings.UPSTREAM_MAX_BYTES } : {}),
    ...(observe ? { observe } : {}),
  });
  const lookup = createPacsLookup({ orthanc, ...(log ? { warn: (message: string) => log.warn(message) } : {}) });
  return {
    orthanc,
    lookup,
    async viewerRedirect(study) {
      try {
        const series = await lookup.studySeries(study.studyInstanceUid);
        if (!series || series.length === 0) return undefined;
        const [only] = series;
        if (only && series.length === 1) return viewerUrl(only.seriesId);
        return series.map((entry, index) => ({ url: viewerUrl(entry.seriesId), label: seriesLabel(entry, index) }));
      } catch (error) {
        if (error instanceof PacsUnavailableError) return undefined;
        throw error;
      }
    },
    close: () => orthanc.close(),
  };
}
