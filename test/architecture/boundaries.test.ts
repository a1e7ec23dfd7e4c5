/**
 * The architecture rules bite: a file breaking each of them is planted in the tree (where the real
 * eslint.config.js applies to it), linted, and expected to fail; a file keeping them passes. And the
 * format check refuses code that Prettier would write differently.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { ESLint } from 'eslint';
import * as prettier from 'prettier';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const FOLDER = `planted-rule-check-${randomBytes(4).toString('hex')}`;
const RULES = new Set(['import-x/no-restricted-paths', 'import-x/no-cycle', 'house/disable-needs-reason']);

interface Plant {
  name: string;
  /** Where the file goes: its folder's parent, inside which FOLDER is made. */
  under: string;
  file: string;
  /** What it imports, from the tree's root. */
  imports?: string[];
  body?: string;
  /** The rule expected to refuse it; none for the file that keeps the rules. */
  refusedBy?: string;
}

const plants: Plant[] = [
  {
    name: 'a SPA feature imports another feature',
    under: 'src/spa/features/worklist',
    file: 'feature-to-feature.ts',
    imports: ['src/spa/features/study-drawer/lib/dicom-uid.ts'],
    refusedBy: 'import-x/no-restricted-paths',
  },
  {
    name: 'a SPA feature imports the app',
    under: 'src/spa/features/dashboard',
    file: 'feature-to-app.ts',
    imports: ['src/spa/app/prefetch.ts'],
    refusedBy: 'import-x/no-restricted-paths',
  },
  {
    name: 'the SPA imports the BFF',
    under: 'src/spa/lib',
    file: 'spa-to-bff.ts',
    imports: ['src/bff/lib/problems.ts'],
    refusedBy: 'import-x/no-restricted-paths',
  },
  {
    name: 'the SPA imports the bundled server',
    under: 'src/spa/components',
    file: 'spa-to-avara-server.ts',
    imports: ['src/avara-server/store/avara-error.ts'],
    refusedBy: 'import-x/no-restricted-paths',
  },
  {
    name: 'the SPA (not a test) imports the mock handlers',
    under: 'src/spa/lib',
    file: 'spa-to-mocks.ts',
    imports: ['src/mocks/api-handlers.ts'],
    refusedBy: 'import-x/no-restricted-paths',
  },
  {
    name: 'the bundled server imports the BFF',
    under: 'src/avara-server',
    file: 'avara-server-to-bff.ts',
    imports: ['src/bff/lib/problems.ts'],
    refusedBy: 'import-x/no-restricted-paths',
  },
  {
    name: 'the BFF imports the SPA',
    under: 'src/bff',
    file: 'bff-to-spa.ts',
    imports: ['src/spa/lib/api-client.ts'],
    refusedBy: 'import-x/no-restricted-paths',
  },
  {
    name: 'the BFF imports the bundled server outside services/embedded-avara.ts',
    under: 'src/bff',
    file: 'bff-to-avara-server.ts',
    imports: ['src/avara-server/store/avara-error.ts'],
    refusedBy: 'import-x/no-restricted-paths',
  },
  {
    name: 'the contract imports a part it is shared by',
    under: 'src/contract',
    file: 'contract-to-bff.ts',
    imports: ['src/bff/lib/problems.ts'],
    refusedBy: 'import-x/no-restricted-paths',
  },
  {
    name: 'two modules import each other',
    under: 'src/spa/lib',
    file: 'cycle-a.ts',
    imports: [`src/spa/lib/${FOLDER}/cycle-b.ts`],
    refusedBy: 'import-x/no-cycle',
  },
  {
    name: 'two modules import each other (the other side)',
    under: 'src/spa/lib',
    file: 'cycle-b.ts',
    imports: [`src/spa/lib/${FOLDER}/cycle-a.ts`],
    refusedBy: 'import-x/no-cycle',
  },
  {
    name: 'a rule is disabled without a reason',
    under: 'src/bff',
    file: 'disable-without-reason.ts',
    body: '// eslint-disable-next-line prefer-const\nlet planted = 1;\nexport { planted };\n',
    refusedBy: 'house/disable-needs-reason',
  },
  {
    name: 'a feature imports the contract and the shared SPA code (allowed)',
    under: 'src/spa/features/worklist',
    file: 'allowed.ts',
    imports: [
      'src/contract/problem.ts',
      'src/spa/lib/api-client.ts',
      'src/spa/features/worklist/lib/counts-for-view.ts',
    ],
  },
];

function pathOf(plant: Plant): string {
  return join(ROOT, plant.under, FOLDER, plant.file);
}

function source(plant: Plant): string {
  if (plant.body) return plant.body;
  const from = dirname(pathOf(plant));
  const lines = (plant.imports ?? []).map((target, index) => {
    const specifier = relative(from, join(ROOT, target));
    return `import * as imported${index} from '${specifier.startsWith('.') ? specifier : `./${specifier}`}';`;
  });
  const names = (plant.imports ?? []).map((_, index) => `imported${index}`);
  return `${lines.join('\n')}\n\nexport const planted = [${names.join(', ')}];\n`;
}

const folders = [...new Set(plants.map((plant) => join(ROOT, plant.under, FOLDER)))];
let results: ESLint.LintResult[] = [];

beforeAll(async () => {
  for (const plant of plants) {
    mkdirSync(dirname(pathOf(plant)), { recursive: true });
    writeFileSync(pathOf(plant), source(plant));
  }
  // The real config; only the rules under test run, which keeps the type-aware parse the main cost.
  const eslint = new ESLint({ cwd: ROOT, ruleFilter: ({ ruleId }) => RULES.has(ruleId) });
  results = await eslint.lintFiles(plants.map(pathOf));
}, 180_000);

afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

describe('the architecture rules', () => {
  it.each(plants)('$name', (plant) => {
    const result = results.find((candidate) => candidate.filePath === pathOf(plant));
    expect(result, `${plant.file} was linted`).toBeDefined();
    const rules = (result?.messages ?? []).map((message) => message.ruleId ?? `fatal: ${message.message}`);
    if (plant.refusedBy) expect(rules).toContain(plant.refusedBy);
    else expect(rules).toEqual([]);
  });
});

describe('the format check', () => {
  it('refuses code Prettier would write differently, and passes what it writes', async () => {
    const filepath = join(ROOT, 'src/spa/lib/format-check.ts');
    const options = { ...(await prettier.resolveConfig(filepath)), filepath };
    const misformatted = 'export const planted = {a:"double quotes",   b :[1,2,3]}\n';
    expect(await prettier.check(misformatted, options)).toBe(false);
    expect(await prettier.check(await prettier.format(misformatted, options), options)).toBe(true);
    expect(await prettier.format(misformatted, options)).toBe(
      "export const planted = { a: 'double quotes', b: [1, 2, 3] };\n",
    );
  });
});
