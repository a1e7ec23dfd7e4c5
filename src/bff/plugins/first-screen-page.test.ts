import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FirstScreenInput, FirstScreenRenderer } from '../../contract/first-screen.ts';
import { DEMO_RADIOLOGIST, studyFixture, usersPageFixture } from '../../../test/support/study-fixture.ts';
import { json, startRecordingUpstream, type RecordingUpstream } from '../../../test/support/recording-upstream.ts';
import { buildTestBff, signIn } from '../../../test/support/test-bff.ts';
import { loadFirstScreenRenderer } from './first-screen.ts';
import { FIRST_PAGE_SCRIPT_ID, moveStylesToSheet, THEME_COOKIE } from './static-spa.ts';

const STUDY = studyFixture(`stu_${'0123456789abcdef'.repeat(2)}`, { studyDescription: 'CT Head' });
const PAGE = { studies: [STUDY], hasMore: false, cursor: null };
const INDEX =
  '<!doctype html><html lang="en"><head><title>Radiology Worklist</title><script type="module" src="/assets/app.js"></script></head><body><div id="root"></div></body></html>';

/** A stand-in for the built renderer: what it was given, and markup that says so. */
let calls: FirstScreenInput[] = [];
let behaviour: 'render' | 'throw' = 'render';
const renderer: FirstScreenRenderer = (input) => {
  calls.push(input);
  if (behaviour === 'throw') throw new Error('renderer broke');
  return `<div role="grid"><div data-study-row="" aria-rowindex="3">${input.me.name}</div></div>`;
};

let upstream: RecordingUpstream;
let withRenderer: FastifyInstance;
let withoutRenderer: FastifyInstance;
let cookie = '';
let cookieWithout = '';
const logLines: string[] = [];

beforeAll(async () => {
  upstream = await startRecordingUpstream();
  const spaRoot = mkdtempSync(join(tmpdir(), 'spa-'));
  writeFileSync(join(spaRoot, 'index.html'), INDEX);
  const logStream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  const base = { upstreamUrl: upstream.url, apiKey: 'test-key-0123456789', spaRoot };
  withRenderer = await buildTestBff({ ...base, firstScreen: renderer, logStream });
  withoutRenderer = await buildTestBff(base);
  upstream.respond(json(200, usersPageFixture()));
  cookie = (await signIn(withRenderer, DEMO_RADIOLOGIST.email)).cookie ?? '';
  cookieWithout = (await signIn(withoutRenderer, DEMO_RADIOLOGIST.email)).cookie ?? '';
});

afterAll(async () => {
  await withRenderer.close();
  await withoutRenderer.close();
  await upstream.close();
});

beforeEach(() => {
  calls = [];
  behaviour = 'render';
  logLines.length = 0;
  upstream.respond(json(200, PAGE));
});

/** What `<div id="root">` holds in the page. */
function rootContent(html: string): string | undefined {
  const start = html.indexOf('<div id="root">');
  const end = html.indexOf(`<script type="application/json" id="${FIRST_PAGE_SCRIPT_ID}">`);
  if (start < 0) return undefined;
  const content = html.slice(start + '<div id="root">'.length, end < 0 ? html.indexOf('</body>') : end);
  return content.endsWith('</div>') ? content.slice(0, -'</div>'.length) : content;
}

describe('the worklist page with its first screen rendered on the server', () => {
  it('carries the rendered first screen inside the root element, then the data, personal and never stored', async () => {
    const response = await withRenderer.inject({ url: '/?q=Head', headers: { cookie, accept: 'text/html' } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    // In an inert wrapper until the app takes it over.
    expect(rootContent(response.body)).toBe(
      '<div data-first-screen inert><div role="grid"><div data-study-row="" aria-rowindex="3">Riley Radiologist, MD</div></div></div>',
    );
    expect(response.body).toContain(FIRST_PAGE_SCRIPT_ID);
    expect(response.body.endsWith('</body></html>')).toBe(true);
    // Given what the app starts from: the person, the address, the block's filters and page.
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ url: '/?q=Head', me: { email: DEMO_RADIOLOGIST.email, role: 'radiologist' } });
    expect(calls[0]?.filters).toMatchObject({ severity: 'stat', search: 'Head' });
    // The page as the list route answered it, parsed.
    expect((calls[0]?.page as { studies: { studyId: string }[] }).studies[0]?.studyId).toBe(STUDY.studyId);
  });

  it('goes out without rows, but whole and with its data, when the renderer fails, and says so once', async () => {
    behaviour = 'throw';
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const response = await withRenderer.inject({ url: '/', headers: { cookie, accept: 'text/html' } });
      expect(response.statusCode).toBe(200);
      expect(rootContent(response.body)).toBe('');
      expect(response.body).toContain(FIRST_PAGE_SCRIPT_ID);
      expect(response.body.endsWith('</body></html>')).toBe(true);
    }
    expect(calls).toHaveLength(2);
    expect(logLines.filter((line) => line.includes('the first screen did not render'))).toHaveLength(1);
  });

  it('goes out without rows when the list fails, without asking the renderer', async () => {
    upstream.respond(json(503, { type: 'about:blank', title: 'Unavailable', status: 503, detail: 'down' }));
    const response = await withRenderer.inject({ url: '/', headers: { cookie, accept: 'text/html' } });
    expect(rootContent(response.body)).toBe('');
    expect(calls).toHaveLength(0);
  });

  it('is the page as before without a renderer: the data, an empty root', async () => {
    const response = await withoutRenderer.inject({
      url: '/',
      headers: { cookie: cookieWithout, accept: 'text/html' },
    });
    expect(response.statusCode).toBe(200);
    expect(rootContent(response.body)).toBe('');
    expect(response.body).toContain(FIRST_PAGE_SCRIPT_ID);
  });

  it('puts the remembered theme on <html>, and nothing else the cookie says', async () => {
    const dark = await withRenderer.inject({
      url: '/',
      headers: { cookie: `${cookie}; ${THEME_COOKIE}=dark`, accept: 'text/html' },
    });
    expect(dark.body).toContain('<html data-theme="dark" lang="en">');
    const forged = await withRenderer.inject({
      url: '/',
      headers: { cookie: `${cookie}; ${THEME_COOKIE}="><script>`, accept: 'text/html' },
    });
    expect(forged.body).toContain('<html lang="en">');
  });
});

describe('moveStylesToSheet', () => {
  it('moves each distinct style into one rule of a nonce’d style element, the markup otherwise the same', () => {
    const html =
      '<div style="position:absolute;top:40px"><span class="x" style="width:var(--col-a)">a &amp; b</span></div><i style="position:absolute;top:40px"></i>';
    expect(moveStylesToSheet(html, 'N0nce')).toBe(
      '<style nonce="N0nce">[data-rw-style="0"]{position:absolute !important;top:40px !important}[data-rw-style="1"]{width:var(--col-a) !important}</style>' +
        '<div data-rw-style="0"><span class="x" data-rw-style="1">a &amp; b</span></div><i data-rw-style="0"></i>',
    );
    expect(moveStylesToSheet('<p>no styles</p>', 'N')).toBe('<p>no styles</p>');
  });

  it('refuses a style that could end the element or hold anything but sizes and positions', () => {
    expect(moveStylesToSheet('<p style="width:1px;&lt;/style&gt;&lt;script&gt;"></p>', 'N')).toBeUndefined();
    expect(moveStylesToSheet('<p style="background:url(x)}p{color:red"></p>', 'N')).toBeUndefined();
  });

  it('goes in the page with the CSP allowing exactly that nonce', async () => {
    const styled: FirstScreenRenderer = () => '<div data-study-row="" style="height:36px"></div>';
    const spaRoot = mkdtempSync(join(tmpdir(), 'spa-'));
    writeFileSync(join(spaRoot, 'index.html'), INDEX);
    const app = await buildTestBff({
      upstreamUrl: upstream.url,
      apiKey: 'test-key-0123456789',
      spaRoot,
      firstScreen: styled,
    });
    try {
      upstream.respond(json(200, usersPageFixture()));
      const signedIn = (await signIn(app, DEMO_RADIOLOGIST.email)).cookie ?? '';
      upstream.respond(json(200, PAGE));
      const response = await app.inject({ url: '/', headers: { cookie: signedIn, accept: 'text/html' } });
      const nonce = /<style nonce="([^"]+)">/.exec(response.body)?.[1] ?? '';
      expect(nonce).toMatch(/^[A-Za-z0-9+/=]{20,}$/);
      expect(String(response.headers['content-security-policy'])).toContain(`style-src 'self' 'nonce-${nonce}'`);
      expect(rootContent(response.body)).toContain('<div data-study-row="" data-rw-style="0"></div>');
      // Another page, another nonce; the API keeps the plain policy.
      const again = await app.inject({ url: '/', headers: { cookie: signedIn, accept: 'text/html' } });
      expect(/<style nonce="([^"]+)">/.exec(again.body)?.[1]).not.toBe(nonce);
      const api = await app.inject({ url: '/api/health' });
      expect(String(api.headers['content-security-policy'])).not.toContain('nonce-');
    } finally {
      await app.close();
    }
  });
});

describe('loadFirstScreenRenderer', () => {
  const folder = mkdtempSync(join(tmpdir(), 'first-screen-'));
  const warnings: string[] = [];
  const log = { warn: (message: string) => warnings.push(message) };

  it('loads the built module’s renderer', async () => {
    const file = join(folder, 'good.js');
    writeFileSync(file, 'export function renderFirstScreen(input) { return `<p>${input.me.name}</p>`; }');
    const loaded = await loadFirstScreenRenderer(file, log);
    expect(loaded?.({ me: { name: 'X' }, url: '/', filters: {}, page: {} } as FirstScreenInput)).toBe('<p>X</p>');
    expect(warnings).toEqual([]);
  });

  it('is undefined, quietly, when nothing is built, and with a warning when the file is not a renderer', async () => {
    expect(await loadFirstScreenRenderer(join(folder, 'missing.js'), log)).toBeUndefined();
    expect(warnings).toEqual([]);
    writeFileSync(join(folder, 'other.js'), 'export const nothing = 1;');
    expect(await loadFirstScreenRenderer(join(folder, 'other.js'), log)).toBeUndefined();
    writeFileSync(join(folder, 'broken.js'), 'throw new Error("broken at load");');
    expect(await loadFirstScreenRenderer(join(folder, 'broken.js'), log)).toBeUndefined();
    expect(warnings).toHaveLength(2);
  });
});
