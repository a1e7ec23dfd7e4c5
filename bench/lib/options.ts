import { fileURLToPath } from 'node:url';

/** Sizes and switches of one bench run. Every one is a flag (`--studies=5000`) or an env var (`BENCH_STUDIES=5000`). */
export interface BenchOptions {
  quick: boolean;
  /** Studies seeded into the bundled server. */
  studies: number;
  /** Concurrent connections of the side-by-side load run. */
  connections: number;
  /** Alternated direct / through-the-BFF rounds (after one warm-up round of each). */
  rounds: number;
  /** Seconds of each round, per side. */
  roundSeconds: number;
  /** Sequential requests per filter combination against the bundled server. */
  scaleRequests: number;
  /** Cold page loads whose time to the first STAT row is taken (the median is reported). */
  spaRuns: number;
  /** Rows loaded into the worklist before counting DOM rows and scrolling through them. */
  spaRows: number;
  /** Pixels scrolled per frame while taking frame times (a fast wheel or trackpad fling). */
  scrollStep: number;
  /** Passes from top to bottom; the pass with the median share of slow frames is reported. */
  scrollPasses: number;
  /** Seconds of quiet over which the live instances' own CPU (the queue watcher) is taken. */
  idleSeconds: number;
  /** Changes made through instance A whose event is awaited on instance B (figure 6). */
  liveSamples: number;
  /** Event-stream clients on one instance for the fan-out figure (7). */
  fanoutClients: number;
  /** Events published to those clients; the p99 of "time until all have it" is taken over them. */
  fanoutEvents: number;
  /** Processes the event-stream clients are spread over (so the clients are not the bottleneck). */
  clientProcesses: number;
  /** Radiologists (distinct people, one session each) claiming at once in figure 8. */
  claimers: number;
  /** Unassigned studies they claim from, per round. */
  claimStudies: number;
  /** Rounds of that rush, each with new studies (more samples for the p99). */
  claimRounds: number;
  /** Changes whose way from one browser to another browser's grid is timed (figure 9). */
  screenSamples: number;
  /** Studies in Orthanc (and on the worklist) for the PACS search figure (10). */
  pacsStudies: number;
  /** Patients searched, one cold page load each, in figure 11. */
  searchRuns: number;
  /** Build the SPA into dist/ first (as `npm start` does); off: measure the dist/ already there. */
  build: boolean;
  skipSpa: boolean;
  /** Figure 9 (browsers too) is not run: `--skip-spa`, or not among the sections. */
  skipScreen: boolean;
  /** The sections to run (`--only=live`, `--only=overhead,claims`); every one when not given. */
  sections: ReadonlySet<Section>;
  /** Where the table is written. */
  out: string;
  /**
   * When set (`--cpu-prof-dir=<folder>`), the live figures' two BFF instances run with `node
   * --cpu-prof` and write their CPU profiles there when they stop (to open in Chrome's DevTools).
   */
  cpuProfileDir: string | undefined;
}

/** The bench's sections, in the order they run. */
export const SECTIONS = [
  'overhead',
  'scale',
  'spa',
  'latency',
  'fanout',
  'claims',
  'screen',
  'dashboard',
  'search',
  'bulk',
] as const;
export type Section = (typeof SECTIONS)[number];
/** Names `--only` accepts for several sections at once. */
const SECTION_GROUPS: Record<string, readonly Section[]> = { live: ['latency', 'fanout', 'claims', 'screen'] };

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const FULL = {
  studies: 100_000,
  connections: 4,
  rounds: 3,
  roundSeconds: 5,
  scaleRequests: 400,
  spaRuns: 9,
  spaRows: 10_000,
  scrollStep: 240,
  scrollPasses: 5,
  idleSeconds: 10,
  liveSamples: 200,
  fanoutClients: 1_000,
  fanoutEvents: 10,
  clientProcesses: 2,
  claimers: 50,
  claimStudies: 20,
  claimRounds: 10,
  screenSamples: 100,
  pacsStudies: 10_000,
  searchRuns: 9,
};
const QUICK: typeof FULL = {
  studies: 2_000,
  connections: 4,
  rounds: 1,
  roundSeconds: 1,
  scaleRequests: 40,
  spaRuns: 2,
  spaRows: 600,
  scrollStep: 240,
  scrollPasses: 1,
  idleSeconds: 5,
  liveSamples: 20,
  fanoutClients: 100,
  fanoutEvents: 3,
  clientProcesses: 2,
  claimers: 50,
  claimStudies: 20,
  claimRounds: 1,
  screenSamples: 5,
  pacsStudies: 1_000,
  searchRuns: 3,
};

type NumericName = keyof typeof FULL;
const FLAG_OF: Record<NumericName, string> = {
  studies: 'studies',
  connections: 'connections',
  rounds: 'rounds',
  roundSeconds: 'round-seconds',
  scaleRequests: 'scale-requests',
  spaRuns: 'spa-runs',
  spaRows: 'spa-rows',
  scrollStep: 'scroll-step',
  scrollPasses: 'scroll-passes',
  idleSeconds: 'idle-seconds',
  liveSamples: 'live-samples',
  fanoutClients: 'fanout-clients',
  fanoutEvents: 'fanout-events',
  clientProcesses: 'client-processes',
  claimers: 'claimers',
  claimStudies: 'claim-studies',
  claimRounds: 'claim-rounds',
  screenSamples: 'screen-samples',
  pacsStudies: 'pacs-studies',
  searchRuns: 'search-runs',
};

/** Reads flags, then BENCH_* variables, then the full or quick defaults; throws listing every bad value. */
export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv): BenchOptions {
  const flags = new Map<string, string>();
  const problems: string[] = [];
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index] ?? '';
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(argument);
    if (!match?.[1]) {
      problems.push(`unknown argument ${argument}`);
      continue;
    }
    // `--only live` as well as `--only=live`.
    const next = argv[index + 1];
    if (match[1] === 'only' && match[2] === undefined && next !== undefined && !next.startsWith('--')) {
      flags.set('only', next);
      index += 1;
      continue;
    }
    flags.set(match[1], match[2] ?? 'true');
  }
  const setting = (flag: string): string | undefined =>
    flags.get(flag) ?? env[`BENCH_${flag.toUpperCase().replaceAll('-', '_')}`];
  const bool = (flag: string, fallback: boolean): boolean => {
    const value = setting(flag);
    if (value === undefined || value === '') return fallback;
    return value !== 'false' && value !== '0';
  };
  const quick = bool('quick', false);
  const defaults = quick ? QUICK : FULL;
  const numbers = { ...defaults };
  for (const name of Object.keys(FLAG_OF) as NumericName[]) {
    const raw = setting(FLAG_OF[name]);
    if (raw === undefined || raw === '') continue;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1 || value > 1_000_000) {
      problems.push(`--${FLAG_OF[name]} must be an integer from 1 to 1,000,000 (got "${raw}")`);
      continue;
    }
    numbers[name] = value;
  }
  const sections = new Set<Section>();
  const only = setting('only');
  if (only !== undefined && only !== '' && only !== 'true') {
    for (const name of only.split(',').map((part) => part.trim())) {
      const named = SECTION_GROUPS[name] ?? (SECTIONS.includes(name as Section) ? [name as Section] : undefined);
      if (named) for (const section of named) sections.add(section);
      else problems.push(`--only takes ${[...SECTIONS, ...Object.keys(SECTION_GROUPS)].join(', ')} (got "${name}")`);
    }
  } else if (only === 'true') {
    problems.push('--only needs a value, e.g. --only=live');
  } else {
    for (const section of SECTIONS) sections.add(section);
  }
  const known = new Set([
    ...Object.values(FLAG_OF),
    'quick',
    'build',
    'no-build',
    'skip-spa',
    'out',
    'only',
    'cpu-prof-dir',
  ]);
  for (const flag of flags.keys()) if (!known.has(flag)) problems.push(`unknown flag --${flag}`);
  if (problems.length > 0) throw new Error(`Invalid bench options:\n  - ${problems.join('\n  - ')}`);
  const out = setting('out') ?? `${ROOT}bench/results/${quick ? 'tmp/quick.md' : 'latest.md'}`;
  return {
    quick,
    ...numbers,
    // A quick run is a smoke test: it measures whatever dist/ holds (`npm test` has just built it).
    build: flags.has('no-build') ? false : bool('build', !quick),
    skipSpa: bool('skip-spa', false) || !sections.has('spa'),
    skipScreen: bool('skip-spa', false) || !sections.has('screen'),
    sections,
    out,
    cpuProfileDir: setting('cpu-prof-dir') || undefined,
  };
}

export const REPO_ROOT = ROOT;
