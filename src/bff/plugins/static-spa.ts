import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

export interface StaticSpaOptions {
  /** The folder `vite build` writes to. */
  root: string;
}

/** Whether the SPA has been built into `root`. */
export function isSpaBuilt(root: string): boolean {
  return existsSync(join(root, 'index.html'));
}

/**
 * Serves the built SPA. Hashed assets are cached for a year; index.html is revalidated so a new
 * release is picked up at once. Client-side routes fall back to index.html (see the not-found handler).
 */
export async function registerStaticSpa(app: FastifyInstance, { root }: StaticSpaOptions): Promise<void> {
  await app.register(fastifyStatic, {
    root,
    index: 'index.html',
    wildcard: true,
    setHeaders(reply, path) {
      reply.header('cache-control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
}
