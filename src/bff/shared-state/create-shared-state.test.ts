import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config/env.ts';
import { sharedStateOptionsFrom } from './create-shared-state.ts';

describe('shared-state settings', () => {
  it('default to in-process under DATA_DIR, prefix rw:, 10,000 events', () => {
    expect(sharedStateOptionsFrom(loadConfig({}, false))).toEqual({
      dataDir: './data',
      keyPrefix: 'rw:',
      eventHistorySize: 10_000,
    });
  });

  it('take Redis, a prefix and a history size from the environment', () => {
    const config = loadConfig(
      {
        REDIS_URL: 'rediss://:secret@cache.example.org:6380/2',
        SHARED_STATE_KEY_PREFIX: 'worklist-b:',
        EVENT_HISTORY_SIZE: '500',
        DATA_DIR: '/var/lib/rw',
      },
      false,
    );
    expect(sharedStateOptionsFrom(config)).toEqual({
      redisUrl: 'rediss://:secret@cache.example.org:6380/2',
      dataDir: '/var/lib/rw',
      keyPrefix: 'worklist-b:',
      eventHistorySize: 500,
    });
  });

  it('refuse what is not a Redis address, prefix or history size', () => {
    expect(() => loadConfig({ REDIS_URL: 'http://cache:6379' }, false)).toThrow(ConfigError);
    expect(() => loadConfig({ SHARED_STATE_KEY_PREFIX: 'has space' }, false)).toThrow(ConfigError);
    expect(() => loadConfig({ EVENT_HISTORY_SIZE: '10' }, false)).toThrow(/EVENT_HISTORY_SIZE/);
  });
});
