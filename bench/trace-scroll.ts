// Figure 4's scroll, side by side and traced: builds of the SPA (each a folder with its index.html,
// its assets copied into dist/) take turns on one BFF, one bundled server and one browser, so the
// machine's load falls on both alike. Each turn loads the rows, scrolls the passes as the bench does
// (a study changed every second), and takes a Chromium trace of one more pass, whose main-thread
// work is attributed per frame (script, style, layout, paint, …).
//
//   npm exec -- node bench/trace-scroll.ts --variants=/tmp/a,/tmp/b [--rounds=2] [--passes=3]
//     [--rows=10000] [--studies=100000] [--profile] [--categories=<more trace categories>] [--out=/tmp/trace]
//
// A variant folder is a `dist/` (vite build --outDir). --profile adds a CPU profile of one pass per
// variant, by function (build the variant with --minify=false for readable names).

import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, join } from 'node:path';
import { chromium, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../e2e/support/chromium.ts';
import {
  changeEverySecond,
  FRAME_BUDGET_MS,
  loadRows,
  loadWorklist,
  scrollFrames,
  signedInContext,
  type SpaOptions,
} from './figures/spa.ts';
import { REPO_ROOT } from './lib/options.ts';
import { killAll, startBff, startUpstream } from './lib/processes.ts';
import { signInAsCoordinator } from './lib/session.ts';

interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  ts: number;
  dur?: number;
  /** Thread (CPU) time, which varies less with the machine's load than wall time. */
  tdur?: number;
  pid: number;
  tid: number;
  args?: { name?: string; data?: Record<string, unknown> };
}

interface Node {
  event: TraceEvent;
  start: number;
  end: number;
  cpu: number;
  children: Node[];
}

const CATEGORIES = [
  'devtools.timeline',
  'disabled-by-default-devtools.timeline',
  'toplevel',
  'blink.user_timing',
  'v8.execute',
];

function categoryOf(name: string): string {
  if (/GC|gc/.test(name) && !name.startsWith('GPU')) return 'gc';
  if (
    [
      'FunctionCall',
      'EventDispatch',
      'FireAnimationFrame',
      'TimerFire',
      'EvaluateScript',
      'RunMicrotasks',
      'XHRReadyStateChange',
      'XHRLoad',
    ].includes(name) ||
    /^v8|^V8/.test(name)
  )
    return 'script';
  if (name === 'UpdateLayoutTree' || name === 'RecalculateStyles') return 'style';
  if (name === 'Layout') return 'layout';
  if (name === 'PrePaint') return 'prepaint';
  if (name.startsWith('Paint') || name === 'RasterTask') return 'paint';
  if (name === 'Layerize' || name === 'UpdateLayer' || name === 'CompositeLayers') return 'layerize';
  if (name === 'Commit') return 'commit';
  if (name === 'HitTest') return 'hittest';
  return 'other';
}

/** The main-thread tasks of the page's renderer, as trees. */
function mainThreadTasks(events: TraceEvent[]): Node[] {
  const names = new Map<string, string>();
  for (const event of events) {
    if (event.ph === 'M' && event.name === 'thread_name' && event.args?.name)
      names.set(`${event.pid}:${event.tid}`, event.args.name);
  }
  // The renderer main thread that ran the most animation frames is the page's.
  const frames = new Map<string, number>();
  for (const event of events) {
    const thread = `${event.pid}:${event.tid}`;
    if (event.name === 'FireAnimationFrame' && names.get(thread) === 'CrRendererMain')
      frames.set(thread, (frames.get(thread) ?? 0) + 1);
  }
  const main = [...frames].sort((a, b) => b[1] - a[1])[0]?.[0];
  if (!main) throw new Error('No renderer main thread ran animation frames in the trace');
  const spans: Node[] = [];
  const open: TraceEvent[] = [];
  for (const event of events) {
    if (`${event.pid}:${event.tid}` !== main) continue;
    if (event.ph === 'X' && event.dur !== undefined)
      spans.push({ event, start: event.ts, end: event.ts + event.dur, cpu: event.tdur ?? event.dur, children: [] });
    else if (event.ph === 'B') open.push(event);
    else if (event.ph === 'E') {
      const begin = open.pop();
      if (begin) spans.push({ event: begin, start: begin.ts, end: event.ts, cpu: event.ts - begin.ts, children: [] });
    }
  }
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  const roots: Node[] = [];
  const stack: Node[] = [];
  for (const span of spans) {
    while (stack.length > 0 && (stack.at(-1)?.end ?? 0) <= span.start) stack.pop();
    const parent = stack.at(-1);
    if (parent && span.end <= parent.end) parent.children.push(span);
    else if (!parent) roots.push(span);
    else continue;
    stack.push(span);
  }
  return roots;
}

/** Self CPU time (thread time) by category, in ms. */
function selfTimes(node: Node, into: Map<string, number>): void {
  const childTime = node.children.reduce((sum, child) => sum + child.cpu, 0);
  const category = categoryOf(node.event.name);
  into.set(category, (into.get(category) ?? 0) + Math.max(0, node.cpu - childTime) / 1000);
  for (const child of node.children) selfTimes(child, into);
}

function contains(node: Node, name: string): boolean {
  return node.event.name === name || node.children.some((child) => contains(child, name));
}

/** What a scripted task ran (event types, function names), for the tasks between frames. */
function scriptLabel(node: Node): string {
  const found: string[] = [];
  const visit = (current: Node) => {
    const data = current.event.args?.data;
    if (current.event.name === 'EventDispatch' && typeof data?.type === 'string') found.push(`event:${data.type}`);
    else if (current.event.name === 'TimerFire') found.push('timer');
    else if (current.event.name === 'FunctionCall' && typeof data?.functionName === 'string' && data.functionName)
      found.push(`fn:${data.functionName}`);
    if (found.length < 3) current.children.forEach(visit);
  };
  visit(node);
  return found.slice(0, 2).join(' ') || node.event.name;
}

interface FrameSummary {
  frames: number;
  /** Mean CPU ms per frame by category, in the frame tasks (BeginMainFrame). */
  perFrame: Record<string, number>;
  /** The same over the frames whose task took more CPU than the budget. */
  slowPerFrame: Record<string, number>;
  slowFrames: number;
  /** Tasks between frames: CPU ms per frame by what they ran. */
  between: Record<string, number>;
  /** Wall time of the frame tasks. */
  frameTaskMs: { p50: number; p90: number; p99: number; max: number };
  /** CPU time of the frame tasks. */
  frameTaskCpuMs: { mean: number; p50: number; p90: number; p99: number; max: number };
}

function percentile(sorted: number[], share: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))] ?? Number.NaN;
}

function summarize(events: TraceEvent[]): FrameSummary {
  const marks = events.filter((event) => event.cat.includes('blink.user_timing'));
  const from = marks.find((event) => event.name === 'scroll-pass-start')?.ts ?? 0;
  const to = marks.find((event) => event.name === 'scroll-pass-end')?.ts ?? Number.POSITIVE_INFINITY;
  const tasks = mainThreadTasks(events).filter((task) => task.start >= from && task.end <= to);
  const perFrame = new Map<string, number>();
  const slow = new Map<string, number>();
  const between = new Map<string, number>();
  const durations: number[] = [];
  const cpus: number[] = [];
  let frames = 0;
  let slowFrames = 0;
  for (const task of tasks) {
    if (contains(task, 'BeginMainFrame') || contains(task, 'FireAnimationFrame')) {
      frames += 1;
      const duration = (task.end - task.start) / 1000;
      durations.push(duration);
      cpus.push(task.cpu / 1000);
      selfTimes(task, perFrame);
      if (task.cpu / 1000 > FRAME_BUDGET_MS) {
        slowFrames += 1;
        selfTimes(task, slow);
      }
    } else {
      const label = scriptLabel(task);
      between.set(label, (between.get(label) ?? 0) + task.cpu / 1000);
    }
  }
  const per = (map: Map<string, number>, count: number) =>
    Object.fromEntries(
      [...map]
        .sort((a, b) => b[1] - a[1])
        .filter(([, value]) => value / Math.max(1, count) >= 0.01)
        .map(([key, value]) => [key, Number((value / Math.max(1, count)).toFixed(2))]),
    );
  durations.sort((a, b) => a - b);
  cpus.sort((a, b) => a - b);
  return {
    frames,
    perFrame: per(perFrame, frames),
    slowPerFrame: per(slow, slowFrames),
    slowFrames,
    between: per(between, frames),
    frameTaskMs: {
      p50: Number(percentile(durations, 0.5).toFixed(1)),
      p90: Number(percentile(durations, 0.9).toFixed(1)),
      p99: Number(percentile(durations, 0.99).toFixed(1)),
      max: Number((durations.at(-1) ?? Number.NaN).toFixed(1)),
    },
    frameTaskCpuMs: {
      mean: Number((cpus.reduce((a, b) => a + b, 0) / Math.max(1, cpus.length)).toFixed(2)),
      p50: Number(percentile(cpus, 0.5).toFixed(1)),
      p90: Number(percentile(cpus, 0.9).toFixed(1)),
      p99: Number(percentile(cpus, 0.99).toFixed(1)),
      max: Number((cpus.at(-1) ?? Number.NaN).toFixed(1)),
    },
  };
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

/** Self time by function over one pass, the top entries. */
async function profilePass(page: Page, step: number): Promise<Array<[string, number]>> {
  const session = await page.context().newCDPSession(page);
  await session.send('Profiler.enable');
  await session.send('Profiler.setSamplingInterval', { interval: 200 });
  await session.send('Profiler.start');
  await scrollFrames(page, step);
  const { profile } = (await session.send('Profiler.stop')) as unknown as {
    profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
  };
  await session.detach();
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<string, number>();
  profile.samples.forEach((id, index) => {
    const node = byId.get(id);
    if (!node) return;
    const { functionName, url, lineNumber } = node.callFrame;
    const key = `${functionName || '(anonymous)'} ${basename(url)}:${lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[index] ?? 0) / 1000);
  });
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 40)
    .map(([key, value]) => [key, Number(value.toFixed(1))]);
}

function flag(name: string, fallback: string): string {
  const found = process.argv.find((argument) => argument.startsWith(`--${name}=`));
  return found ? found.slice(name.length + 3) : fallback;
}

async function main(): Promise<void> {
  const variants = flag('variants', '').split(',').filter(Boolean);
  if (variants.length === 0) throw new Error('--variants=<dist folder>,… is needed');
  const rounds = Number(flag('rounds', '1'));
  const passes = Number(flag('passes', '3'));
  const rows = Number(flag('rows', '10000'));
  const studies = Number(flag('studies', '100000'));
  const step = Number(flag('step', '240'));
  const profile = process.argv.includes('--profile');
  const out = flag('out', '/tmp/trace-scroll');
  mkdirSync(out, { recursive: true });
  const dist = join(REPO_ROOT, 'dist');
  // Every variant's assets side by side (their names are hashed); index.html picks one.
  for (const variant of variants) cpSync(join(variant, 'assets'), join(dist, 'assets'), { recursive: true });
  const savedIndex = readFileSync(join(dist, 'index.html'));

  const dataDir = mkdtempSync(join(REPO_ROOT, 'bench/results/tmp/trace-'));
  const apiKey = randomBytes(24).toString('base64url');
  const log = (message: string) => console.error(`[trace ${new Date().toISOString().slice(11, 19)}] ${message}`);
  try {
    const upstream = await startUpstream({ dataDir, apiKey, studies });
    const bff = await startBff({
      dataDir,
      upstreamUrl: upstream.url,
      apiKey,
      env: { QUEUE_WATCH_INTERVAL_MS: '600000' },
    });
    const { email } = await signInAsCoordinator(bff.url);
    const options: SpaOptions = {
      bffUrl: bff.url,
      email,
      spaRuns: 1,
      spaRows: rows,
      scrollStep: step,
      scrollPasses: passes,
      log,
    };
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    const results: Array<Record<string, unknown>> = [];
    for (let round = 0; round < rounds; round += 1) {
      for (const [index, variant] of variants.entries()) {
        copyFileSync(join(variant, 'index.html'), join(dist, 'index.html'));
        const context = await signedInContext(browser, options);
        const page = await context.newPage();
        await loadWorklist(page, bff.url);
        await page.waitForFunction(() =>
          /^[1-9]/.test(
            document.querySelector('[data-testid="group-count-normal"]')?.getAttribute('data-loaded') ?? '',
          ),
        );
        const loaded = await loadRows(page, rows);
        const changes = await changeEverySecond(bff.url, email);
        const shares: number[] = [];
        const worst: number[] = [];
        for (let pass = 0; pass < passes; pass += 1) {
          const frames = await scrollFrames(page, step);
          shares.push((frames.work.filter((work) => work > FRAME_BUDGET_MS).length / frames.work.length) * 100);
          worst.push(Math.max(...frames.work));
        }
        await browser.startTracing(page, {
          categories: [...CATEGORIES, ...flag('categories', '').split(',').filter(Boolean)],
        });
        await page.evaluate(() => performance.mark('scroll-pass-start'));
        const traced = await scrollFrames(page, step);
        await page.evaluate(() => performance.mark('scroll-pass-end'));
        const buffer = await browser.stopTracing();
        const tracePath = join(out, `round${round}-${basename(variant)}.json`);
        writeFileSync(tracePath, buffer);
        const parsed = JSON.parse(buffer.toString('utf8')) as { traceEvents: TraceEvent[] };
        const summary = summarize(parsed.traceEvents);
        const top = profile && round === 0 ? await profilePass(page, step) : undefined;
        const changed = await changes.stop();
        await context.close();
        const result = {
          variant: basename(variant),
          round,
          loaded,
          changed,
          slowSharePerPass: shares.map((share) => Number(share.toFixed(1))),
          worstPerPass: worst.map((value) => Number(value.toFixed(1))),
          tracedPass: {
            frames: traced.work.length,
            slowShare: Number(
              ((traced.work.filter((work) => work > FRAME_BUDGET_MS).length / traced.work.length) * 100).toFixed(1),
            ),
            meanWork: Number((traced.work.reduce((a, b) => a + b, 0) / traced.work.length).toFixed(2)),
          },
          trace: summary,
          ...(top ? { profile: top } : {}),
        };
        results.push(result);
        log(`${index}: ${JSON.stringify(result)}`);
      }
    }
    writeFileSync(join(out, 'results.json'), JSON.stringify(results, null, 2));
    await browser.close();
    await bff.stop();
    await upstream.stop();
  } finally {
    writeFileSync(join(dist, 'index.html'), savedIndex);
    killAll();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
