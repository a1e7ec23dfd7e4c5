import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A webhook event type as Avara names them: dotted words, e.g. `study.access_requested`. */
export const WEBHOOK_EVENT_NAME = /^[a-z][a-z_]*(\.[a-z][a-z_]*)+$/;

const KEY = /^whsec_([A-Za-z0-9+/]+={0,2})$/;

/** The fewest bytes a signing secret may have (Standard Webhooks recommends 24 to 64). */
export const MIN_WEBHOOK_KEY_BYTES = 16;

/** The keys of AVARA_WEBHOOK_KEY: one, or several (separated by white space) while a key is rotated. */
export function webhookKeysOf(setting: string | undefined): string[] {
  return (setting ?? '').split(/\s+/).filter((key) => key !== '');
}

/** What is wrong with AVARA_WEBHOOK_KEY, if anything (each key is `whsec_` and base64 of 16 bytes or more). */
export function webhookKeyProblems(setting: string | undefined): string[] {
  const problems: string[] = [];
  webhookKeysOf(setting).forEach((key, index) => {
    const match = KEY.exec(key);
    const bytes = match?.[1] ? Buffer.from(match[1], 'base64') : undefined;
    // Node's decoder skips what is not base64; the length check catches a key that is mostly not.
    if (
      !bytes ||
      bytes.length < MIN_WEBHOOK_KEY_BYTES ||
      bytes.toString('base64').replace(/=+$/, '') !== match?.[1]?.replace(/=+$/, '')
    ) {
      problems.push(
        `AVARA_WEBHOOK_KEY: key ${index + 1} is not whsec_ followed by the base64 of at least ${MIN_WEBHOOK_KEY_BYTES} bytes`,
      );
    }
  });
  return problems;
}

/** A new signing secret: `whsec_` and the base64 of 32 random bytes. */
export function generateWebhookKey(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** The file under DATA_DIR that keeps the bundled server's generated key across restarts. */
export const GENERATED_WEBHOOK_KEY_FILE = 'avara-webhook.key';

/**
 * The bundled server's signing secret: the one in DATA_DIR/avara-webhook.key, or a new one written
 * there (mode 600) on the first start.
 */
export function generatedWebhookKey(dataDir: string): string {
  const path = join(dataDir, GENERATED_WEBHOOK_KEY_FILE);
  try {
    const existing = readFileSync(path, 'utf8').trim();
    if (webhookKeyProblems(existing).length === 0 && existing !== '') return existing;
  } catch (error) {
    if (!(error instanceof Error && 'code' in error && error.code === 'ENOENT')) throw error;
  }
  const key = generateWebhookKey();
  writeFileSync(path, `${key}\n`, { mode: 0o600 });
  return key;
}
