// `npm run bench`: the performance figures of DESIGN.md ("Performance budgets"), measured on this
// machine over loopback, printed as one markdown table and written to bench/results/latest.md.
// `npm run bench -- --quick` is the smoke run (small sizes, under a minute); see docs/performance.md.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { measureBffOverhead } from './figures/bff-overhead.ts';
import { measureBulkAssign } from './figures/bulk.ts';
import { measureClaims } from './figures/claims.ts';
import { measureDashboard } from './figures/dashboard.ts';
import { measureScreenLatency } from './figures/screen-latency.ts';
import { measureEventLatency, measureFanout, measureIdleCost } from './figures/live-events.ts';
import { measureServerScale } from './figures/server-scale.ts';
import { measureSpa } from './figures/spa.ts';
import { measurePacsSearch } from './figures/pacs-search.ts';
import { ensureRadiologists } from './lib/bench-people.ts';
import { parseOptions, REPO_ROOT, SECTIONS, type BenchOptions } from './lib/options.ts';
import { killAll, startBff, startRedis, startUpstream, type BenchProcess } from './lib/processes.ts';
import { demoUsers, signIn, signInAsCoordinator } from './lib/session.ts';
import { startSseClients } from './lib/sse-clients.ts';
import { markdownTable, type BenchRow } from './lib/table.ts';

/** The bulk figure's size: the issue's budget is for 50 studies, whatever the run's size. */
const BULK_STUDIES = 50;

function machine(): string {
  const cores = cpus();
  const model = cores[0]?.model.trim() ?? 'unknown CPU';
  return `${cores.length} cores (${model}), ${(totalmem() / 1024 ** 3).toFixed(1)} GiB memory, Node ${process.version}, ${process.platform} ${process.arch}`;
}

function sizes(options: BenchOptions): string {
  const has = (section: (typeof SECTIONS)[number]) => options.sections.has(section);
  return [
    `${options.studies.toLocaleString('en-US')} studies`,
    has('overhead')
      ? `load: ${options.connections} connections, ${options.rounds} alternated rounds of ${options.roundSeconds} s per side`
      : undefined,
    has('scale') ? `${options.scaleRequests} sequential requests per filter combination` : undefined,
    has('spa')
      ? options.skipSpa
        ? 'SPA skipped'
        : `SPA: ${options.spaRuns} cold loads, ${options.spaRows.toLocaleString('en-US')} rows, ${options.scrollPasses} scroll passes of ${options.scrollStep} px per frame`
      : undefined,
    has('latency') ? `${options.liveSamples} changes across instances` : undefined,
    has('fanout')
      ? `fan-out: ${options.fanoutClients.toLocaleString('en-US')} event streams over ${options.clientProcesses} client processes, ${options.fanoutEvents} events`
      : undefined,
    has('screen')
      ? options.skipScreen
        ? 'change to screen skipped'
        : `change to screen: ${options.screenSamples} changes`
      : undefined,
    has('search')
      ? `PACS search: ${options.pacsStudies.toLocaleString('en-US')} studies in Orthanc, ${options.searchRuns} patients searched`
      : undefined,
    has('claims')
      ? `claims: ${options.claimers} radiologists, ${options.claimStudies} studies, ${options.claimRounds} round${options.claimRounds === 1 ? '' : 's'}`
      : undefined,
    has('bulk') ? `bulk: ${BULK_STUDIES} studies assigned at once` : undefined,
    options.sections.size < SECTIONS.length ? `only: ${SECTIONS.filter(has).join(', ')}` : undefined,
  ]
    .filter((part) => part !== undefined)
    .join('; ');
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2), process.env);
  const began = performance.now();
  const log = (message: string) =>
    console.error(`[bench ${((performance.now() - began) / 1000).toFixed(0).padStart(3)} s] ${message}`);

  if (options.build && !(options.skipSpa && options.skipScreen)) {
    log('building the SPA (vite build)');
    execFileSync(process.execPath, [join(REPO_ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], {
      cwd: REPO_ROOT,
      stdio: 'inherit',
    });
  }

  const tmpRoot = join(REPO_ROOT, 'bench/results/tmp');
  mkdirSync(tmpRoot, { recursive: true });
  const dataDir = mkdtempSync(join(tmpRoot, 'run-'));
  const apiKey = randomBytes(24).toString('base64url');
  const rows: BenchRow[] = [];
  const has = (section: (typeof SECTIONS)[number]) => options.sections.has(section);
  try {
    log(`seeding ${options.studies.toLocaleString('en-US')} studies into the bundled server`);
    const upstream = await startUpstream({ dataDir, apiKey, studies: options.studies });
    log(`bundled server on ${upstream.url} (seeded in ${(upstream.seededMs / 1000).toFixed(1)} s)`);
    if (has('overhead') || has('scale') || has('bulk') || !options.skipSpa) {
      // Figures 1–5 measure the request path and the page. The queue watcher's walks of the 100,000
      // studies are a cost of their own (its row in figure 6, with the live figures' instances), so
      // this instance walks only after the run.
      const bff = await startBff({
        dataDir,
        upstreamUrl: upstream.url,
        apiKey,
        env: { QUEUE_WATCH_INTERVAL_MS: '600000' },
      });
      const { cookie } = await signInAsCoordinator(bff.url);
      log(`BFF on ${bff.url}, upstream ${upstream.url}`);
      if (has('overhead')) {
        log('1. BFF overhead (side by side)');
        rows.push(
          ...(await measureBffOverhead({
            ...options,
            upstreamUrl: upstream.url,
            upstreamPid: upstream.pid,
            apiKey,
            bffUrl: bff.url,
            bffPid: bff.pid,
            cookie,
          })),
        );
      }
      if (has('scale')) {
        log('2. bundled server at scale');
        rows.push(
          ...(await measureServerScale({
            upstreamUrl: upstream.url,
            apiKey,
            studies: options.studies,
            requests: options.scaleRequests,
          })),
        );
      }
      if (!options.skipSpa) {
        log('3–5. SPA in headless Chromium');
        rows.push(
          ...(await measureSpa({
            bffUrl: bff.url,
            email: (await signInAsCoordinator(bff.url)).email,
            ...options,
            log,
          })),
        );
      }
      if (has('bulk')) {
        log(`10. bulk assign of ${BULK_STUDIES} studies`);
        rows.push(
          ...(await measureBulkAssign({
            bffUrl: bff.url,
            upstreamUrl: upstream.url,
            apiKey,
            cookie,
            studies: BULK_STUDIES,
            log,
          })),
        );
      }
      await bff.stop();
    }
    if (has('search')) {
      log(`10. patient-name search over the PACS (${options.pacsStudies.toLocaleString('en-US')} studies in Orthanc)`);
      const searchDir = join(dataDir, 'pacs-search');
      mkdirSync(searchDir, { recursive: true });
      rows.push(
        ...(await measurePacsSearch({
          dataDir: searchDir,
          apiKey,
          pacsStudies: options.pacsStudies,
          searchRuns: options.searchRuns,
          log,
        })),
      );
    }
    if (has('latency') || has('fanout') || has('claims') || has('screen'))
      rows.push(
        ...(await measureLive(options, { dataDir, upstreamUrl: upstream.url, upstreamPid: upstream.pid, apiKey, log })),
      );
    if (has('dashboard')) {
      // 100,000 recorded studies is the budget's size; a quick run (a smoke test) records fewer.
      const recorded = options.quick ? 20_000 : 100_000;
      log(`10. the dashboard over ${recorded.toLocaleString('en-US')} recorded studies`);
      rows.push(
        ...(await measureDashboard({
          studies: recorded,
          requests: options.scaleRequests,
          worstCase: !options.quick,
          dataDir,
          log,
        })),
      );
    }
    await upstream.stop();
  } finally {
    killAll();
    rmSync(dataDir, { recursive: true, force: true });
  }

  const failed = rows.filter((entry) => entry.pass === false).length;
  const wrong = rows.filter((entry) => entry.pass === false && entry.correctness === true).length;
  const report = [
    `# Benchmark results${options.quick ? ' (quick run: small sizes, budgets not meaningful)' : ''}`,
    '',
    `- Machine: ${machine()}`,
    `- Sizes: ${sizes(options)}`,
    `- Date: ${new Date().toISOString()}; took ${((performance.now() - began) / 1000).toFixed(0)} s`,
    '',
    markdownTable(rows),
    '',
    failed === 0
      ? 'Every figure is within its budget.'
      : `${failed} figure(s) over budget${wrong > 0 ? `, ${wrong} of them about correctness` : ''}.`,
    '',
  ].join('\n');
  mkdirSync(dirname(options.out), { recursive: true });
  writeFileSync(options.out, report);
  console.log(report);
  log(`written to ${options.out}`);
  // A quick run is a smoke test of the harness: its small sizes say nothing about the budgets. A
  // figure about correctness (double claims) is wrong at any size.
  if ((failed > 0 && !options.quick) || wrong > 0) process.exitCode = 1;
}

/**
 * Figures 6–8: their own Redis and two BFF instances on it, in front of the same upstream, as two
 * instances behind a load balancer would be; event-stream clients in processes of their own.
 */
async function measureLive(
  options: BenchOptions,
  context: {
    dataDir: string;
    upstreamUrl: string;
    upstreamPid: number;
    apiKey: string;
    log: (message: string) => void;
  },
): Promise<BenchRow[]> {
  const { dataDir, upstreamUrl, apiKey, log } = context;
  const has = (section: (typeof SECTIONS)[number]) => options.sections.has(section);
  const rows: BenchRow[] = [];
  const redis = await startRedis({ directory: join(dataDir, 'redis') });
  // Before the instances start: they read the people once and keep them for a minute.
  // Figure 8 counts each instance's upstream exchanges from its GET /metrics.
  const metricsToken = randomBytes(24).toString('base64url');
  const radiologists = has('claims') ? ensureRadiologists(join(dataDir, 'avara.sqlite'), options.claimers) : [];
  const instance = (name: 'a' | 'b'): Promise<BenchProcess> => {
    const folder = join(dataDir, `instance-${name}`);
    mkdirSync(folder, { recursive: true });
    return startBff({
      dataDir: folder,
      upstreamUrl,
      apiKey,
      name: `BFF instance ${name.toUpperCase()}`,
      ...(options.cpuProfileDir
        ? {
            nodeArgs: [
              '--cpu-prof',
              `--cpu-prof-dir=${resolve(options.cpuProfileDir)}`,
              `--cpu-prof-name=instance-${name}.${Date.now()}.cpuprofile`,
            ],
          }
        : {}),
      env: {
        REDIS_URL: redis.url,
        SHARED_STATE_KEY_PREFIX: 'bench:',
        AUDIT_LOG: join(folder, 'audit.log'),
        METRICS_TOKEN: metricsToken,
      },
    });
  };
  const [a, b] = await Promise.all([instance('a'), instance('b')]);
  log(`Redis on ${redis.url}; BFF instances A on ${a.url} and B on ${b.url}`);
  const clients = has('latency') || has('fanout') ? await startSseClients(options.clientProcesses) : undefined;
  try {
    const people = await demoUsers(a.url);
    const coordinator = await signInAsCoordinator(a.url);
    log(`6–8. the live instances' own CPU over ${options.idleSeconds} s of quiet`);
    rows.push(
      ...(await measureIdleCost({
        instancePids: [a.pid, b.pid],
        upstreamPid: context.upstreamPid,
        seconds: options.idleSeconds,
      })),
    );
    if (has('latency') && clients) {
      log(`6. events across instances (${options.liveSamples} changes)`);
      const viewer = people.find((person) => person.role === 'radiologist');
      if (!viewer) throw new Error('The BFF lists no demo radiologist');
      const viewerCookie = await signIn(b.url, viewer.username);
      rows.push(
        ...(await measureEventLatency({
          changeUrl: a.url,
          streamUrl: b.url,
          upstreamUrl,
          apiKey,
          coordinatorCookie: coordinator.cookie,
          viewerCookie,
          clients,
          samples: options.liveSamples,
        })),
      );
    }
    if (has('fanout') && clients) {
      log(`7. fan-out to ${options.fanoutClients.toLocaleString('en-US')} event streams`);
      // Streams spread over several people's sessions, as in a department.
      const cookies = await Promise.all(people.slice(0, 10).map((person) => signIn(a.url, person.username)));
      rows.push(
        ...(await measureFanout({
          bffUrl: a.url,
          bffPid: a.pid,
          upstreamUrl,
          apiKey,
          coordinatorCookie: coordinator.cookie,
          cookies,
          clients,
          clientProcesses: options.clientProcesses,
          fanoutClients: options.fanoutClients,
          fanoutEvents: options.fanoutEvents,
          log,
        })),
      );
    }
    if (!options.skipScreen) {
      log(`9. change to screen (${options.screenSamples} changes, browsers on instances A and B)`);
      rows.push(
        ...(await measureScreenLatency({
          changeUrl: a.url,
          watchUrl: b.url,
          email: coordinator.email,
          samples: options.screenSamples,
          log,
        })),
      );
    }
    if (has('claims')) {
      log(`8. claim contention (${options.claimers} radiologists, ${options.claimStudies} studies)`);
      rows.push(
        ...(await measureClaims({
          instances: [a.url, b.url],
          upstreamUrl,
          apiKey,
          radiologists,
          claimStudies: options.claimStudies,
          claimRounds: options.claimRounds,
          pids: { instances: [a.pid, b.pid], upstream: context.upstreamPid, redis: redis.pid },
          trace: { redisUrl: redis.url, instances: [a.url, b.url], metricsToken },
          log,
        })),
      );
    }
  } finally {
    await clients?.stop();
    await Promise.all([a.stop(), b.stop()]);
    await redis.stop();
  }
  return rows;
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
