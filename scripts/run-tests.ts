/**
 * `npm test`: every check a change must pass, in order, then one summary line that counts the tests
 * of both runners ("N passed, N failed"). Steps after a failed one still run, so one run shows
 * everything that is wrong; the exit code is non-zero if anything failed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

interface Step {
  name: string;
  command: string;
  args: string[];
}

const steps: Step[] = [
  {
    name: 'contract types are current',
    command: 'openapi-typescript',
    args: ['src/contract/avara-openapi.yaml', '-o', 'src/contract/avara-api.gen.ts', '--check'],
  },
  {
    name: 'BFF API types are current',
    command: 'openapi-typescript',
    args: ['src/contract/worklist-openapi.yaml', '-o', 'src/contract/worklist-api.gen.ts', '--check'],
  },
  { name: 'typecheck', command: 'npm', args: ['run', '--silent', 'typecheck'] },
  {
    name: 'lint (types, hooks, accessibility, architecture boundaries, cycles)',
    command: 'npm',
    args: ['run', '--silent', 'lint'],
  },
  {
    name: 'format check (Prettier; `npm run format` fixes it)',
    command: 'npm',
    args: ['run', '--silent', 'format:check'],
  },
  { name: 'build (the SPA and its first-screen renderer)', command: 'npm', args: ['run', '--silent', 'build'] },
  { name: 'unit, component and integration tests', command: 'vitest', args: ['run'] },
  { name: 'end-to-end tests', command: 'playwright', args: ['test'] },
  // The benchmark harness at small sizes: it must run end to end; its timings are not judged here.
  {
    name: 'benchmark smoke run (npm run bench -- --quick)',
    command: 'node',
    args: ['bench/run-bench.ts', '--quick', '--no-build'],
  },
];

rmSync('test-results', { recursive: true, force: true });
mkdirSync('test-results', { recursive: true });

const failedSteps: string[] = [];
for (const step of steps) {
  console.log(`\n▶ ${step.name}`);
  const result = spawnSync(step.command, step.args, { stdio: 'inherit', env: process.env });
  if (result.status !== 0) failedSteps.push(step.name);
}

const counts = { passed: 0, failed: 0, skipped: 0 };
readVitest(counts);
readPlaywright(counts);

console.log('');
if (failedSteps.length > 0) console.log(`Failed steps: ${failedSteps.join(', ')}`);
if (counts.passed + counts.failed === 0) {
  console.log('No test ran.');
  failedSteps.push('no tests');
}
console.log(`${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
process.exit(failedSteps.length > 0 ? 1 : 0);

function readJson(path: string): unknown {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

function numberAt(value: unknown, key: string): number {
  if (typeof value !== 'object' || value === null || !(key in value)) return 0;
  const inner: unknown = Object.getOwnPropertyDescriptor(value, key)?.value;
  return typeof inner === 'number' ? inner : 0;
}

function readVitest(total: typeof counts): void {
  const report = readJson('test-results/vitest.json');
  total.passed += numberAt(report, 'numPassedTests');
  total.failed += numberAt(report, 'numFailedTests');
  total.skipped += numberAt(report, 'numPendingTests') + numberAt(report, 'numTodoTests');
}

function readPlaywright(total: typeof counts): void {
  const report = readJson('test-results/playwright.json');
  const stats = typeof report === 'object' && report !== null && 'stats' in report ? report.stats : undefined;
  total.passed += numberAt(stats, 'expected') + numberAt(stats, 'flaky');
  total.failed += numberAt(stats, 'unexpected');
  total.skipped += numberAt(stats, 'skipped');
}
