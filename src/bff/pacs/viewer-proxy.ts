import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { noteAudit } from '../plugins/audit-trail.ts';
import { ORTHANC_ID, PacsUnavailableError, type OrthancClient } from './orthanc-client.ts';

export interface ViewerProxyOptions {
  orthanc: OrthancClient;
}

/**
 * The Orthanc web viewer's page calls back to its own plugin routes and, to download a file, one
 * core route; these (found in the plugin's viewer.js) are all that is relayed:
 *   /web-viewer/app/…, /web-viewer/libs/…                    the page, its scripts and styles
 *   /web-viewer/series/{id}, /web-viewer/is-stable-series/{id} the series' slices and state
 *   /web-viewer/instances/{compression}-{id}_{frame}          one decoded frame
 *   /instances/{id}/file                                       "Download DICOM"
 */
/** A series' slices: the one viewer call whose answer names the patient's images. */
const SERIES_PATH = /^series\/([0-9a-f-]{44})$/;

const VIEWER_PATH =
  /^(app|libs)\/[A-Za-z0-9_.\-/]+$|^(series|is-stable-series)\/[0-9a-f-]{44}$|^instances\/[a-z0-9-]+-[0-9a-f-]{44}_[0-9]+$/;

/**
 * The viewer page has a few inline handlers (`oncontextmenu="return false"`) and style attributes;
 * they are allowed by hash, not with 'unsafe-inline' for scripts, since the page shares the BFF's origin.
 */
const VIEWER_CSP = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-hashes' 'sha256-GZIcz60Uwd6wT3vaYke/atSr53TehbYAPepOa3d03Vw=' 'sha256-2rvfFrggTCtyF5WOiTri1gDS8Boibj4Njn0e+VCBmDI='",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
  "frame-ancestors 'self'",
].join('; ');

/**
 * Serves the Orthanc web viewer on the BFF's origin so that Orthanc itself stays on loopback: GET
 * only, only the viewer's own paths (checked before anything is sent), only for a signed-in person
 * (the route's declared access),
 * and without Orthanc's credentials ever reaching the browser (the BFF's client adds them).
 */
export async function viewerProxyRoutes(app: FastifyInstance, options: ViewerProxyOptions): Promise<void> {
  async function relay(request: FastifyRequest, reply: FastifyReply, path: string, cacheable: boolean) {
    let answer;
    try {
      answer = await options.orthanc.stream(path);
    } catch (error) {
      if (!(error instanceof PacsUnavailableError)) throw error;
      request.log.warn({ reason: error.kind }, 'PACS unreachable (viewer)');
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .header('retry-after', '5')
        .send('The PACS cannot be reached right now. Try again in a moment.');
    }
    if (answer.status !== 200) {
      answer.body.resume();
      return reply
        .code(answer.status === 404 ? 404 : 502)
        .type('text/plain; charset=utf-8')
        .send(answer.status === 404 ? 'Not found' : 'The PACS could not answer.');
    }
    for (const [name, value] of Object.entries(answer.headers)) reply.header(name, value);
    return reply
      .header('content-security-policy', VIEWER_CSP)
      .header('cache-control', cacheable ? 'private, max-age=3600' : 'no-store')
      .send(answer.body);
  }

  // Opened by the viewer page, a browser navigation: signed-in people only, without X-CSRF.
  app.get<{ Params: { '*': string } }>(
    '/web-viewer/*',
    { config: { access: 'navigation' } },
    async (request, reply) => {
      const path = request.params['*'];
      if (!VIEWER_PATH.test(path) || path.includes('..'))
        return reply.code(404).type('text/plain; charset=utf-8').send('Not found');
      // The viewer's code and frames are not audited one by one: opening a series is the access.
      const series = SERIES_PATH.exec(path);
      if (series?.[1]) noteAudit(request, { action: 'pacs.view-series', orthancSeriesId: series[1] });
      // The page, scripts and styles are the plugin's own files; series and frames carry PHI.
      return relay(request, reply, `/web-viewer/${path}`, path.startsWith('libs/'));
    },
  );

  app.get<{ Params: { instanceId: string } }>(
    '/instances/:instanceId/file',
    { config: { access: 'navigation', audit: 'pacs.download-instance' } },
    async (request, reply) => {
      const { instanceId } = request.params;
      if (!ORTHANC_ID.test(instanceId)) return reply.code(404).type('text/plain; charset=utf-8').send('Not found');
      return relay(request, reply, `/instances/${instanceId}/file`, false);
    },
  );
}
