/**
 * What a suite run against both shared-state implementations sets up around its tests: one Redis for
 * the whole file, temporary folders removed when the file ends, and clean-ups that run after each
 * test, the last registered first.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startRedis, type RunningRedis } from './redis.ts';

export interface RedisSuite {
  /** The file's Redis; there once `beforeAll` has run. */
  readonly redis: RunningRedis;
  /** Run after the current test, the last pushed first. */
  readonly cleanups: Array<() => unknown>;
  /** A new temporary folder, removed when the file ends. */
  tempFolder(prefix: string): string;
}

/** Registers the suite's hooks (call it at the top of a test file) and answers what they keep. */
export function useRedisSuite(): RedisSuite {
  let redis: RunningRedis | undefined;
  const folders: string[] = [];
  const cleanups: Array<() => unknown> = [];

  beforeAll(async () => {
    redis = await startRedis();
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  afterAll(async () => {
    await redis?.dispose();
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  });

  return {
    get redis() {
      if (!redis) throw new Error('Redis is not started yet (it starts in beforeAll)');
      return redis;
    },
    cleanups,
    tempFolder(prefix) {
      const folder = mkdtempSync(join(tmpdir(), prefix));
      folders.push(folder);
      return folder;
    },
  };
}
