import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, SECRET_SETTINGS, loadConfig } from './env.ts';

const folder = mkdtempSync(join(tmpdir(), 'rw-secrets-'));
function secretFile(name: string, content: string): string {
  const path = join(folder, name);
  writeFileSync(path, content, { mode: 0o600 });
  return path;
}

const KEY = 'avara-key-from-a-file-0123456789';
/** Settings that make each secret count (the OIDC secret needs the rest of OIDC; the Orthanc password a user). */
const CONTEXT = {
  NODE_ENV: 'test',
  AUTH_MODE: 'oidc',
  OIDC_ISSUER: 'https://idp.example',
  OIDC_CLIENT_ID: 'worklist',
  PUBLIC_URL: 'https://worklist.example',
  ORTHANC_URL: 'http://127.0.0.1:8042',
  ORTHANC_USERNAME: 'worklist',
  REDIS_URL: 'redis://127.0.0.1:6379/0',
};
const load = (env: Record<string, string>) => loadConfig({ ...CONTEXT, ...env }, false);
const problemsOf = (env: Record<string, string>) => {
  try {
    load(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('the configuration was accepted');
};

describe('secrets from files (<NAME>_FILE)', () => {
  it('covers the Avara key, the webhook signing secret, the OIDC client secret, the Orthanc password and the Redis password', () => {
    expect([...SECRET_SETTINGS]).toEqual([
      'AVARA_API_KEY',
      'AVARA_WEBHOOK_KEY',
      'OIDC_CLIENT_SECRET',
      'ORTHANC_PASSWORD',
      'REDIS_PASSWORD',
    ]);
  });

  it('reads each one from its file, without the trailing newline', () => {
    const config = load({
      AVARA_API_KEY_FILE: secretFile('avara', `${KEY}\n`),
      OIDC_CLIENT_SECRET_FILE: secretFile('oidc', 'client-secret\r\n'),
      ORTHANC_PASSWORD_FILE: secretFile('orthanc', 'pacs password'),
      REDIS_PASSWORD_FILE: secretFile('redis', 'r3dis/p@ss\n'),
    });
    expect(config.AVARA_API_KEY).toBe(KEY);
    expect(config.OIDC_CLIENT_SECRET).toBe('client-secret');
    expect(config.ORTHANC_PASSWORD).toBe('pacs password');
    // The Redis password goes into REDIS_URL (encoded), where the Redis client reads it.
    expect(config.REDIS_URL).toBe('redis://:r3dis%2Fp%40ss@127.0.0.1:6379/0');
    expect(new URL(config.REDIS_URL ?? '').password).toBe(encodeURIComponent('r3dis/p@ss'));
  });

  it('keeps a value given directly, as before', () => {
    const config = load({
      AVARA_API_KEY: KEY,
      OIDC_CLIENT_SECRET: 'direct',
      ORTHANC_PASSWORD: 'direct',
      REDIS_PASSWORD: 'direct',
    });
    expect(config).toMatchObject({
      AVARA_API_KEY: KEY,
      OIDC_CLIENT_SECRET: 'direct',
      ORTHANC_PASSWORD: 'direct',
      REDIS_URL: 'redis://:direct@127.0.0.1:6379/0',
    });
  });

  it.each(SECRET_SETTINGS)('refuses %s and %s_FILE both set, naming them', (name) => {
    const message = problemsOf({
      OIDC_CLIENT_SECRET: 'x',
      ORTHANC_PASSWORD: 'x',
      [name]: 'a-value-long-enough',
      [`${name}_FILE`]: secretFile(`${name}-both`, 'another-value\n'),
    });
    expect(message).toContain(`${name} and ${name}_FILE are both set`);
  });

  it('lists every unreadable or empty file at once, never its content', () => {
    const message = problemsOf({
      AVARA_API_KEY_FILE: join(folder, 'missing'),
      OIDC_CLIENT_SECRET_FILE: secretFile('empty', '\n'),
      ORTHANC_PASSWORD_FILE: folder,
    });
    expect(message).toContain(`AVARA_API_KEY_FILE: cannot read ${join(folder, 'missing')} (ENOENT)`);
    expect(message).toContain(`OIDC_CLIENT_SECRET_FILE: ${join(folder, 'empty')} is empty`);
    expect(message).toContain(`ORTHANC_PASSWORD_FILE: cannot read ${folder} (EISDIR)`);
  });

  it('checks a value read from a file like one given directly', () => {
    expect(
      problemsOf({
        OIDC_CLIENT_SECRET: 'x',
        ORTHANC_PASSWORD: 'x',
        AVARA_API_KEY_FILE: secretFile('short', 'short\n'),
      }),
    ).toMatch(/AVARA_API_KEY must NOT have fewer than 8 characters/);
  });

  it('refuses a Redis password given twice (in REDIS_URL and REDIS_PASSWORD_FILE) or without REDIS_URL', () => {
    const base = { OIDC_CLIENT_SECRET: 'x', ORTHANC_PASSWORD: 'x' };
    expect(
      problemsOf({
        ...base,
        REDIS_URL: 'redis://:inline@127.0.0.1:6379',
        REDIS_PASSWORD_FILE: secretFile('redis2', 'p\n'),
      }),
    ).toContain('REDIS_URL already carries a password');
    expect(() => loadConfig({ NODE_ENV: 'test', REDIS_PASSWORD: 'p' }, false)).toThrow(
      /REDIS_PASSWORD \(or REDIS_PASSWORD_FILE\) needs REDIS_URL/,
    );
  });
});

describe('TRUSTED_PROXIES', () => {
  it('takes addresses and CIDR ranges, IPv4 and IPv6', () => {
    expect(
      loadConfig({ NODE_ENV: 'test', TRUSTED_PROXIES: '10.0.0.5, 10.1.0.0/16,::1,fd00::/8' }, false).TRUSTED_PROXIES,
    ).toEqual(['10.0.0.5', '10.1.0.0/16', '::1', 'fd00::/8']);
  });

  it('refuses anything else at start-up, naming the entry', () => {
    expect(() => loadConfig({ NODE_ENV: 'test', TRUSTED_PROXIES: '10.0.0.0/33,nginx,10.0.0.1/8/1' }, false)).toThrow(
      /TRUSTED_PROXIES entry 10\.0\.0\.0\/33 .*\n.*TRUSTED_PROXIES entry nginx .*\n.*TRUSTED_PROXIES entry 10\.0\.0\.1\/8\/1 /,
    );
  });
});

describe('shutdown and overload settings', () => {
  it('bound the shutdown at 10 s and refuse requests past 1 s of event-loop delay by default', () => {
    expect(loadConfig({ NODE_ENV: 'test' }, false)).toMatchObject({
      SHUTDOWN_TIMEOUT_SECONDS: 10,
      MAX_EVENT_LOOP_DELAY_MS: 1000,
    });
    expect(
      loadConfig({ NODE_ENV: 'test', SHUTDOWN_TIMEOUT_SECONDS: '25', MAX_EVENT_LOOP_DELAY_MS: '0' }, false),
    ).toMatchObject({ SHUTDOWN_TIMEOUT_SECONDS: 25, MAX_EVENT_LOOP_DELAY_MS: 0 });
  });
});

describe('.env', () => {
  it('counts an empty value as unset (a copied .env.example), lets the environment win, and takes _FILE settings too', () => {
    const dotenv = secretFile(
      'dotenv',
      `PUBLIC_URL=\nAVARA_API_KEY=\nAVARA_API_KEY_FILE=${secretFile('dotenv-key', `${KEY}\n`)}\nPORT=9000\nLOG_LEVEL=debug\n`,
    );
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'warn', PORT: '' }, dotenv);
    expect(config).toMatchObject({ AVARA_API_KEY: KEY, PORT: 9000, LOG_LEVEL: 'warn' });
    expect(config.PUBLIC_URL).toBeUndefined();
  });
});

describe('Avara webhook settings', () => {
  const key = `whsec_${Buffer.alloc(24, 7).toString('base64')}`;
  const next = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;

  it('default to no key, every event and DICOM URLs valid for an hour', () => {
    const config = loadConfig({}, false);
    expect(config.AVARA_WEBHOOK_KEY).toBeUndefined();
    expect(config.AVARA_WEBHOOK_EVENTS).toEqual(['*']);
    expect(config.DICOM_URL_TTL_SECONDS).toBe(3600);
  });

  it('take one key or several (a rotation), a list of events and a lifetime', () => {
    const config = loadConfig(
      {
        AVARA_WEBHOOK_KEY: `${next} ${key}`,
        AVARA_WEBHOOK_EVENTS: 'study.access_requested, patient_study.enrichment_requested',
        DICOM_URL_TTL_SECONDS: '600',
      },
      false,
    );
    expect(config.AVARA_WEBHOOK_KEY).toBe(`${next} ${key}`);
    expect(config.AVARA_WEBHOOK_EVENTS).toEqual(['study.access_requested', 'patient_study.enrichment_requested']);
    expect(config.DICOM_URL_TTL_SECONDS).toBe(600);
  });

  it('refuse a key that is not whsec_ and base64 of 16 bytes or more, an event name that is not one, a lifetime out of range', () => {
    expect(() => loadConfig({ AVARA_WEBHOOK_KEY: 'secret' }, false)).toThrow(/AVARA_WEBHOOK_KEY/);
    expect(() => loadConfig({ AVARA_WEBHOOK_KEY: `whsec_${Buffer.alloc(8).toString('base64')}` }, false)).toThrow(
      /AVARA_WEBHOOK_KEY: key 1/,
    );
    expect(() => loadConfig({ AVARA_WEBHOOK_EVENTS: 'study accessed' }, false)).toThrow(/AVARA_WEBHOOK_EVENTS/);
    expect(() => loadConfig({ DICOM_URL_TTL_SECONDS: '10' }, false)).toThrow(/DICOM_URL_TTL_SECONDS/);
    expect(() => loadConfig({ DICOM_URL_TTL_SECONDS: '86401' }, false)).toThrow(/DICOM_URL_TTL_SECONDS/);
  });
});
