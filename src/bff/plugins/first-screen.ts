import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { FIRST_SCREEN_EXPORT, type FirstScreenRenderer } from '../../contract/first-screen.ts';

/**
 * The worklist's first-screen renderer, as `npm run build` writes it (src/spa/server/first-screen.tsx
 * built into dist-server/first-screen.js), loaded once at start; undefined when it has not been
 * built (development, tests) or does not load, and the worklist's page then goes out without
 * server-rendered rows, as before (decision record 041). The BFF never imports the SPA's source:
 * this is a built file, loaded at run time.
 */
export async function loadFirstScreenRenderer(
  file: string,
  log: { warn(message: string): void },
): Promise<FirstScreenRenderer | undefined> {
  if (!existsSync(file)) return undefined;
  try {
    const module: unknown = await import(pathToFileURL(file).href);
    const renderer: unknown =
      typeof module === 'object' && module !== null ? Reflect.get(module, FIRST_SCREEN_EXPORT) : undefined;
    if (typeof renderer === 'function') return renderer as FirstScreenRenderer;
    log.warn(`${file} does not export ${FIRST_SCREEN_EXPORT}: the worklist's page goes out without its first rows`);
  } catch (error) {
    log.warn(`${file} did not load (${String(error)}): the worklist's page goes out without its first rows`);
  }
  return undefined;
}
