import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

export default defineConfig({
  plugins: [react()],
  test: {
    // Reporters: the default for people, JSON for the one-line summary that `npm test` prints last.
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          environment: 'node',
          // The SPA's server-side renderer runs in Node, without a DOM: its tests too.
          include: [
            'src/{contract,avara-server,bff}/**/*.test.ts',
            'src/spa/server/**/*.test.tsx',
            'test/**/*.test.ts',
          ],
          testTimeout: 20_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'dom',
          environment: 'jsdom',
          include: ['src/{spa,mocks}/**/*.test.{ts,tsx}'],
          exclude: ['src/spa/server/**'],
          setupFiles: ['src/spa/testing/setup-tests.ts'],
          // Rendering whole pages in jsdom is slow on a busy machine; see asyncUtilTimeout in the setup.
          testTimeout: 20_000,
        },
      },
    ],
  },
});
