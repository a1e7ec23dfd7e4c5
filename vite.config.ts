import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import tailwindcss from '@tailwindcss/vite';

// The BFF serves /api and the viewer /launch route; in dev the SPA is served by Vite, so both are
// proxied to the BFF to keep every request same-origin, as it is in production.
const bffTarget = 'http://localhost:8080';

export default defineConfig({
  plugins: [react(), tailwindcss()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Source maps would ship the whole source to every browser; the bundle budget is measured without them.
    sourcemap: false,
    target: 'es2022',
    rolldownOptions: {
      output: {
        codeSplitting: { groups: [{ name: 'vendor', test: /node_modules/ }] },
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
