import type { Study } from '../../contract/avara-types.ts';
import type { UpstreamObserver } from '../lib/upstream-observer.ts';
import { createOrthancClient, PacsUnavailableError, type OrthancClient } from './orthanc-client.ts';
import { createPacsLookup, type PacsLookup } from './pacs-lookup.ts';

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
   * For the bundled server's launch page: the web viewer (served on the BFF's origin) for the
   * study's first series, or undefined (the page then describes the study) when the PACS does not
   * have it or cannot be reached.
   */
  viewerRedirect(study: Pick<Study, 'studyInstanceUid'>): Promise<string | undefined>;
  close(): Promise<void>;
}

/** `observe` is told of every exchange with Orthanc (the metrics). */
export function createPacsServices(settings: PacsSettings, log?: { warn(message: string): void }, observe?: UpstreamObserver): PacsServices {
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
        const series = await lookup.firstSeries(study.studyInstanceUid);
        return series ? `/web-viewer/app/viewer.html?series=${encodeURIComponent(series.seriesId)}` : undefined;
      } catch (error) {
        if (error instanceof PacsUnavailableError) return undefined;
        throw error;
      }
    },
    close: () => orthanc.close(),
  };
}
