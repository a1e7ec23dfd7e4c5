// `npm run bench`: the performance figures of DESIGN.md ("Performance budgets"), measured on this
// machine over loopback, printed as one markdown table and written to bench/results/latest.md.
// `npm run bench -- --quick` is the smoke run (small sizes, about a minute); see docs/performance.md.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { measureBffOverhead } from './figures/bff-overhead.ts';
import { measureServerScale } from './figures/server-scale.ts';
import { measureSpa } from './figures/spa.ts';
import { parseOptions, REPO_ROOT, type BenchOptions } from './lib/options.ts';
import { killAll, startBff, startUpstream } from './lib/processes.ts';
import { signInAsCoordinator } from './lib/session.ts';
import { markdownTable, type BenchRow } from './lib/table.ts';

function machine(): string {
  const cores = cpus();
  const model = cores[0]?.model.trim() ?? 'unknown CPU';
  return `${cores.length} cores (${model}), ${(totalmem() / 1024 ** 3).toFixed(1)} GiB memory, Node ${process.version}, ${process.platform} ${process.arch}`;
}

function sizes(options: BenchOptions): string {
  return [
    `${options.studies.toLocaleString('en-US')} studies`,
    `load: ${options.connections} connections, ${options.rounds} alternated rounds of ${options.roundSeconds} s per side`,
    `${options.scaleRequests} sequential requests per filter combination`,
    options.skipSpa ? 'SPA skipped' : `SPA: ${options.spaRuns} cold loads, ${options.spaRows.toLocaleString('en-US')} rows, ${options.scrollPasses} scroll passes of ${options.scrollStep} px per frame`,
  ].join('; ');
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2), process.env);
  const began = performance.now();
  const log = (message: string) => console.error(`[bench ${((performance.now() - began) / 1000).toFixed(0).padStart(3)} s] ${message}`);

  if (options.build && !options.skipSpa) {
    log('building the SPA (vite build)');
    execFileSync(process.execPath, [join(REPO_ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: REPO_ROOT, stdio: 'inherit' });
  }

  const tmpRoot = join(REPO_ROOT, 'bench/results/tmp');
  mkdirSync(tmpRoot, { recursive: true });
  const dataDir = mkdtempSync(join(tmpRoot, 'run-'));
  const apiKey = randomBytes(24).toString('base64url');
  const rows: BenchRow[] = [];
  try {
    log(`seeding ${options.studies.toLocaleString('en-US')} studies into the bundled server`);
    const upstream = await startUpstream({ dataDir, apiKey, studies: options.studies });
    log(`bundled server on ${upstream.url} (seeded in ${(upstream.seededMs / 1000).toFixed(1)} s)`);
    const bff = await startBff({ dataDir, upstreamUrl: upstream.url, apiKey });
    const { cookie } = await signInAsCoordinator(bff.url);
    log(`BFF on ${bff.url}, upstream ${upstream.url}`);

    log('1. BFF overhead (side by side)');
    rows.push(...(await measureBffOverhead({ ...options, upstreamUrl: upstream.url, upstreamPid: upstream.pid, apiKey, bffUrl: bff.url, bffPid: bff.pid, cookie })));
    log('2. bundled server at scale');
    rows.push(...(await measureServerScale({ upstreamUrl: upstream.url, apiKey, studies: options.studies, requests: options.scaleRequests })));
    if (!options.skipSpa) {
      log('3–5. SPA in headless Chromium');
      rows.push(...(await measureSpa({ bffUrl: bff.url, email: (await signInAsCoordinator(bff.url)).email, ...options, log })));
    }
    await bff.stop();
    await upstream.stop();
  } finally {
    killAll();
    rmSync(dataDir, { recursive: true, force: true });
  }

  const failed = rows.filter((entry) => entry.pass === false).length;
  const report = [
    `# Benchmark results${options.quick ? ' (quick run: small sizes, budgets not meaningful)' : ''}`,
    '',
    `- Machine: ${machine()}`,
    `- Sizes: ${sizes(options)}`,
    `- Date: ${new Date().toISOString()}; took ${((performance.now() - began) / 1000).toFixed(0)} s`,
    '',
    markdownTable(rows),
    '',
    failed === 0 ? 'Every figure is within its budget.' : `${failed} figure(s) over budget.`,
    '',
  ].join('\n');
  mkdirSync(dirname(options.out), { recursive: true });
  writeFileSync(options.out, report);
  console.log(report);
  log(`written to ${options.out}`);
  // A quick run is a smoke test of the harness: its small sizes say nothing about the budgets.
  if (failed > 0 && !options.quick) process.exitCode = 1;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAll();
    process.exit(130);
  });
}

try {
  await main();
} catch (error) {
  killAll();
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
