import { createStudy, field, patchStudy, upstreamStudy, userIdOf, type CreatedStudy } from '../lib/live-api.ts';
import { perClaim, takeTally, tallyDifference, type Tally, type TraceSources } from '../lib/claim-trace.ts';
import { cpuMs } from '../lib/processes.ts';
import { signIn } from '../lib/session.ts';
import { count, latencySummary, ms } from '../lib/stats.ts';
import { row, type BenchRow } from '../lib/table.ts';

export interface ClaimOptions {
  /** The two BFF instances (same Redis, same upstream). */
  instances: readonly [string, string];
  upstreamUrl: string;
  apiKey: string;
  /** E-mail addresses of the radiologists, one session each. */
  radiologists: readonly string[];
  claimStudies: number;
  claimRounds: number;
  /** Processes whose CPU during the rushes is reported: both instances and the upstream. */
  pids: { instances: readonly [number, number]; upstream: number; redis: number };
  /** Where the commands Redis ran and the instances' upstream exchanges are counted. */
  trace: TraceSources;
  log: (message: string) => void;
}

interface Claimer {
  email: string;
  userId: string;
  cookie: string;
  bffUrl: string;
}

interface Attempt {
  claimer: Claimer;
  studyId: string;
  status: number;
  ms: number;
}

/**
 * Figure 8: radiologists, each with a session of their own on one of two instances (alternately),
 * rush a set of new unassigned studies at once. Each claims, one request at a time as a person
 * does, the studies in an order of their own (seeded, so every run is the same rush), with
 * `If-Match` of the version they saw (the study as created), until they win one or none is left
 * that they have not seen claimed. Every answer's time is a sample; afterwards each study must have
 * exactly one 200, and its assignee at the upstream must be that winner.
 */
export async function measureClaims(options: ClaimOptions): Promise<BenchRow[]> {
  const claimers: Claimer[] = await Promise.all(
    options.radiologists.map(async (email, index) => {
      const bffUrl = options.instances[index % 2] ?? options.instances[0];
      const cookie = await signIn(bffUrl, email);
      return { email, cookie, bffUrl, userId: await userIdOf(bffUrl, cookie) };
    }),
  );
  if (new Set(claimers.map((claimer) => claimer.userId)).size !== claimers.length)
    throw new Error('Two radiologists of the claim rush share an Avara user');
  const random = seededRandom(0x5eed);
  const readCpu = () => {
    const own = process.cpuUsage();
    return {
      instances: options.pids.instances.reduce((sum, pid) => sum + cpuMs(pid), 0),
      upstream: cpuMs(options.pids.upstream),
      redis: cpuMs(options.pids.redis),
      claimers: (own.user + own.system) / 1_000,
    };
  };
  const cpu = { instances: 0, upstream: 0, redis: 0, claimers: 0 };
  const counted: Tally = { redis: new Map(), upstream: new Map() };
  const addTally = (into: Map<string, number>, from: Map<string, number>) => {
    for (const [key, value] of from) into.set(key, (into.get(key) ?? 0) + value);
  };

  const attempts: Attempt[] = [];
  let studiesTotal = 0;
  let notClaimedOnce = 0;
  const problems: string[] = [];
  // One warm-up rush (not counted): connections, JIT, the people cache of both instances.
  for (let round = -1; round < options.claimRounds; round += 1) {
    const studies = await Promise.all(
      Array.from({ length: options.claimStudies }, (_, index) =>
        createStudy(options.upstreamUrl, options.apiKey, `Bench claim rush ${round + 1}.${index + 1}`),
      ),
    );
    const orders = claimers.map(() => shuffled(studies, random));
    const claimed = new Set<string>();
    const tallyBefore = await takeTally(options.trace);
    const cpuBefore = readCpu();
    const rush = await Promise.all(
      claimers.map((claimer, index) => claimUntilWon(claimer, orders[index] ?? [], claimed)),
    );
    if (round < 0) continue;
    const cpuAfter = readCpu();
    for (const key of ['instances', 'upstream', 'redis', 'claimers'] as const)
      cpu[key] += cpuAfter[key] - cpuBefore[key];
    const tally = tallyDifference(tallyBefore, await takeTally(options.trace));
    addTally(counted.redis, tally.redis);
    addTally(counted.upstream, tally.upstream);
    const answers = rush.flat();
    attempts.push(...answers);
    studiesTotal += studies.length;
    for (const study of studies) {
      const won = answers.filter((attempt) => attempt.studyId === study.studyId && attempt.status === 200);
      const assignee = field(
        (await upstreamStudy(options.upstreamUrl, options.apiKey, study.studyId)).assignedTo,
        'userId',
      );
      if (won.length !== 1 || assignee !== won[0]?.claimer.userId) {
        notClaimedOnce += 1;
        problems.push(
          `${study.studyId}: ${won.length} claims answered 200 (${won.map((attempt) => attempt.claimer.email).join(', ')}), assignee ${String(assignee)}`,
        );
      }
    }
    options.log(
      `  claim round ${round + 1}: ${answers.length} claims, ${answers.filter((attempt) => attempt.status === 200).length} won`,
    );
  }
  const statuses = Map.groupBy(attempts, (attempt) => attempt.status);
  const others = attempts.filter((attempt) => attempt.status !== 200 && attempt.status !== 409);
  if (others.length > 0)
    problems.push(
      `answers other than 200 and 409: ${[...statuses.entries()]
        .filter(([status]) => status !== 200 && status !== 409)
        .map(([status, list]) => `${list.length} × ${status}`)
        .join(', ')}`,
    );
  for (const problem of problems.slice(0, 10)) options.log(`  claim problem: ${problem}`);

  const latency = latencySummary(attempts.map((attempt) => attempt.ms));
  const won = statuses.get(200)?.length ?? 0;
  const lost = statuses.get(409)?.length ?? 0;
  const setting = `${count(claimers.length)} radiologists (own sessions, half on each of 2 instances) rushing ${count(options.claimStudies)} new unassigned studies, ${count(options.claimRounds)} round${options.claimRounds === 1 ? '' : 's'}`;
  return [
    row(
      '8',
      `Claim contention, ${setting}: studies not claimed exactly once (not one 200, or the assignee is not its winner); other answers`,
      `${count(notClaimedOnce)} of ${count(studiesTotal)}; ${count(others.length)}`,
      '0 double claims',
      notClaimedOnce === 0 && others.length === 0,
      true,
    ),
    row(
      '8',
      `Claim latency, p50 / p99 of ${count(attempts.length)} claims (${count(won)} won, ${count(lost)} told 409)`,
      `${ms(latency.p50)} / ${ms(latency.p99)}`,
      'p99 < 100 ms',
      latency.p99 < 100,
    ),
    row(
      '8',
      'Claim latency of those won / of those told 409, p50 / p99 each',
      `${summary(statuses.get(200))} / ${summary(statuses.get(409))}`,
      '—',
      null,
    ),
    row(
      '8',
      'CPU per claim during the rushes: instances A + B / the upstream / Redis / the claimers (the bench process); what the two cores share',
      attempts.length === 0
        ? '—'
        : `${ms(cpu.instances / attempts.length)} / ${ms(cpu.upstream / attempts.length)} / ${ms(cpu.redis / attempts.length)} / ${ms(cpu.claimers / attempts.length)}`,
      '—',
      null,
    ),
    row(
      '8',
      "Per claim during the rushes: the instances' exchanges with the upstream, by operation (the queue watcher's walk included)",
      attempts.length === 0 ? '—' : perClaim(counted.upstream, attempts.length),
      '—',
      null,
    ),
    row(
      '8',
      'Per claim during the rushes: commands Redis ran, by command, those run inside scripts too (both instances, every part of them; what they send is the evalsha, set and xread: pipelined ones share a round trip)',
      // The tally's own INFO, once before and once after each round.
      attempts.length === 0 ? '—' : perClaim(counted.redis, attempts.length, { info: 2 * options.claimRounds }),
      '—',
      null,
    ),
  ];
}

function summary(attempts: readonly Attempt[] | undefined): string {
  const { p50, p99 } = latencySummary((attempts ?? []).map((attempt) => attempt.ms));
  return `${ms(p50)}, ${ms(p99)}`;
}

/**
 * One radiologist's claims, one at a time, until one is won or no study is left that they have not
 * seen claimed. `claimed` is what everyone's list shows: a study leaves it once any claim of it was
 * answered (200 or 409), as the live stream would tell every screen (figure 6 is that delay).
 */
async function claimUntilWon(
  claimer: Claimer,
  order: readonly CreatedStudy[],
  claimed: Set<string>,
): Promise<Attempt[]> {
  const attempts: Attempt[] = [];
  for (const study of order) {
    if (claimed.has(study.studyId)) continue;
    const started = performance.now();
    const { status } = await patchStudy(claimer.bffUrl, claimer.cookie, study.studyId, `"${study.updatedAt}"`, {
      assignedTo: claimer.userId,
    });
    attempts.push({ claimer, studyId: study.studyId, status, ms: performance.now() - started });
    if (status === 200 || status === 409) claimed.add(study.studyId);
    if (status === 200) break;
  }
  return attempts;
}

/** mulberry32: the same rush on every run. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let index = copy.length - 1; index > 0; index -= 1) {
    const other = Math.floor(random() * (index + 1));
    [copy[index], copy[other]] = [copy[other] as T, copy[index] as T];
  }
  return copy;
}
