// @ts-check
/**
 * ESLint: type-aware TypeScript rules, the Rules of Hooks, accessibility of the JSX, and the
 * architecture's boundaries (README.md, "Architecture rules", says which import goes where and why).
 * Plain JavaScript so that ESLint, editors and the boundary test load it without a TypeScript loader.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import jsxA11y from 'eslint-plugin-jsx-a11y';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const root = import.meta.dirname;
const TS_FILES = ['**/*.{ts,tsx}'];
const TEST_FILES = ['**/*.test.{ts,tsx}', 'src/spa/testing/**', 'test/**', 'e2e/**', 'bench/**'];
const TOOLING = ['test', 'e2e', 'bench', 'scripts'];

/** The SPA's feature folders, read from the tree so that a new feature is fenced in from its first file. */
const features = readdirSync(join(root, 'src/spa/features'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

/**
 * @param {string} target
 * @param {string[]} from
 * @param {string} message
 * @param {string[]} [except]
 */
function zone(target, from, message, except) {
  return { target, from, message, ...(except ? { except } : {}) };
}

/** What each part may not import, for the code that ships (tests get `testZones`). */
function zones({ test, embedsAvaraServer = false }) {
  const list = [
    zone(
      'src/contract',
      ['src/spa', 'src/bff', 'src/avara-server', 'src/mocks', ...TOOLING],
      'src/contract is shared by every part and imports none of them.',
    ),
    zone(
      'src/spa',
      ['src/bff', 'src/avara-server', ...TOOLING],
      'The SPA never imports the BFF or the bundled server: share through src/contract.',
    ),
    zone(
      'src/avara-server',
      ['src/bff', 'src/spa', 'src/mocks', ...TOOLING],
      'The bundled server stands alone (it must behave like Avara): it imports only src/contract.',
    ),
    zone(
      'src/bff',
      ['src/spa', 'src/mocks', 'e2e', 'bench', 'scripts'],
      'The BFF never imports the SPA or the mock handlers: share through src/contract.',
    ),
    zone(
      'src/mocks',
      ['src/spa', ...TOOLING],
      'The mock handlers stand in for the BFF; the SPA imports them, never the other way.',
    ),
    ...features.map((feature) =>
      zone(
        `src/spa/features/${feature}`,
        ['src/spa/features', 'src/spa/app'],
        'A SPA feature never imports another feature or the app: move the shared piece to src/spa/lib or src/spa/components, or compose in src/spa/app.',
        [`./${feature}`],
      ),
    ),
    zone(
      'src/spa/lib',
      ['src/spa/features', 'src/spa/app'],
      'src/spa/lib is shared by the features: it imports none of them.',
    ),
    zone(
      'src/spa/components',
      ['src/spa/features', 'src/spa/app'],
      'src/spa/components is shared by the features: it imports none of them.',
    ),
  ];
  if (!test) {
    list.push(zone('src/spa', ['src/mocks'], 'Only tests import the mock handlers.'));
    list.push(zone('src/bff', ['test'], 'Only tests import test/support.'));
    if (!embedsAvaraServer)
      list.push(
        zone(
          'src/bff',
          ['src/avara-server'],
          'The BFF talks to the bundled server over HTTP; only services/embedded-avara.ts starts it in-process.',
        ),
      );
  }
  return list;
}

/** Every `eslint-disable…` comment says why, after ` -- ` on the same line. */
const disableNeedsReason = {
  meta: {
    type: 'suggestion',
    messages: { reason: 'Say why the rule is off, after " -- " on the same line.' },
    schema: [],
  },
  /** @param {import('eslint').Rule.RuleContext} context */
  create(context) {
    return {
      Program() {
        for (const comment of context.sourceCode.getAllComments()) {
          const text = comment.value.trim();
          if (/^eslint-disable(-next-line|-line)?\b/.test(text) && !/ -- \S/.test(text)) {
            context.report({ loc: comment.loc ?? { line: 1, column: 0 }, messageId: 'reason' });
          }
        }
      },
    };
  },
};

export default defineConfig([
  globalIgnores([
    'dist/',
    'dist-server/',
    'data/',
    'public/',
    'test-results/',
    'playwright-report/',
    'blob-report/',
    'bench/results/',
    // Written by openapi-typescript and checked against the YAML by `npm test`.
    'src/contract/*.gen.ts',
  ]),
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    plugins: { house: { rules: { 'disable-needs-reason': disableNeedsReason } } },
    rules: { 'house/disable-needs-reason': 'error' },
  },
  {
    files: ['**/*.js'],
    extends: [js.configs.recommended],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  {
    files: TS_FILES,
    extends: [js.configs.recommended, tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: root,
      },
    },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.tsx', '.js'] })],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
      'import-x/extensions': ['.ts', '.tsx', '.js'],
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          ignoreRestSiblings: true,
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
        },
      ],
      // A closure made before the value exists reads it later: `let x; … x = …` is the honest form then.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // Fastify's plugins, hooks and handlers are async functions by contract, with or without an await.
      '@typescript-eslint/require-await': 'off',
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-self-import': 'error',
      'import-x/no-restricted-paths': ['error', { basePath: root, zones: zones({ test: false }) }],
    },
  },
  {
    files: ['src/bff/services/embedded-avara.ts'],
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        { basePath: root, zones: zones({ test: false, embedsAvaraServer: true }) },
      ],
    },
  },
  {
    files: TEST_FILES,
    rules: {
      // Tests read answers as JSON (`any`) and check them with expect(); the assertion is the type check.
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // expect(object.method).toHaveBeenCalled() passes a method without calling it.
      '@typescript-eslint/unbound-method': 'off',
      'import-x/no-restricted-paths': ['error', { basePath: root, zones: zones({ test: true }) }],
    },
  },
  {
    files: ['src/spa/**/*.{ts,tsx}', 'src/mocks/**/*.ts'],
    extends: [reactHooks.configs.flat.recommended],
    rules: {
      'react-hooks/exhaustive-deps': 'error',
      // These four judge code for the React Compiler, which this project does not use. What they flag
      // here is correct without it: a ref holding the latest callback, state reset when a prop changes,
      // a callback that calls itself again, and TanStack Table's hook, which the compiler cannot memoize.
      'react-hooks/refs': 'off',
      'react-hooks/set-state-in-effect': 'off',
      'react-hooks/immutability': 'off',
      'react-hooks/incompatible-library': 'off',
    },
  },
  {
    files: ['e2e/**/*.ts'],
    // Playwright reads a fixture's dependencies from its first parameter: `async ({}, use) => …`.
    rules: { 'no-empty-pattern': ['error', { allowObjectPatternsAsParameters: true }] },
  },
  {
    files: ['src/spa/**/*.tsx'],
    extends: [jsxA11y.flatConfigs.recommended],
    rules: {
      // The recommended handlers less the keyboard ones: an Escape that bubbles up from the controls in a
      // panel closes that panel, and a key handler on the container is delegation, not an interaction.
      'jsx-a11y/no-noninteractive-element-interactions': [
        'error',
        {
          handlers: ['onClick', 'onError', 'onLoad', 'onMouseDown', 'onMouseUp'],
          body: ['onError', 'onLoad'],
          iframe: ['onError', 'onLoad'],
          img: ['onError', 'onLoad'],
        },
      ],
    },
  },
]);
