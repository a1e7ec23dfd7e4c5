import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { BffConfig } from '../config/env.ts';
import { openInProcessSharedState } from './in-process-shared-state.ts';
import { openRedisSharedState } from './redis-shared-state.ts';
import type { SharedState, SharedStateLog } from './shared-state.ts';

export const DEFAULT_KEY_PREFIX = 'rw:';
export const DEFAULT_EVENT_HISTORY_SIZE = 10_000;
/** The in-process implementation's database, under DATA_DIR. */
export const SHARED_STATE_FILE = 'shared-state.sqlite';

export interface SharedStateOptions {
  /** Redis address (REDIS_URL): the Redis implementation. Absent: in-process. */
  redisUrl?: string;
  /** Folder of the in-process database (`DATA_DIR/shared-state.sqlite`, created on first use). */
  dataDir: string;
  /** In front of every Redis key (SHARED_STATE_KEY_PREFIX); default `rw:`. */
  keyPrefix?: string;
  /** Events kept for replay (EVENT_HISTORY_SIZE); default 10,000. */
  eventHistorySize?: number;
  /** This instance's identity; default host name, process id and a random part. */
  instanceId?: string;
  log?: SharedStateLog;
  /** How long start-up waits for Redis before going on as 'unavailable' (it keeps reconnecting); default 5 s. */
  connectWaitMs?: number;
  /** Longest pause between reconnections to Redis; default 2 s. */
  reconnectMaxDelayMs?: number;
}

/**
 * Opens the shared state: Redis when `redisUrl` is set, otherwise in-process (SQLite under `dataDir`).
 * A Redis that cannot be reached does not stop start-up: the state opens as 'unavailable' and recovers
 * by itself.
 */
export async function createSharedState(options: SharedStateOptions): Promise<SharedState> {
  const instanceId = options.instanceId ?? newInstanceId();
  const eventHistorySize = options.eventHistorySize ?? DEFAULT_EVENT_HISTORY_SIZE;
  const log = options.log;
  if (options.redisUrl) {
    return openRedisSharedState({
      url: options.redisUrl,
      instanceId,
      keyPrefix: options.keyPrefix ?? DEFAULT_KEY_PREFIX,
      eventHistorySize,
      ...(log ? { log } : {}),
      ...(options.connectWaitMs !== undefined ? { connectWaitMs: options.connectWaitMs } : {}),
      ...(options.reconnectMaxDelayMs !== undefined ? { reconnectMaxDelayMs: options.reconnectMaxDelayMs } : {}),
    });
  }
  return openInProcessSharedState({
    path: join(options.dataDir, SHARED_STATE_FILE),
    instanceId,
    eventHistorySize,
    ...(log ? { log } : {}),
  });
}

/** The factory's options from the BFF's settings. */
export function sharedStateOptionsFrom(config: BffConfig, log?: SharedStateLog): SharedStateOptions {
  return {
    ...(config.REDIS_URL ? { redisUrl: config.REDIS_URL } : {}),
    dataDir: config.DATA_DIR,
    keyPrefix: config.SHARED_STATE_KEY_PREFIX,
    eventHistorySize: config.EVENT_HISTORY_SIZE,
    ...(log ? { log } : {}),
  };
}

/** `host-pid-random`: readable in Redis (`CLIENT LIST`, lock tokens, leader leases) and unique per start. */
function newInstanceId(): string {
  const host =
    hostname()
      .replace(/[^A-Za-z0-9-]/g, '')
      .slice(0, 32) || 'bff';
  return `${host}-${process.pid}-${randomBytes(3).toString('hex')}`;
}
