import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { defineConfig } from 'vite';
import type { Plugin } from 'vite';
import type { ChunkingContext } from 'rolldown';
import react from '@vitejs/plugin-react';
import tailwindcss from '@tailwindcss/vite';

// The BFF serves /api and the viewer /launch route; in dev the SPA is served by Vite, so both are
// proxied to the BFF to keep every request same-origin, as it is in production.
const bffTarget = 'http://localhost:8080';

/**
 * Writes a brotli and a gzip copy beside each built script and stylesheet, which the BFF sends to
 * browsers that accept them (`preCompressed` in src/bff/plugins/static-spa.ts): compressed once at
 * build time, at the highest levels, instead of on every request.
 */
function precompressAssets(): Plugin {
  return {
    name: 'precompress-assets',
    apply: 'build',
    writeBundle(options) {
      const assets = join(options.dir ?? 'dist', 'assets');
      for (const name of readdirSync(assets)) {
        if (!/\.(js|css)$/.test(name)) continue;
        const file = join(assets, name);
        const content = readFileSync(file);
        writeFileSync(`${file}.br`, brotliCompressSync(content, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
        writeFileSync(`${file}.gz`, gzipSync(content, { level: 9 }));
      }
    },
  };
}

/** The app proper: the entry point (`src/spa/main.tsx`) imports it once the page has been painted. */
const BOOT_MODULE = /[\\/]src[\\/]spa[\\/]boot\.tsx$/;

/**
 * Whether a module of the app runs on every page load: imported, import by import, by the entry
 * point or by the app it starts (`src/spa/boot.tsx`), not only by something loaded later.
 */
function loadsWithEntry(id: string, ctx: ChunkingContext, seen = new Set<string>()): boolean {
  if (seen.has(id)) return false;
  seen.add(id);
  const info = ctx.getModuleInfo(id);
  if (!info) return false;
  if (info.isEntry || BOOT_MODULE.test(id)) return true;
  return info.importers.some((importer) => loadsWithEntry(importer, ctx, seen));
}

/**
 * Two scripts for the first screen: `common`, the libraries and the app's modules that code loaded
 * later imports too (so that code finds them loaded), and the entry with the rest of the first
 * screen. Left to itself, the bundler makes a file of each set of modules shared by the same chunks:
 * eight small files of 1–2 KB on the first screen, each a request the server answers before anything
 * runs, and compressing worse apart than together. Modules only loaded later keep their own chunks,
 * so the first screen carries none of their code.
 */
function chunkName(id: string, ctx: ChunkingContext): string | null {
  if (id.includes('/node_modules/')) return 'common';
  const info = ctx.getModuleInfo(id);
  if (!info || info.isEntry) return null;
  return info.importers.length + info.dynamicImporters.length > 1 && loadsWithEntry(id, ctx) ? 'common' : null;
}

/**
 * The page's head preloads the app that the entry imports after the first paint (`src/spa/main.tsx`)
 * and the files that app imports, as it would for a static import: they download and compile while
 * the BFF still waits for the first studies, and the entry's wait of one frame costs no request.
 */
function preloadBoot(): Plugin {
  return {
    name: 'preload-boot',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(html, context) {
        const chunks = Object.values(context.bundle ?? {}).filter((output) => output.type === 'chunk');
        const boot = chunks.find((chunk) => chunk.facadeModuleId !== null && BOOT_MODULE.test(chunk.facadeModuleId));
        if (!boot) throw new Error('The build has no chunk for src/spa/boot.tsx');
        const files = new Set<string>();
        const visit = (fileName: string) => {
          if (files.has(fileName)) return;
          files.add(fileName);
          for (const imported of chunks.find((chunk) => chunk.fileName === fileName)?.imports ?? []) visit(imported);
        };
        visit(boot.fileName);
        const links = [...files]
          .filter((file) => !html.includes(`/${file}"`))
          .map((file) => `<link rel="modulepreload" crossorigin href="/${file}">`)
          .join('');
        return html.replace('</head>', `${links}</head>`);
      },
    },
  };
}

/**
 * React Router's build wraps each component in `forwardRef(...)` and then sets its `displayName`,
 * both at module level: to the bundler both are side effects, so every such component (NavLink,
 * Form with its submission helpers) stays in the bundle whether the app uses it or not. Marking the
 * call pure and dropping the names (only React's developer tools read them) lets the unused ones go:
 * about 4 KB gzip off the worklist's first screen (the SPA uses the declarative `<Router>`, decision 034).
 */
function treeShakeRouterComponents(): Plugin {
  return {
    name: 'tree-shake-router-components',
    apply: 'build',
    transform: {
      filter: { id: /[\\/]node_modules[\\/]react-router[\\/]dist[\\/]production[\\/]/ },
      handler(code) {
        const changed = code
          .replaceAll(/^(const \w+ = )(React\$1\.forwardRef\()/gm, '$1/* @__PURE__ */ $2')
          .replaceAll(/^\w+\.displayName = "[^"\n]*";$/gm, '');
        // Every line stays where it was: the library's own source map still holds (`map: null`).
        return { code: changed, map: null };
      },
    },
  };
}

/**
 * The worklist's first screen rendered on the server (src/spa/server/first-screen.tsx), built by
 * `npm run build` after the SPA (`vite build --ssr`) into dist-server/, beside dist/ and never served
 * to browsers; the BFF loads it at start (decision record 041). One self-contained module: React
 * and the other libraries are bundled in, in their production builds, so the server needs nothing
 * else at run time and never renders with React's development build.
 */
export const FIRST_SCREEN_OUT_DIR = 'dist-server';

export default defineConfig(({ isSsrBuild }) => ({
  plugins: [
    react(),
    tailwindcss(),
    ...(isSsrBuild ? [] : [precompressAssets(), treeShakeRouterComponents(), preloadBoot()]),
  ],
  ...(isSsrBuild
    ? {
        define: { 'process.env.NODE_ENV': JSON.stringify('production') },
        ssr: { noExternal: true, target: 'node' as const },
      }
    : {}),
  build: isSsrBuild
    ? {
        outDir: FIRST_SCREEN_OUT_DIR,
        emptyOutDir: true,
        sourcemap: false,
        target: 'node24',
        copyPublicDir: false,
        rolldownOptions: {
          input: 'src/spa/server/first-screen.tsx',
          output: { entryFileNames: 'first-screen.js', codeSplitting: false },
        },
      }
    : {
        outDir: 'dist',
        emptyOutDir: true,
        // Source maps would ship the whole source to every browser; the bundle budget is measured without them.
        sourcemap: false,
        target: 'es2022',
        rolldownOptions: {
          output: {
            codeSplitting: {
              groups: [
                // Vite's loader of dynamic imports, which the entry point uses: a file of its own, as
                // with the libraries the entry would import all of them (React among them) to get it,
                // and the app's code would run before the first paint after all.
                { name: 'preload-helper', test: /vite\/preload-helper/, priority: 1 },
                { name: chunkName },
              ],
            },
          },
        },
      },
  server: {
    proxy: {
      // Everything the BFF serves besides the SPA: the API, sign-in, viewer launch links, and (with a
      // PACS) Orthanc's web viewer it proxies.
      '/api': { target: bffTarget, changeOrigin: false },
      '/auth': { target: bffTarget, changeOrigin: false },
      '/launch': { target: bffTarget, changeOrigin: false },
      '/web-viewer': { target: bffTarget, changeOrigin: false },
      '/instances': { target: bffTarget, changeOrigin: false },
    },
  },
}));
