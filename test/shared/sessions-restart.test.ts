/**
 * Sessions live in the shared state: a signed-in person stays signed in when the BFF process
 * restarts (embedded default: SQLite under DATA_DIR; with REDIS_URL: Redis), and, with Redis, a
 * session made on one instance works on another.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bffProcessGroup, signInOverHttp } from '../support/bff-process.ts';
import { freePort } from '../support/free-port.ts';
import { startRedis, type RunningRedis } from '../support/redis.ts';

const COORDINATOR = 'laura.bennett@stmarys-radiology.example';

let redis: RunningRedis;
const bffs = bffProcessGroup('rw-sessions-');
const { start, dataDir } = bffs;
const signIn = (url: string) => signInOverHttp(url, COORDINATOR);

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  await bffs.dispose();
  await redis.dispose();
});

async function me(url: string, cookie: string): Promise<number> {
  return (await fetch(`${url}/api/me`, { headers: { cookie, 'x-csrf': '1' } })).status;
}

describe('sessions survive a restart', () => {
  it('in the embedded default (SQLite under DATA_DIR)', async () => {
    const folder = dataDir();
    const port = await freePort();
    const first = await start(port, { DATA_DIR: folder });
    const cookie = await signIn(first.url);
    expect(await me(first.url, cookie)).toBe(200);
    await first.stop();
    const second = await start(port, { DATA_DIR: folder });
    expect(await me(second.url, cookie)).toBe(200);
    // Sign-out ends it for good.
    await fetch(`${second.url}/auth/logout`, { method: 'POST', headers: { cookie, 'x-csrf': '1' } });
    expect(await me(second.url, cookie)).toBe(401);
  });

  it('with Redis, across a restart and on another instance', async () => {
    const env = { REDIS_URL: redis.url, SHARED_STATE_KEY_PREFIX: `sessions-${Date.now()}:` };
    const portA = await freePort();
    const a = await start(portA, { ...env, DATA_DIR: dataDir() });
    const b = await start(await freePort(), { ...env, DATA_DIR: dataDir() });
    const cookie = await signIn(a.url);
    expect(await me(b.url, cookie)).toBe(200);
    await a.kill();
    const again = await start(portA, { ...env, DATA_DIR: dataDir() });
    expect(await me(again.url, cookie)).toBe(200);
  });
});
