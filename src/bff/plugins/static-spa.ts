import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Me } from '../../contract/worklist-api.ts';
import type { AuthContext } from '../auth/auth-context.ts';

/** The `<meta>` the SPA reads the signed-in person from (see src/spa/app/prefetch.ts). */
export const ME_META_NAME = 'rw-me';

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
 * The SPA's page. With a sign-in session (dev and OIDC modes) it carries who is signed in, as
 * `/api/me` would answer, in a `<meta>`: the app then asks for its first worklist page at once
 * instead of after a round trip to `/api/me`. Such a page is personal, so it is never stored
 * (`no-store`); without a session it is the same for everyone and only revalidated. Behind a
 * sign-in proxy the person is resolved per request by the API, and the page stays generic.
 */
export function createSpaPage(root: string, auth: Pick<AuthContext, 'mode' | 'sessions' | 'cookie'>) {
  return async function sendSpaPage(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    // Read per request (under a millisecond): a rebuild while the server runs never serves stale asset names.
    const html = await readFile(join(root, 'index.html'), 'utf8');
    const session = auth.mode === 'proxy' ? undefined : auth.sessions.touch(request.cookies[auth.cookie.name]);
    reply.type('text/html; charset=utf-8');
    if (!session || !html.includes('</head>')) return reply.header('cache-control', 'no-cache').send(html);
    const me: Me = { ...session.user, authMode: auth.mode };
    const meta = `<meta name="${ME_META_NAME}" content="${escapeAttribute(JSON.stringify(me))}">`;
    return reply.header('cache-control', 'no-store').send(html.replace('</head>', `${meta}</head>`));
  };
}
