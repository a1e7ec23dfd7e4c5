import { join } from 'node:path';
import type { SharedStateLog } from '../shared-state/shared-state.ts';
import type { QueueHistory } from './queue-history.ts';
import { openRedisQueueHistory } from './redis-queue-history.ts';
import { QUEUE_HISTORY_FILE, openSqliteQueueHistory } from './sqlite-queue-history.ts';

/** The queue history's store: shared in Redis with REDIS_URL, else SQLite in DATA_DIR/queue-history.sqlite. */
export function openQueueHistory(options: {
  redisUrl?: string | undefined;
  keyPrefix: string;
  dataDir: string;
  log?: SharedStateLog;
}): QueueHistory {
  if (options.redisUrl)
    return openRedisQueueHistory({
      url: options.redisUrl,
      keyPrefix: options.keyPrefix,
      ...(options.log ? { log: options.log } : {}),
    });
  return openSqliteQueueHistory(join(options.dataDir, QUEUE_HISTORY_FILE));
}
