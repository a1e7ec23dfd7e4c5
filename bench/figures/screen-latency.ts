import { chromium, type BrowserContext, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../e2e/support/chromium.ts';
import { latencySummary, ms } from '../lib/stats.ts';
import { row, type BenchRow } from '../lib/table.ts';

export interface ScreenLatencyOptions {
  /** The instance the changing browser uses, and the one the watching browser uses. */
  changeUrl: string;
  watchUrl: string;
  /** A demo coordinator (both browsers: everyone's studies, and allowed to change any). */
  email: string;
  samples: number;
  log: (message: string) => void;
}

const VIEWPORT = { width: 1440, height: 900 };

async function signedIn(context: BrowserContext, bffUrl: string, email: string): Promise<void> {
  const response = await context.request.post(`${bffUrl}/auth/login`, {
    headers: { 'x-csrf': '1' },
    data: { username: email },
  });
  if (!response.ok()) throw new Error(`Sign-in in the browser answered ${response.status()}`);
}

/** Watches the grid for a text and notes, in epoch ms, the frame it is painted in. */
async function armWatch(page: Page, text: string): Promise<void> {
  await page.evaluate((wanted) => {
    const grid = document.querySelector('[role="grid"]');
    if (!grid) throw new Error('No grid on the page');
    const state: { seenAt?: number } = {};
    Reflect.set(window, '__screen', state);
    const observer = new MutationObserver(() => {
      if (!grid.textContent?.includes(wanted)) return;
      observer.disconnect();
      requestAnimationFrame(() => {
        state.seenAt = performance.timeOrigin + performance.now();
      });
    });
    observer.observe(grid, { childList: true, subtree: true, characterData: true });
  }, text);
}

async function seenAt(page: Page): Promise<number> {
  const handle = await page.waitForFunction(
    () => {
      const state: unknown = Reflect.get(window, '__screen');
      return typeof state === 'object' && state !== null && 'seenAt' in state && typeof state.seenAt === 'number'
        ? state.seenAt
        : false;
    },
    undefined,
    { timeout: 10_000 },
  );
  return Number(await handle.jsonValue());
}

/**
 * Figure 9: two browsers, each signed in on its own instance, the worklist open in both. The first
 * changes the description of the study in the watching browser's first STAT row (a PATCH from the
 * page, as the drawer sends it); the time is from just before the request until the new text is
 * painted in the other browser's grid (both clocks are this machine's).
 */
export async function measureScreenLatency(options: ScreenLatencyOptions): Promise<BenchRow[]> {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    const changing = await browser.newContext({ viewport: VIEWPORT });
    const watching = await browser.newContext({ viewport: VIEWPORT });
    await signedIn(changing, options.changeUrl, options.email);
    await signedIn(watching, options.watchUrl, options.email);
    const changer = await changing.newPage();
    const watcher = await watching.newPage();
    await Promise.all([changer.goto(`${options.changeUrl}/`), watcher.goto(`${options.watchUrl}/`)]);
    await watcher.locator('[role="grid"] [data-study-row]').first().waitFor({ timeout: 30_000 });
    await changer.locator('[role="grid"] [data-study-row]').first().waitFor({ timeout: 30_000 });
    // The study of the first STAT row, as the list API orders it for these filters.
    const studyId = await changer.evaluate(async () => {
      const response = await fetch(
        '/api/studies?severity=stat&studyViewerStatus=incomplete&isCancelled=false&limit=1',
        { headers: { 'x-csrf': '1', accept: 'application/json' } },
      );
      const page: unknown = await response.json();
      const studies =
        typeof page === 'object' && page !== null && 'studies' in page && Array.isArray(page.studies)
          ? page.studies
          : [];
      const first: unknown = studies[0];
      return typeof first === 'object' && first !== null && 'studyId' in first && typeof first.studyId === 'string'
        ? first.studyId
        : undefined;
    });
    if (!studyId) throw new Error('No STAT study to change');
    // Let both pages settle (their streams open, the other groups load).
    await watcher.waitForTimeout(1_000);

    const samples: number[] = [];
    const total = options.samples + 2;
    for (let index = 0; index < total; index += 1) {
      const text = `Bench screen ${Date.now().toString(36)}.${index}`;
      await armWatch(watcher, text);
      const sentAt = await changer.evaluate(
        async ({ id, description }) => {
          const started = performance.timeOrigin + performance.now();
          const response = await fetch(`/api/studies/${id}`, {
            method: 'PATCH',
            headers: { 'x-csrf': '1', 'content-type': 'application/json', accept: 'application/json', 'if-match': '*' },
            body: JSON.stringify({ studyDescription: description }),
          });
          if (!response.ok) throw new Error(`The change answered ${response.status}`);
          return started;
        },
        { id: studyId, description: text },
      );
      const shownAt = await seenAt(watcher);
      // The first two warm up the path (JIT, connections) and are not counted.
      if (index >= 2) samples.push(shownAt - sentAt);
      await watcher.waitForTimeout(150);
    }
    const latency = latencySummary(samples);
    options.log(`change to screen: p50 ${latency.p50.toFixed(1)} ms, p99 ${latency.p99.toFixed(1)} ms`);
    return [
      row(
        '9',
        `Change to screen: a PATCH from one browser (instance A) until the row shows it in another browser's grid (instance B), p50 (${samples.length} changes)`,
        ms(latency.p50),
        '< 150 ms',
        latency.p50 < 150,
      ),
      row('9', 'Change to screen: same, p99', ms(latency.p99), '< 500 ms', latency.p99 < 500),
    ];
  } finally {
    await browser.close();
  }
}
