import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSharedState } from '../shared-state/create-shared-state.ts';
import type { SharedState } from '../shared-state/shared-state.ts';
import { createDicomFileUrls } from './dicom-file-urls.ts';

const INSTANCE = '288a5a83-ad881ebf-57173434-93943ceb-89696ab0';
const OTHER = 'd9bf23dd-17df50f5-445c92f4-5d0a0e7a-d98e833b';
let folder: string;
let shared: SharedState;

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'rw-dicom-urls-'));
  shared = await createSharedState({ dataDir: folder });
});

afterAll(async () => {
  await shared.close();
  rmSync(folder, { recursive: true, force: true });
});

function parts(url: string) {
  const parsed = new URL(url);
  return {
    instanceId: parsed.pathname.split('/')[2] ?? '',
    expires: parsed.searchParams.get('expires') ?? '',
    signature: parsed.searchParams.get('signature') ?? '',
  };
}

describe('DICOM file URLs', () => {
  it('sign one instance until its expiry, under the base URL asked at signing', async () => {
    let base = 'http://localhost:0';
    const urls = createDicomFileUrls({ shared, baseUrl: () => base, ttlSeconds: 600 });
    base = 'https://worklist.example/';
    const now = Date.UTC(2026, 11, 1, 12);
    const { url, expiresAt } = await urls.urlFor(INSTANCE, now);
    expect(url).toMatch(
      new RegExp(`^https://worklist\\.example/dicom-files/${INSTANCE}\\?expires=\\d+&signature=[A-Za-z0-9_-]{43}$`),
    );
    expect(expiresAt).toBe(now / 1000 + 600);
    const { instanceId, expires, signature } = parts(url);
    expect(await urls.check(instanceId, expires, signature, now)).toBe('ok');
    expect(await urls.check(instanceId, expires, signature, now + 599_000)).toBe('ok');
    expect(await urls.check(instanceId, expires, signature, now + 600_000)).toBe('expired');
  });

  it('refuse another instance, another expiry, an altered or missing signature', async () => {
    const urls = createDicomFileUrls({ shared, baseUrl: () => 'http://localhost', ttlSeconds: 600 });
    const { expires, signature } = parts((await urls.urlFor(INSTANCE)).url);
    expect(await urls.check(OTHER, expires, signature)).toBe('invalid');
    expect(await urls.check(INSTANCE, String(Number(expires) + 3600), signature)).toBe('invalid');
    expect(await urls.check(INSTANCE, expires, `${signature.slice(0, -1)}${signature.endsWith('A') ? 'B' : 'A'}`)).toBe(
      'invalid',
    );
    expect(await urls.check(INSTANCE, expires, undefined)).toBe('invalid');
    expect(await urls.check(INSTANCE, [expires, expires], signature)).toBe('invalid');
    expect(await urls.check('../studies', expires, signature)).toBe('invalid');
  });

  it('verify across instances of the BFF sharing the state, and not with another state', async () => {
    const first = createDicomFileUrls({ shared, baseUrl: () => 'http://localhost', ttlSeconds: 600 });
    const second = createDicomFileUrls({ shared, baseUrl: () => 'http://localhost', ttlSeconds: 600 });
    const { instanceId, expires, signature } = parts((await first.urlFor(INSTANCE)).url);
    expect(await second.check(instanceId, expires, signature)).toBe('ok');
    const otherFolder = mkdtempSync(join(tmpdir(), 'rw-dicom-urls-'));
    const otherState = await createSharedState({ dataDir: otherFolder });
    try {
      const elsewhere = createDicomFileUrls({ shared: otherState, baseUrl: () => 'http://localhost', ttlSeconds: 600 });
      expect(await elsewhere.check(instanceId, expires, signature)).toBe('invalid');
    } finally {
      await otherState.close();
      rmSync(otherFolder, { recursive: true, force: true });
    }
  });
});
