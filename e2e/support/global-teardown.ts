import { rmSync } from 'node:fs';

/** Removes the run's fresh data folder (made by playwright.config.ts) once every test is done. */
export default function globalTeardown(): void {
  const dataDir = process.env.E2E_DATA_DIR;
  if (dataDir?.includes('radiology-worklist-e2e-')) rmSync(dataDir, { recursive: true, force: true });
}
