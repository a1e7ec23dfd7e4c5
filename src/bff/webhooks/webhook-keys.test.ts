import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  GENERATED_WEBHOOK_KEY_FILE,
  generateWebhookKey,
  generatedWebhookKey,
  webhookKeyProblems,
  webhookKeysOf,
} from './webhook-keys.ts';

describe('webhook keys', () => {
  it('are read one or several, separated by white space', () => {
    expect(webhookKeysOf(undefined)).toEqual([]);
    expect(webhookKeysOf(' whsec_a  whsec_b\n')).toEqual(['whsec_a', 'whsec_b']);
  });

  it('are whsec_ and the base64 of 16 bytes or more', () => {
    expect(webhookKeyProblems(generateWebhookKey())).toEqual([]);
    expect(webhookKeyProblems(`whsec_${Buffer.alloc(16, 1).toString('base64')}`)).toEqual([]);
    expect(webhookKeyProblems(`whsec_${Buffer.alloc(15, 1).toString('base64')}`)).toHaveLength(1);
    expect(webhookKeyProblems('whsec_!!!!not-base64!!!!!!!!!!!!')).toHaveLength(1);
    expect(webhookKeyProblems(`${generateWebhookKey()} secret`)).toEqual([expect.stringContaining('key 2')]);
  });

  it('are generated once into DATA_DIR (mode 600) and read back on the next start', () => {
    const folder = mkdtempSync(join(tmpdir(), 'rw-webhook-key-'));
    try {
      const first = generatedWebhookKey(folder);
      expect(webhookKeyProblems(first)).toEqual([]);
      expect(statSync(join(folder, GENERATED_WEBHOOK_KEY_FILE)).mode & 0o777).toBe(0o600);
      expect(generatedWebhookKey(folder)).toBe(first);
      expect(readFileSync(join(folder, GENERATED_WEBHOOK_KEY_FILE), 'utf8')).toBe(`${first}\n`);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
