// Figure 11: patient-name search over the PACS. A real Orthanc holding N generated studies (each on
// the worklist too), a BFF with ORTHANC_URL set serving the built SPA, and headless Chromium: a cold
// load of the worklist at an address with a search for a patient's full name, timed to the first
// result row on screen. The search is the BFF's (docs/decisions/032): it walks the worklist a page at
// a time and asks Orthanc once per page, so the figure covers the walk, the DICOMweb lookups and the page.
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../e2e/support/chromium.ts';
import {
  createOrthancStudy,
  demoStudySpec,
  generateUid,
  startOrthanc,
  type DemoStudySpec,
} from '../../test/support/orthanc.ts';
import { startBff, startUpstream } from '../lib/processes.ts';
import { signInAsCoordinator } from '../lib/session.ts';
import { count, median, ms } from '../lib/stats.ts';
import { row, type BenchRow } from '../lib/table.ts';

export interface PacsSearchOptions {
  dataDir: string;
  apiKey: string;
  /** Studies put into Orthanc and on the worklist. */
  pacsStudies: number;
  /** Cold page loads timed, each searching another patient. */
  searchRuns: number;
  log: (message: string) => void;
}

const SEVERITY_OF: Record<string, 'stat' | 'high' | 'normal'> = { STAT: 'stat', HIGH: 'high' };

/** A deterministic random source, so every run fills the PACS alike. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

function firstRowWatcher(): void {
  const bench: { firstRowMs?: number; text?: string } = {};
  Object.assign(window, { __searchBench: bench });
  const observer = new MutationObserver(() => {
    const first = document.querySelector<HTMLElement>('[role="grid"] [data-study-row]');
    // The row is there once the PACS columns carry its patient (the search's answer, not a skeleton).
    if (!first || !/,/.test(first.textContent ?? '')) return;
    observer.disconnect();
    requestAnimationFrame(() => {
      bench.firstRowMs = performance.now();
      bench.text = first.textContent ?? '';
    });
  });
  observer.observe(document, { childList: true, subtree: true });
}

export async function measurePacsSearch(options: PacsSearchOptions): Promise<BenchRow[]> {
  const { dataDir, apiKey, pacsStudies, searchRuns, log } = options;
  const orthanc = await startOrthanc({ directory: `${dataDir}/orthanc`, stableAgeSeconds: 3600, name: 'BENCH-PACS' });
  const upstream = await startUpstream({ dataDir: `${dataDir}`, apiKey, studies: 0 });
  const random = seeded(20_261_201);
  const specs: DemoStudySpec[] = Array.from({ length: pacsStudies }, (_, index) => ({
    ...demoStudySpec(index, random),
    studyInstanceUid: generateUid(),
    imageSize: 8,
  }));
  const began = performance.now();
  let next = 0;
  // Four at a time: Orthanc writes each instance to its own file and index.
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < specs.length) {
        const spec = specs[next++];
        if (!spec) break;
        await createOrthancStudy(orthanc, spec);
        const created = await fetch(`${upstream.url}/v1/viewer/studies`, {
          method: 'POST',
          headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            studyInstanceUid: spec.studyInstanceUid,
            severity: SEVERITY_OF[spec.priority ?? ''] ?? 'normal',
            studyDescription: spec.studyDescription || `${spec.modality} ${spec.bodyPart}`,
          }),
        });
        if (!created.ok)
          throw new Error(
            `Creating a worklist study answered ${created.status}: ${(await created.text()).slice(0, 300)}`,
          );
      }
    }),
  );
  log(
    `${count(pacsStudies)} studies in Orthanc and on the worklist in ${((performance.now() - began) / 1000).toFixed(0)} s`,
  );
  const bff = await startBff({
    dataDir,
    upstreamUrl: upstream.url,
    apiKey,
    env: { ORTHANC_URL: orthanc.url, ORTHANC_SYNC: 'false', QUEUE_WATCH_INTERVAL_MS: '600000' },
  });
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    const { email } = await signInAsCoordinator(bff.url);
    // Each run searches another patient (family and given name, in the order a person types them).
    const names = [...new Set(specs.map((spec) => spec.patientName.split('^').slice(0, 2).join('^')))].slice(
      0,
      searchRuns,
    );
    const times: number[] = [];
    for (const name of names) {
      const [family = '', given = ''] = name.split('^');
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: 'dark' });
      const login = await context.request.post(`${bff.url}/auth/login`, {
        headers: { 'x-csrf': '1' },
        data: { username: email },
      });
      if (!login.ok()) throw new Error(`Sign-in in the browser answered ${login.status()}`);
      await context.addInitScript(firstRowWatcher);
      const page = await context.newPage();
      await page.goto(
        `${bff.url}/?assignee=anyone&q=${encodeURIComponent(`${given.toLowerCase()} ${family.toLowerCase()}`)}`,
      );
      const handle = await page.waitForFunction(
        () => {
          const bench: unknown = Reflect.get(window, '__searchBench');
          return typeof bench === 'object' && bench !== null && 'firstRowMs' in bench
            ? { firstRowMs: Number(bench.firstRowMs), text: String('text' in bench ? bench.text : '') }
            : false;
        },
        undefined,
        { timeout: 60_000 },
      );
      const result = await handle.jsonValue();
      await context.close();
      if (result === false) throw new Error('The first result row was not timed');
      const shown = `${family.charAt(0)}${family.slice(1).toLowerCase()}`;
      if (!result.text.toLowerCase().includes(shown.toLowerCase()))
        throw new Error(`The first row after searching "${name}" is another patient's: ${result.text.slice(0, 120)}`);
      times.push(result.firstRowMs);
    }
    log(`first result row: ${times.map((value) => value.toFixed(0)).join(', ')} ms`);
    const middle = median(times);
    return [
      row(
        '11',
        `patient-name search over the PACS (${count(pacsStudies)} studies): first result row, cold page load, median of ${times.length} patients`,
        ms(middle, 0),
        '< 400 ms',
        middle < 400,
      ),
      row(
        '11',
        'the same, first search (nothing cached in the BFF\u2019s PACS lookup)',
        ms(times[0] ?? Number.NaN, 0),
        '—',
        null,
      ),
    ];
  } finally {
    await browser.close();
    await bff.stop();
    await upstream.stop();
    await orthanc.dispose();
  }
}
