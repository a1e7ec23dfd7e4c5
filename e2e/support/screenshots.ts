import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where a spec writes a screenshot the docs show (docs/screenshots/<name>); the folder is made if missing. */
export function screenshotPath(name: string): string {
  const path = fileURLToPath(new URL(`../../docs/screenshots/${name}`, import.meta.url));
  mkdirSync(dirname(path), { recursive: true });
  return path;
}
