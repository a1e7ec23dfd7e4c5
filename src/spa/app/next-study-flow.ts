import { takeNextStudy } from '../features/reading/api/take-next-study.ts';
import { outcomeOfAnswer, outcomeOfError } from '../features/reading/lib/next-study-outcome.ts';
import type { NextStudyOutcome } from '../features/reading/lib/next-study-outcome.ts';
import { getViewerUrl } from '../features/study-drawer/api/get-viewer-url.ts';
import { isAllowedViewerUrl, viewerOriginsFrom } from '../features/study-drawer/lib/viewer-origins.ts';
import { isApiError } from '../lib/api-client.ts';

/** Where the viewer went: opened in the tab, offered as a link (the tab was blocked), or not at all. */
export type ViewerOutcome = { kind: 'opened' } | { kind: 'blocked'; url: string } | { kind: 'error'; text: string };

export type NextStudyResult = { outcome: NextStudyOutcome; viewer?: ViewerOutcome };

/**
 * Asks for the next study and sends the tab opened in the click (or key) handler to its viewer
 * link, as Open in Viewer does: a tab opened only after the answer would be stopped as a popup.
 * Without a study, or on any failure, the tab is closed again.
 */
export async function takeNextStudyIntoViewer(tab: Window | null, authConfig: unknown): Promise<NextStudyResult> {
  let outcome: NextStudyOutcome;
  try {
    outcome = outcomeOfAnswer(await takeNextStudy());
  } catch (error) {
    outcome = outcomeOfError(error);
  }
  if (outcome.kind !== 'study') {
    tab?.close();
    return { outcome };
  }
  try {
    const { url } = await getViewerUrl(outcome.study.studyId);
    if (!isAllowedViewerUrl(url, viewerOriginsFrom(authConfig))) {
      tab?.close();
      return {
        outcome,
        viewer: {
          kind: 'error',
          text: 'The viewer link points to a site that is not on the allowed list, so it was not opened.',
        },
      };
    }
    if (!tab) return { outcome, viewer: { kind: 'blocked', url } };
    tab.location.href = url;
    return { outcome, viewer: { kind: 'opened' } };
  } catch (error) {
    tab?.close();
    return {
      outcome,
      viewer: {
        kind: 'error',
        text: `The viewer could not be opened. ${isApiError(error) ? error.detail : ''}`.trim(),
      },
    };
  }
}
