import { describe, expect, it } from 'vitest';
import { DEFAULT_SLA_TARGETS } from '../../contract/sla.ts';
import { ConfigError, loadConfig, slaTargetsOf } from './env.ts';

describe('the SLA targets and the history retention as settings', () => {
  it("default to today's targets and 90 days", () => {
    const config = loadConfig({ NODE_ENV: 'test' }, false);
    expect(slaTargetsOf(config)).toEqual(DEFAULT_SLA_TARGETS);
    expect(config.HISTORY_RETENTION_DAYS).toBe(90);
  });

  it('take other values, whole minutes from the most urgent to the least', () => {
    const config = loadConfig(
      {
        NODE_ENV: 'test',
        SLA_STAT_MINUTES: '30',
        SLA_HIGH_MINUTES: '120',
        SLA_NORMAL_MINUTES: '480',
        HISTORY_RETENTION_DAYS: '30',
      },
      false,
    );
    expect(slaTargetsOf(config)).toEqual({ stat: 30, high: 120, normal: 480 });
    expect(Object.isFrozen(slaTargetsOf(config))).toBe(true);
    expect(() => loadConfig({ NODE_ENV: 'test', SLA_STAT_MINUTES: '300' }, false)).toThrow(
      /STAT target is at most the high one/,
    );
    expect(() => loadConfig({ NODE_ENV: 'test', SLA_HIGH_MINUTES: '0' }, false)).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'test', HISTORY_RETENTION_DAYS: 'forever' }, false)).toThrow(
      /HISTORY_RETENTION_DAYS/,
    );
  });
});
