import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Me } from '../../contract/worklist-api.ts';
import type { AuthContext } from '../auth/auth-context.ts';
import type { SessionUser } from '../auth/session-user.ts';
import { firstGroupFilters, type StudyListFilters } from '../../contract/worklist-filters.ts';

/** The `<meta>` the SPA reads the signed-in person from (see src/spa/app/prefetch.ts). */
export const ME_META_NAME = 'rw-me';
/** The `<script type="application/json">` the SPA reads the first group's page from (src/spa/app/prefetch.ts). */
export const FIRST_PAGE_SCRIPT_ID = 'rw-first-page';
/** Rows of that page: the SPA's page size (STUDY_PAGE_SIZE in src/spa/features/worklist/api/get-studies.ts). */
export const FIRST_PAGE_LIMIT = 100;
/**
 * How long the end of the page waits for that page. The app's scripts load meanwhile and run only
 * once the page is complete, so a slow upstream must not hold them longer than the app's own request
 * would take; past this the page ends without it and the app asks as usual.
 */
export const FIRST_PAGE_WAIT_MS = 400;

/** The first group's page as `/api/studies` answered it (JSON text), with the filters it was asked with. */
export interface FirstPage {
  filters: StudyListFilters;
  json: string;
}

/**
 * Asks `/api/studies` for `filters` on behalf of `request`'s person: the answer when it is a 200,
 * else undefined. (The BFF asks itself, so the route's access rule, rate limit and audit line apply
 * exactly as to the app's own request.)
 */
export type FirstPageLoader = (request: FastifyRequest, query: URLSearchParams) => Promise<string | undefined>;

export interface StaticSpaOptions {
  /** The folder `vite build` writes to. */
  root: string;
}

/** Whether the SPA has been built into `root`. */
export function isSpaBuilt(root: string): boolean {
  return existsSync(join(root, 'index.html'));
}

/**
 * Serves the built SPA's assets, brotli or gzip where the browser accepts it. Hashed assets are
 * cached for a year; the page itself is answered by `createSpaPage` (for `/` and every client-side
 * route).
 */
export async function registerStaticSpa(app: FastifyInstance, { root }: StaticSpaOptions): Promise<void> {
  await app.register(async (assets) => {
    // The built files are the same for everyone and hold no data.
    assets.addHook('onRoute', (route) => {
      route.config = { ...route.config, access: 'public' };
    });
    await assets.register(fastifyStatic, {
      root,
      index: false,
      wildcard: true,
      // The build writes .br and .gz copies of scripts and styles (vite.config.ts).
      preCompressed: true,
      setHeaders(reply, path) {
        reply.header('cache-control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
  });
}

function escapeAttribute(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/**
 * JSON text made safe inside a `<script>` element: every `<`, `>` and `&` (and the two line
 * separators JavaScript once treated as line ends) written as a `\u` escape, which means the same
 * inside a JSON string and cannot occur outside one. So no `</script>`, `<!--` or `<script` can end
 * or change the element, whatever the studies' text holds, even if `json` were not valid JSON.
 */
export function escapeScriptJson(json: string): string {
  return json.replace(
    /[<>&\u2028\u2029]/g,
    (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** The `/api/studies` query the app sends for a group's first page (src/spa/lib/api-client.ts: `undefined` left out). */
export function firstPageQuery(filters: StudyListFilters): URLSearchParams {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries({ ...filters, limit: FIRST_PAGE_LIMIT })) {
    if (value !== undefined && value !== null) query.set(name, String(value));
  }
  return query;
}

/** The page's inline block: `{filters, page}` (`page` is the list answer's own JSON text). */
export function firstPageScript(firstPage: FirstPage): string {
  const json = `{"filters":${JSON.stringify(firstPage.filters)},"page":${firstPage.json}}`;
  return `<script type="application/json" id="${FIRST_PAGE_SCRIPT_ID}">${escapeScriptJson(json)}</script>`;
}

/** Resolves with `work`'s value, or undefined once `ms` have passed or if it fails. */
function within<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      () => {
        clearTimeout(timer);
        resolve(undefined);
      },
    );
  });
}

async function loadFirstPage(
  request: FastifyRequest,
  user: SessionUser,
  load: FirstPageLoader,
): Promise<FirstPage | undefined> {
  const search = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
  // The SPA's own reading of the address, for the SPA's own idea of who is looking (src/contract/actor.ts).
  const filters = firstGroupFilters({ role: user.role, userId: user.userId }, search);
  if (!filters) return undefined;
  const json = await load(request, firstPageQuery(filters));
  return json === undefined ? undefined : { filters, json };
}

/**
 * The SPA's page. With a sign-in session (dev and OIDC modes) it carries who is signed in, as
 * `/api/me` would answer, in a `<meta>`: the app then asks for its first worklist page at once
 * instead of after a round trip to `/api/me`. Such a page is personal, so it is never stored
 * (`no-store`); without a session it is the same for everyone and only revalidated. Behind a
 * sign-in proxy the person is resolved per request by the API, and the page stays generic.
 *
 * With `firstPage` (the worklist's addresses), a signed-in person's page also carries the first
 * page of the first group they will see there, so the app renders its first rows without asking.
 * The page is sent in two parts: everything up to `</body>` at once (the browser starts loading the
 * scripts), then that block when the list has answered, at most FIRST_PAGE_WAIT_MS later. A refusal,
 * an error or a late answer leaves the block out; the app then asks itself and shows what it gets.
 */
export function createSpaPage(
  root: string,
  auth: Pick<AuthContext, 'mode' | 'sessions' | 'cookie'>,
  firstPage?: FirstPageLoader,
) {
  return async function sendSpaPage(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    // Read per request (under a millisecond): a rebuild while the server runs never serves stale asset names.
    const html = await readFile(join(root, 'index.html'), 'utf8');
    // The identity hook has looked up the session already (routes/page routes are matched).
    const session = auth.mode === 'proxy' || !request.user || !request.sessionId ? undefined : { user: request.user };
    reply.type('text/html; charset=utf-8');
    if (!session || !html.includes('</head>')) return reply.header('cache-control', 'no-cache').send(html);
    const me: Me = { ...session.user, authMode: auth.mode };
    const meta = `<meta name="${ME_META_NAME}" content="${escapeAttribute(JSON.stringify(me))}">`;
    const page = html.replace('</head>', `${meta}</head>`);
    reply.header('cache-control', 'no-store');
    const bodyEnd = page.lastIndexOf('</body>');
    if (!firstPage || request.method !== 'GET' || bodyEnd < 0) return reply.send(page);
    const stream = new PassThrough();
    stream.write(page.slice(0, bodyEnd));
    void within(loadFirstPage(request, session.user, firstPage), FIRST_PAGE_WAIT_MS).then((inline) => {
      // The browser may have gone meanwhile (Fastify then destroys the stream): nothing to finish.
      if (!stream.destroyed) stream.end(`${inline ? firstPageScript(inline) : ''}${page.slice(bodyEnd)}`);
    });
    return reply.send(stream);
  };
}
