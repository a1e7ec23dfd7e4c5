import { useState } from 'react';
import { useAuthConfig } from '../../../lib/auth/get-auth-config.ts';
import { isApiError } from '../../../lib/api-client.ts';
import { useViewerUrl } from '../api/get-viewer-url.ts';
import { isAllowedViewerUrl, viewerOriginsFrom } from '../lib/viewer-origins.ts';
import { STUDY_KEYS } from '../../../lib/shortcuts/study-shortcuts.ts';
import { BUTTON } from './button-styles.ts';
import { useViewerOpenGuard } from './viewer-open-guard.ts';

type ViewerProblem = { kind: 'error'; message: string } | { kind: 'blocked'; url: string };

/**
 * Opens the study in the viewer, in a new tab.
 *
 * The link is short-lived, so it is asked for at click time. A tab opened after that request returns
 * would no longer count as the user's click and popup blockers would stop it, so the tab is opened
 * first, inside the click handler, on about:blank. `window.open(…, 'noopener')` cannot be used: it
 * returns null, leaving nothing to navigate. Instead the new tab's `opener` is cut at once (the
 * viewer page can then neither read nor redirect the worklist), and the tab is sent to the link only
 * after its origin has passed the allowlist; on any failure it is closed again.
 */
export function OpenInViewerButton({ studyId, className = BUTTON.primary }: { studyId: string; className?: string }) {
  const viewerUrl = useViewerUrl();
  const authConfig = useAuthConfig();
  const [problem, setProblem] = useState<ViewerProblem | null>(null);
  const guard = useViewerOpenGuard();

  function click() {
    setProblem(null);
    if (guard?.beforeOpen(studyId, open) === 'wait') return;
    open();
  }

  function open() {
    setProblem(null);
    guard?.opening(studyId);
    const tab = window.open('about:blank', '_blank');
    if (tab) tab.opener = null;
    viewerUrl.mutate(studyId, {
      onSuccess: ({ url }) => {
        if (!isAllowedViewerUrl(url, viewerOriginsFrom(authConfig.data))) {
          tab?.close();
          setProblem({
            kind: 'error',
            message:
              'The viewer link points to a site that is not on the allowed list, so it was not opened. Ask an administrator to check VIEWER_ORIGINS.',
          });
          return;
        }
        if (tab) {
          tab.location.href = url;
          return;
        }
        // The browser refused even a tab opened inside the click: offer the link to click directly.
        setProblem({ kind: 'blocked', url });
      },
      onError: (error) => {
        tab?.close();
        const detail = isApiError(error) ? error.detail : 'Something unexpected went wrong.';
        setProblem({ kind: 'error', message: `The viewer could not be opened. ${detail}` });
      },
    });
  }

  return (
    <div className="flex flex-col gap-2">
      <button
        type="button"
        className={className}
        onClick={click}
        disabled={viewerUrl.isPending}
        aria-keyshortcuts={STUDY_KEYS.openInViewer}
      >
        <span aria-hidden="true">↗</span>
        {viewerUrl.isPending ? 'Opening viewer…' : 'Open in Viewer'}
      </button>
      {problem?.kind === 'error' ? (
        <p role="alert" className="max-w-sm text-sm text-danger-fg">
          {problem.message}
        </p>
      ) : null}
      {problem?.kind === 'blocked' ? (
        <p role="alert" className="max-w-sm text-sm">
          Your browser blocked the new tab.{' '}
          <a
            href={problem.url}
            target="_blank"
            rel="noopener noreferrer"
            className="font-medium text-accent underline"
            onClick={() => setProblem(null)}
          >
            Open the viewer
          </a>{' '}
          (the link expires in a few minutes).
        </p>
      ) : null}
    </div>
  );
}
