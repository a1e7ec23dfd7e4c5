import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base, expect, type Locator, type Page } from '@playwright/test';
import {
  createOrthancStudy,
  startOrthanc,
  waitFor,
  waitForStableStudies,
  type CreatedStudy,
  type DemoStudySpec,
  type RunningOrthanc,
} from '../../test/support/orthanc.ts';
import { freePort } from '../../test/support/free-port.ts';
import { startBffProcess, type BffProcess } from '../../test/support/bff-process.ts';
import { signInAs } from './sign-in.ts';

/** A study made in the PACS for the test, as the worklist should show it. */
export interface PacsStudy extends CreatedStudy {
  spec: DemoStudySpec;
  /** The name the BFF shows: DICOM's `FAMILY^GIVEN` as `Family, Given`. */
  shownName: string;
}

/** The worklist row of a study made in the PACS: its description and the name the BFF shows. */
export function pacsRowOf(page: Page, study: PacsStudy): Locator {
  return page
    .locator('[data-study-row]')
    .filter({ hasText: study.spec.studyDescription })
    .filter({ hasText: study.shownName });
}

/** Signs in as the coordinator and opens `study`'s drawer from the worklist (every assignee shown); answers the drawer. */
export async function openPacsStudy(page: Page, study: PacsStudy): Promise<Locator> {
  await signInAs(page, 'coordinator');
  await page.goto('/?assignee=anyone');
  await pacsRowOf(page, study).click();
  const drawer = page.getByRole('complementary', { name: 'Study' });
  await expect(drawer.getByRole('heading', { level: 2 })).toHaveText(study.spec.studyDescription);
  return drawer;
}

export interface PacsStack {
  /** The BFF with ORTHANC_URL set, serving the built SPA. */
  url: string;
  orthanc: RunningOrthanc;
  studies: PacsStudy[];
}

const SPECS: Array<DemoStudySpec & { shownName: string }> = [
  {
    patientName: 'NGUYEN^AMARA',
    shownName: 'Nguyen, Amara',
    patientId: 'MRN480211',
    studyDescription: 'CT Head without Contrast',
    modality: 'CT',
    bodyPart: 'HEAD',
    accessionNumber: 'ACC2026E2E01',
    studyDate: '20260309',
    priority: 'STAT',
    series: 2,
    instancesPerSeries: 3,
  },
  {
    patientName: 'OKAFOR^PETER',
    shownName: 'Okafor, Peter',
    patientId: 'MRN913370',
    studyDescription: 'MRI Brain with and without Contrast',
    modality: 'MR',
    bodyPart: 'BRAIN',
    accessionNumber: 'ACC2026E2E02',
    studyDate: '20260308',
    priority: 'STAT',
    series: 1,
    instancesPerSeries: 4,
  },
  {
    patientName: 'ROSSI^SOFIA',
    shownName: 'Rossi, Sofia',
    patientId: 'MRN205547',
    studyDescription: 'XR Chest 2 Views',
    modality: 'CR',
    bodyPart: 'CHEST',
    accessionNumber: 'ACC2026E2E03',
    studyDate: '20260307',
    priority: 'STAT',
    series: 1,
    instancesPerSeries: 1,
  },
];

/**
 * A real Orthanc with three generated STAT studies, and a second BFF (the bundled demo server, a
 * few demo studies, ORTHANC_URL set) on its own port: the other specs keep their PACS-less server.
 * Resolves once the sync loop has put the PACS studies on the worklist.
 */
async function startPacsStack(): Promise<{ stack: PacsStack; stop: () => Promise<void> }> {
  const orthanc = await startOrthanc({ stableAgeSeconds: 1, name: 'E2E-PACS' });
  const dataDir = mkdtempSync(join(tmpdir(), 'radiology-worklist-e2e-pacs-'));
  let bff: BffProcess | undefined;
  const stop = async () => {
    await bff?.stop();
    await orthanc.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const studies: PacsStudy[] = [];
    for (const { shownName, ...spec } of SPECS) {
      studies.push({ ...(await createOrthancStudy(orthanc, { ...spec, imageSize: 256 })), spec, shownName });
    }
    await waitForStableStudies(
      orthanc,
      studies.map((study) => study.orthancStudyId),
      20_000,
    );

    // E2E_PACS_PORT pins the PACS stack's BFF to a known port (one spec at a time); any free one otherwise.
    bff = await startBffProcess(Number(process.env.E2E_PACS_PORT) || (await freePort()), {
      DATA_DIR: dataDir,
      DEMO_STUDIES: '12',
      ORTHANC_URL: orthanc.url,
      ORTHANC_SYNC_INTERVAL_MS: '200',
      AUDIT_LOG: join(dataDir, 'audit.log'),
      LOG_LEVEL: 'warn',
    });
    const { url } = bff;
    // The sync loop creates a worklist study per stable PACS study; wait until all are there.
    await waitFor(
      async () => {
        const login = await fetch(`${url}/auth/login`, {
          method: 'POST',
          headers: { 'x-csrf': '1', 'content-type': 'application/json' },
          body: JSON.stringify({ username: await firstCoordinator(url) }),
        });
        const cookie = login.headers.get('set-cookie')?.split(';')[0] ?? '';
        const found = await Promise.all(
          studies.map((study) =>
            fetch(`${url}/api/studies/by-uid/${study.studyInstanceUid}`, { headers: { 'x-csrf': '1', cookie } }).then(
              (response) => response.ok,
            ),
          ),
        );
        return found.every(Boolean);
      },
      20_000,
      'the PACS studies to reach the worklist',
      250,
    );
    return { stack: { url, orthanc, studies }, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function firstCoordinator(url: string): Promise<string> {
  const config: { demoUsers?: Array<{ username: string; role: string }> } = await (
    await fetch(`${url}/auth/config`)
  ).json();
  const user = config.demoUsers?.find((candidate) => candidate.role === 'coordinator');
  if (!user) throw new Error('The demo roster has no coordinator');
  return user.username;
}

/** Playwright's `test` with a PACS stack per worker, and `baseURL` pointing at its BFF. */
export const test = base.extend<object, { pacs: PacsStack }>({
  pacs: [
    async ({}, use) => {
      const { stack, stop } = await startPacsStack();
      await use(stack);
      await stop();
    },
    { scope: 'worker', timeout: 60_000 },
  ],
  baseURL: async ({ pacs }, use) => use(pacs.url),
});

export { expect } from '@playwright/test';
