import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { defineConfig } from 'vite';
import type { Plugin } from 'vite';
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

/**
 * React Router's build wraps each component in `forwardRef(...)` and then sets its `displayName`,
 * both at module level: to the bundler both are side effects, so every such component (NavLink,
 * Form with its submission helpers) stays in the bundle whether the app uses it or not. Marking the
 * call pure and dropping the names (only React's developer tools read them) lets the unused ones go:
 * about 1.9 KB gzip off the worklist's first screen.
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

export default defineConfig({
  plugins: [react(), tailwindcss(), precompressAssets(), treeShakeRouterComponents()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Source maps would ship the whole source to every browser; the bundle budget is measured without them.
    sourcemap: false,
    target: 'es2022',
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            { name: 'vendor', test: /node_modules/ },
            // Small modules the first screen loads anyway and the lazy chunks share: one chunk rather
            // than a dozen, each of which costs its own import and export lines.
            {
              name: 'shared',
              test: /preload-helper|src\/(contract\/(actor|answer-shapes|avara-types|problem)|spa\/(components\/(severity-badge|app-link)|lib\/(api-client|format|auth\/[\w-]+|people\/[\w-]+|shortcuts\/(shortcut-registry|use-shortcut)|drafts\/draft-owners)|features\/(study-drawer\/components\/button-styles|pacs\/(api\/(get-pacs-context|pacs-keys)|components\/pacs-rows-provider))))\.tsx?$/,
            },

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
});
