import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { Study } from '../../contract/avara-types.ts';
import { AvaraError } from '../store/avara-error.ts';
import type { StudyService } from '../store/study-service.ts';
import type { ImageAccessReport } from './image-access.ts';
import type { LaunchSigner } from './launch-signer.ts';

export interface LaunchRoutesOptions {
  signer: LaunchSigner;
  service: StudyService;
  /**
   * Where to send a valid launch instead of the description page, e.g. the Orthanc web viewer for
   * the study; a list of links (a study of several series, each opened on its own) makes the page
   * list them; `undefined` keeps the page.
   */
  viewerRedirect?: (study: Study) => LaunchTarget | Promise<LaunchTarget>;
  /**
   * Plays Avara's viewer asking for the study's images (study.access_requested to the BFF's webhook
   * endpoint): the page then shows what came back. Absent: no such section.
   */
  imageAccess?: (study: Study) => Promise<ImageAccessReport | undefined>;
}

export type LaunchTarget = string | ReadonlyArray<{ url: string; label: string }> | undefined;

const STUDY_ID = /^stu_[0-9a-f]{32}$/;

// No inline script or style, so the page works under a strict CSP; the stylesheet is served next
// to it and linked relatively, which keeps working under any prefix the plugin is mounted at.
const CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'self'; base-uri 'none'; form-action 'none'";

export const LAUNCH_STYLESHEET = `:root { color-scheme: dark light; font-family: system-ui, sans-serif; }
body { margin: 0; min-height: 100vh; display: grid; place-items: center; background: #111418; color: #e6e8eb; }
main { max-width: 40rem; padding: 2rem; border: 1px solid #2b3138; border-radius: 8px; background: #171b20; }
h1 { font-size: 1.25rem; margin: 0 0 1rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.5rem 1rem; margin: 0 0 1rem; }
dt { color: #9aa4ae; }
dd { margin: 0; overflow-wrap: anywhere; font-variant-numeric: tabular-nums; }
.severity-stat { color: #ff6b6b; font-weight: 700; }
.severity-high { color: #f5a524; font-weight: 600; }
p { color: #c3c9cf; line-height: 1.5; }
ul.series { list-style: none; padding: 0; margin: 0 0 1rem; display: grid; gap: 0.5rem; }
ul.series a { display: block; padding: 0.6rem 0.8rem; border: 1px solid #2b3138; border-radius: 6px; color: #8cc4f5; text-decoration: none; }
ul.series a:hover, ul.series a:focus-visible { border-color: #8cc4f5; outline: none; }
h2 { font-size: 1rem; margin: 1.5rem 0 0.75rem; }
.proof-ok { color: #6fd08c; font-weight: 600; }
.proof-failed { color: #ff6b6b; font-weight: 600; }
code { font-family: ui-monospace, monospace; }
`;

/**
 * The page a reroute-url link opens: `GET /launch/:studyId?expires&signature`. A valid link shows
 * which study the viewer would open (or redirects, see `viewerRedirect`); a bad or expired one
 * answers 403, an unknown study 404. Exported so the BFF can serve it on its own origin too.
 */
export const launchRoutes: FastifyPluginAsync<LaunchRoutesOptions> = async (app, options) => {
  app.get('/launch/launch.css', async (_request, reply) => {
    reply.header('content-type', 'text/css; charset=utf-8').header('cache-control', 'public, max-age=3600');
    return LAUNCH_STYLESHEET;
  });

  app.get<{ Params: { studyId: string }; Querystring: Record<string, unknown> }>(
    '/launch/:studyId',
    async (request, reply) => {
      const { studyId } = request.params;
      const { expires, signature } = request.query;
      const verdict = STUDY_ID.test(studyId) ? options.signer.verify(studyId, expires, signature) : 'invalid';
      if (verdict !== 'valid') {
        return sendPage(reply, 403, 'Viewer link not valid', [
          '<h1>This viewer link has expired or is not valid.</h1>',
          '<p>Open the study again from the worklist.</p>',
        ]);
      }

      let study: Study;
      try {
        study = options.service.retrieveStudy(studyId);
      } catch (error) {
        if (error instanceof AvaraError && error.status === 404) {
          return sendPage(reply, 404, 'Study not found', [
            '<h1>This study no longer exists.</h1>',
            `<p>No study has the ID ${escapeHtml(studyId)}. Return to the worklist and refresh it.</p>`,
          ]);
        }
        throw error;
      }

      const redirect = await options.viewerRedirect?.(study);
      const access = typeof redirect === 'string' ? [] : imageAccessSection(await options.imageAccess?.(study));
      if (redirect !== undefined && typeof redirect !== 'string') {
        return sendPage(reply, 200, `Viewer: ${study.studyDescription}`, [
          `<h1>${escapeHtml(study.studyDescription)}: ${redirect.length} series</h1>`,
          '<p>The viewer shows one series at a time. Open each from here; this page stays open to come back to.</p>',
          '<ul class="series">',
          ...redirect.map(
            (series) =>
              `<li><a href="${escapeHtml(series.url)}" target="_blank" rel="noopener">${escapeHtml(series.label)}</a></li>`,
          ),
          '</ul>',
          '<dl>',
          `<dt>Study Instance UID</dt><dd>${escapeHtml(study.studyInstanceUid)}</dd>`,
          `<dt>Severity</dt><dd class="severity-${escapeHtml(study.severity)}">${escapeHtml(study.severity.toUpperCase())}</dd>`,
          '</dl>',
          ...access,
        ]);
      }
      if (typeof redirect === 'string') {
        reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
        return reply.redirect(redirect, 302);
      }

      return sendPage(reply, 200, `Viewer: ${study.studyDescription}`, [
        '<h1>The viewer would open this study</h1>',
        '<dl>',
        `<dt>Description</dt><dd>${escapeHtml(study.studyDescription)}</dd>`,
        `<dt>Study Instance UID</dt><dd>${escapeHtml(study.studyInstanceUid)}</dd>`,
        `<dt>Severity</dt><dd class="severity-${escapeHtml(study.severity)}">${escapeHtml(study.severity.toUpperCase())}</dd>`,
        `<dt>Study ID</dt><dd>${escapeHtml(study.studyId)}</dd>`,
        study.isCancelled ? '<dt>Status</dt><dd>Cancelled</dd>' : '',
        '</dl>',
        '<p>This link was issued by the Avara-compatible server bundled with Radiology Worklist, which has no image viewer of its own. The Avara Viewer (or Orthanc, when configured) would show the images here.</p>',
        ...access,
      ]);
    },
  );
};

/** What the worklist answered to study.access_requested, as Avara's viewer would receive it. */
function imageAccessSection(report: ImageAccessReport | undefined): string[] {
  if (!report) return [];
  const heading = [
    '<section aria-labelledby="image-access">',
    '<h2 id="image-access">Image access, as Avara\'s viewer asks for it</h2>',
    "<p>This server sent <code>study.access_requested</code>, signed, to the worklist's webhook endpoint.</p>",
  ];
  if (report.kind !== 'authorized') {
    return [
      ...heading,
      '<dl>',
      `<dt>Answer</dt><dd>${report.kind === 'refused' ? 'Not authorized' : 'No answer'}: ${escapeHtml(report.reason)}</dd>`,
      '</dl>',
      '</section>',
    ];
  }
  const proof = report.firstFile;
  const proofText = proof.ok
    ? `<span class="proof-ok">DICOM Part 10 file</span>: bytes 128–131 read <code>${escapeHtml(proof.marker)}</code>`
    : `<span class="proof-failed">Not a DICOM file</span>${proof.status ? ` (answer ${proof.status})` : ''}${proof.marker ? `: bytes 128–131 read <code>${escapeHtml(proof.marker)}</code>` : ''}`;
  return [
    ...heading,
    '<dl>',
    '<dt>Answer</dt><dd>Authorized</dd>',
    `<dt>Series</dt><dd data-testid="access-series">${report.series}</dd>`,
    `<dt>Instances</dt><dd data-testid="access-instances">${report.instances}</dd>`,
    `<dt>First file</dt><dd data-testid="access-proof">${proofText}</dd>`,
    '</dl>',
    '</section>',
  ];
}

function sendPage(reply: FastifyReply, status: number, title: string, body: string[]): FastifyReply {
  const html = [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    `<title>${escapeHtml(title)}</title>`,
    '<link rel="stylesheet" href="launch.css">',
    '</head>',
    '<body><main>',
    ...body,
    '</main></body>',
    '</html>',
  ].join('\n');
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', CONTENT_SECURITY_POLICY)
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-store')
    .header('x-content-type-options', 'nosniff')
    .send(html);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}
