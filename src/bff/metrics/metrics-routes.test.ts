import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config/env.ts';
import { bearerMatches } from './metrics-routes.ts';

const TOKEN = 'a-metrics-token-0123456789';

describe('bearerMatches', () => {
  it('accepts exactly Bearer <token>', () => {
    expect(bearerMatches(`Bearer ${TOKEN}`, TOKEN)).toBe(true);
    expect(bearerMatches(`bearer ${TOKEN}`, TOKEN)).toBe(true);
  });

  it('refuses anything else: none, another scheme, a prefix, a longer one, an empty one', () => {
    for (const header of [
      undefined,
      '',
      TOKEN,
      `Basic ${TOKEN}`,
      `Bearer ${TOKEN.slice(0, -1)}`,
      `Bearer ${TOKEN}x`,
      'Bearer ',
      `Bearer ${TOKEN} extra`,
    ]) {
      expect(bearerMatches(header, TOKEN)).toBe(false);
    }
  });
});

describe('metrics settings', () => {
  it('default to no metrics anywhere, and a loopback host for METRICS_PORT', () => {
    const config = loadConfig({}, false);
    expect(config.METRICS_PORT).toBeUndefined();
    expect(config.METRICS_TOKEN).toBeUndefined();
    expect(config.METRICS_HOST).toBe('127.0.0.1');
  });

  it('refuse a short token, and METRICS_PORT equal to PORT', () => {
    expect(() => loadConfig({ METRICS_TOKEN: 'short' }, false)).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: '8080', METRICS_PORT: '8080' }, false)).toThrow(
      /METRICS_PORT must differ from PORT/,
    );
    expect(loadConfig({ METRICS_PORT: '9464', METRICS_TOKEN: TOKEN }, false)).toMatchObject({
      METRICS_PORT: 9464,
      METRICS_TOKEN: TOKEN,
    });
  });
});
