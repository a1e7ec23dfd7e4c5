import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FirstScreenRenderer } from '../../contract/first-screen.ts';
import type { Me } from '../../contract/worklist-api.ts';
import type { AuthContext } from '../auth/auth-context.ts';
import type { SessionUser } from '../auth/session-user.ts';
import { isDicomUid } from '../../contract/study-limits.ts';
import { isUnknownArray } from '../lib/unknown-array.ts';
import { shownGroupFilters, type StudyListFilters } from '../../contract/worklist-filters.ts';

/** The `<meta>` the SPA reads the signed-in person from (see src/spa/app/prefetch.ts). */
export const ME_META_NAME = 'rw-me';
/** The `<script type="application/json">` the SPA reads the groups' first pages from (src/spa/app/prefetch.ts). */
export const FIRST_PAGE_SCRIPT_ID = 'rw-first-page';
/** Rows of that page: the SPA's page size (STUDY_PAGE_SIZE in src/spa/features/worklist/api/get-studies.ts). */
export const FIRST_PAGE_LIMIT = 100;
/**
 * How long the end of the page waits for those pages (and, with a PACS, their rows' context). The app's scripts load meanwhile and run only
 * once the page is complete, so a slow upstream must not hold them longer than the app's own request
 * would take; past this the page ends without it and the app asks as usual.
 */
export const FIRST_PAGE_WAIT_MS = 400;
/** The cookie the SPA keeps the person's theme choice in (src/spa/features/worklist/lib/theme.ts). */
export const THEME_COOKIE = 'rw-theme';
/** A first-screen render slower than this is logged (once): the page waits for it. */
export const FIRST_SCREEN_SLOW_MS = 50;

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

/**
 * Asks `POST /api/pacs/context` for `studyInstanceUids` on behalf of `request`'s person (the route
 * itself, as for {@link FirstPageLoader}): the answer's JSON text when it is a 200, else undefined.
 */
export type PacsContextLoader = (request: FastifyRequest, studyInstanceUids: string[]) => Promise<string | undefined>;

/** One page of rows' PACS context as `POST /api/pacs/context` answered it (JSON text), with the UIDs asked. */
export interface PageContext {
  studyInstanceUids: string[];
  json: string;
}

/**
 * What the worklist's page carries: the first page of each group shown (most urgent first; the
 * first group's always, the others' when they answered in time) and, with a PACS, the context of
 * those pages' rows.
 */
export interface PageData {
  pages: [FirstPage, ...FirstPage[]];
  pacs?: { contexts: PageContext[] } | undefined;
}

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

/**
 * The page's inline block: `{filters, page, more?, pacs?}`, the first group's filters and page (the
 * list answer's own JSON text), `more` the other groups' as `[{filters, page}]`, `pacs` (with a PACS)
 * `{enabled: true, contexts: [{studyInstanceUids, page}]}`, each `page` the context answer's own JSON.
 */
export function firstPageScript(data: PageData): string {
  const [first, ...rest] = data.pages;
  const part = (page: FirstPage) => `"filters":${JSON.stringify(page.filters)},"page":${page.json}`;
  let json = `{${part(first)}`;
  if (rest.length > 0) json += `,"more":[${rest.map((page) => `{${part(page)}}`).join(',')}]`;
  if (data.pacs) {
    const contexts = data.pacs.contexts.map(
      (context) => `{"studyInstanceUids":${JSON.stringify(context.studyInstanceUids)},"page":${context.json}}`,
    );
    json += `,"pacs":{"enabled":true,"contexts":[${contexts.join(',')}]}`;
  }
  json += '}';
  return `<script type="application/json" id="${FIRST_PAGE_SCRIPT_ID}">${escapeScriptJson(json)}</script>`;
}

/**
 * The UIDs of a list page's rows the SPA asks the PACS about, as it asks (src/spa/features/pacs/lib/
 * dicom-uid.ts `lookupUids`: valid UIDs, each once, in row order); empty when the page is not a list.
 */
export function pageLookupUids(json: string): string[] {
  let page: unknown;
  try {
    page = JSON.parse(json);
  } catch {
    return [];
  }
  const studies: unknown = typeof page === 'object' && page !== null ? Reflect.get(page, 'studies') : undefined;
  if (!isUnknownArray(studies)) return [];
  const uids = studies.map((study): unknown =>
    typeof study === 'object' && study !== null ? Reflect.get(study, 'studyInstanceUid') : undefined,
  );
  return [...new Set(uids.filter(isDicomUid))];
}

/** Resolves with `work`'s value, or undefined once `ms` have passed or if it fails. */
function within<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), Math.max(0, ms));
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

/** The first screen as the renderer makes it, with the time it took (ms). */
export interface RenderedFirstScreen {
  html: string;
  ms: number;
}

/**
 * Renders the first screen for `firstPage`, or undefined: nothing to show there, or the renderer
 * failed (`onError`). Never throws: a page without server rows is the page as it was before.
 */
export function renderFirstScreen(
  render: FirstScreenRenderer,
  input: { me: Me; url: string; data: PageData; nonce: string },
  onError: (error: unknown) => void,
): RenderedFirstScreen | undefined {
  const started = performance.now();
  try {
    const [first, ...rest] = input.data.pages;
    const page: unknown = JSON.parse(first.json);
    const more = rest.map((other) => ({ filters: other.filters, page: JSON.parse(other.json) as unknown }));
    const pacs = input.data.pacs
      ? {
          enabled: true as const,
          contexts: input.data.pacs.contexts.map((context) => ({
            studyInstanceUids: context.studyInstanceUids,
            page: JSON.parse(context.json) as unknown,
          })),
        }
      : undefined;
    const rendered = render({ me: input.me, url: input.url, filters: first.filters, page, more, pacs });
    const html =
      typeof rendered === 'string' && rendered.length > 0 ? moveStylesToSheet(rendered, input.nonce) : undefined;
    if (rendered && html === undefined) onError(new Error('the first screen holds a style that is not the grid’s'));
    return html === undefined ? undefined : { html: asPainting(html), ms: performance.now() - started };
  } catch (error) {
    onError(error);
    return undefined;
  }
}

/**
 * The first screen as a picture of the app until the app takes it over: `inert`, so a click or a key
 * before then is not taken by markup about to be replaced (the person sees nothing happen, rather
 * than a choice that is lost); the app's first render replaces the wrapper with its own live rows. It
 * takes no part in the layout (`display: contents`, src/spa/styles.css).
 */
function asPainting(html: string): string {
  return `<div data-first-screen inert>${html}</div>`;
}

/** `<html ...>` with the person's theme choice (the SPA's cookie), as the SPA would set it before its first paint. */
function withTheme(page: string, request: FastifyRequest): string {
  const theme = request.cookies[THEME_COOKIE];
  if (theme !== 'dark' && theme !== 'light') return page;
  return page.replace(/<html(?=[\s>])/, `<html data-theme="${theme}"`);
}

/** What a style attribute of the rendered first screen may hold: the grid's sizes and positions, nothing else. */
const SAFE_STYLE = /^[\w\s\-:;.,%()#]*$/;
const ATTRIBUTE_ENTITIES: Record<string, string> = {
  '&amp;': '&',
  '&quot;': '"',
  '&#x27;': "'",
  '&lt;': '<',
  '&gt;': '>',
};

/**
 * The rendered first screen with its `style` attributes moved into one `<style>` element carrying
 * the page's nonce: the CSP allows no inline style attribute (`style-src 'self'`), so as HTML the
 * browser would ignore them (the app sets the same styles through the DOM, which the CSP does not
 * restrict). Each distinct style becomes a rule for `[data-rw-style="N"]`, its declarations
 * `!important` as an inline style outranks the classes. The element sits inside the root, so the
 * app's first render removes it with the rows. Undefined when a style holds anything but the
 * grid's sizes and positions (never expected: the components set them; studies' text is never in one).
 */
export function moveStylesToSheet(html: string, nonce: string): string | undefined {
  const ids = new Map<string, number>();
  let unsafe = false;
  const markup = html.replace(/ style="([^"]*)"/g, (_attribute, value: string) => {
    const css = value.replace(/&(?:amp|quot|#x27|lt|gt);/g, (entity) => ATTRIBUTE_ENTITIES[entity] ?? entity);
    if (!SAFE_STYLE.test(css)) unsafe = true;
    let id = ids.get(css);
    if (id === undefined) {
      id = ids.size;
      ids.set(css, id);
    }
    return ` data-rw-style="${id}"`;
  });
  if (unsafe) return undefined;
  if (ids.size === 0) return markup;
  const rules = [...ids].map(([css, id]) => {
    const declarations = css
      .split(';')
      .filter((declaration) => declaration.trim() !== '')
      .map((declaration) => `${declaration} !important`)
      .join(';');
    return `[data-rw-style="${id}"]{${declarations}}`;
  });
  return `<style nonce="${nonce}">${rules.join('')}</style>${markup}`;
}

/** The page's CSP (set for every answer by security-headers.ts) with styles of this nonce allowed too. */
function allowStyleNonce(reply: FastifyReply, nonce: string): void {
  const policy = reply.raw.getHeader('content-security-policy');
  if (typeof policy !== 'string' || !/(^|;)\s*style-src /.test(policy)) return;
  reply.raw.setHeader('content-security-policy', policy.replace(/((?:^|;)\s*style-src [^;]*)/, `$1 'nonce-${nonce}'`));
}

/**
 * The page's data for `request`'s person: every shown group's first page, asked at once (the app asks
 * for them all as soon as the first has answered), and with a PACS the context of their rows, all by
 * `deadline` (a `performance.now()` time). Undefined when the first group's page is not in by then (or
 * was refused); a later group's page that is not in by then is left out, and so is its context.
 */
async function loadPageData(
  request: FastifyRequest,
  user: SessionUser,
  worklist: WorklistPageOptions,
  deadline: number,
): Promise<PageData | undefined> {
  const search = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
  // The SPA's own reading of the address, for the SPA's own idea of who is looking (src/contract/actor.ts).
  const groups = shownGroupFilters({ role: user.role, userId: user.userId }, search);
  const answers = await Promise.all(
    groups.map(async (filters) => {
      const json = await within(worklist.firstPage(request, firstPageQuery(filters)), deadline - performance.now());
      return json === undefined ? undefined : { filters, json };
    }),
  );
  const [first, ...rest] = answers;
  if (!first) return undefined;
  const pages: PageData['pages'] = [first];
  // A group after a missing one stays out too: the app asks for the groups in order.
  for (const page of rest) {
    if (!page) break;
    pages.push(page);
  }
  const { pacsContext } = worklist;
  if (!pacsContext) return { pages };
  const asked = pages.map((page) => pageLookupUids(page.json)).filter((uids) => uids.length > 0);
  const contexts = await Promise.all(
    asked.map(async (studyInstanceUids) => {
      const json = await within(pacsContext(request, studyInstanceUids), deadline - performance.now());
      return json === undefined ? undefined : { studyInstanceUids, json };
    }),
  );
  return { pages, pacs: { contexts: contexts.filter((context) => context !== undefined) } };
}

/** What the worklist's pages add to the SPA's page (see `createSpaPage`). */
export interface WorklistPageOptions {
  /** Loads a group's first page for the person. */
  firstPage: FirstPageLoader;
  /** With a PACS connected: loads a page of rows' PACS context for the person. */
  pacsContext?: PacsContextLoader | undefined;
  /** Renders the first screen from it (the built SPA's server entry); without it, only the data goes in the page. */
  renderer?: FirstScreenRenderer | undefined;
}

/** The `<div id="root">` index.html holds, empty: the app renders into it. */
const ROOT_ELEMENT = '<div id="root"></div>';

/**
 * The SPA's page. With a sign-in session (dev and OIDC modes) it carries who is signed in, as
 * `/api/me` would answer, in a `<meta>`: the app then asks for its first worklist page at once
 * instead of after a round trip to `/api/me`. Such a page is personal, so it is never stored
 * (`no-store`), and it carries the person's theme choice on `<html>` (the SPA's `rw-theme`
 * cookie), so what the browser paints before the app runs is in that theme. Without a session it
 * is the same for everyone and only revalidated. Behind a sign-in proxy the person is resolved per
 * request by the API, and the page stays generic.
 *
 * With `worklist` (the worklist's addresses), a signed-in person's page also carries the first
 * page of each group they will see there (and with a PACS those rows' context: decision record
 * 044), so the app renders its first rows without asking, and, with a renderer, those rows already rendered in `<div id="root">` (decision record 041), so
 * the browser shows them before any script has run. The page is sent in two parts: everything up
 * to the root element's content at once (the browser starts loading the scripts and the styles),
 * then, when the list has answered (at most FIRST_PAGE_WAIT_MS later), the rendered first screen,
 * the rest of the page and the data block. A refusal, an error or a late answer leaves both out; a
 * renderer that fails leaves the rows out (logged once); the app then shows what it gets, as it
 * does without them.
 */
export function createSpaPage(
  root: string,
  auth: Pick<AuthContext, 'mode' | 'sessions' | 'cookie'>,
  worklist?: WorklistPageOptions,
) {
  let renderFailureLogged = false;
  let slowRenderLogged = false;
  return async function sendSpaPage(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    // Read per request (under a millisecond): a rebuild while the server runs never serves stale asset names.
    const html = await readFile(join(root, 'index.html'), 'utf8');
    // The identity hook has looked up the session already (routes/page routes are matched).
    const session = auth.mode === 'proxy' || !request.user || !request.sessionId ? undefined : { user: request.user };
    reply.type('text/html; charset=utf-8');
    if (!session || !html.includes('</head>')) return reply.header('cache-control', 'no-cache').send(html);
    const me: Me = { ...session.user, authMode: auth.mode };
    const meta = `<meta name="${ME_META_NAME}" content="${escapeAttribute(JSON.stringify(me))}">`;
    const page = withTheme(html.replace('</head>', `${meta}</head>`), request);
    reply.header('cache-control', 'no-store');
    const bodyEnd = page.lastIndexOf('</body>');
    if (!worklist || request.method !== 'GET' || bodyEnd < 0) return reply.send(page);
    // The root's content goes where index.html leaves it empty; without one, before </body>.
    const rootAt = page.indexOf(ROOT_ELEMENT);
    const contentAt = rootAt >= 0 && rootAt < bodyEnd ? rootAt + ROOT_ELEMENT.length - '</div>'.length : bodyEnd;
    const { renderer } = worklist;
    // Decided before the head goes out: the page's styles may then come with this nonce.
    const nonce = renderer && contentAt !== bodyEnd ? randomBytes(16).toString('base64') : undefined;
    if (nonce) allowStyleNonce(reply, nonce);
    const stream = new PassThrough();
    stream.write(page.slice(0, contentAt));
    const deadline = performance.now() + FIRST_PAGE_WAIT_MS;
    void loadPageData(request, session.user, worklist, deadline).then((inline) => {
      // The browser may have gone meanwhile (Fastify then destroys the stream): nothing to finish.
      if (stream.destroyed) return;
      const screen =
        inline && renderer && nonce
          ? renderFirstScreen(renderer, { me, url: request.url, data: inline, nonce }, (error) => {
              if (renderFailureLogged) return;
              renderFailureLogged = true;
              request.log.warn(
                { err: error },
                'the first screen did not render: worklist pages go out without their first rows',
              );
            })
          : undefined;
      if (screen && screen.ms > FIRST_SCREEN_SLOW_MS && !slowRenderLogged) {
        slowRenderLogged = true;
        request.log.warn({ ms: Math.round(screen.ms) }, 'the first screen took long to render');
      }
      const data = inline ? firstPageScript(inline) : '';
      stream.end(`${screen?.html ?? ''}${page.slice(contentAt, bodyEnd)}${data}${page.slice(bodyEnd)}`);
    });
    return reply.send(stream);
  };
}
